"""Webhook deliveries on the direct answer path (`entrypoints.direct`) are answered exactly as the
general stack answers them.

Two servers on the same database, one with the direct path and one without
(`CREDITHUB_GRAPHQL_DIRECT=false`), are sent the same deliveries: accepted, repeated, refused for
their signature, their timestamp, their platform, their body or their event, turned away by a
full inbox or an unavailable database, and the odd paths a platform code can be spelt with.
Status, every header (the request id's and the date's values aside) and the body must be the same; and
the deliveries the direct path should take must have been answered by it, the others not."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest

from credithub.db import inbox as db_inbox
from credithub.db.pool import transaction
from credithub.entrypoints.app import CreditHub, create_app
from credithub.entrypoints.direct import DirectPath
from credithub.services.ports import Deps
from credithub.settings import Settings
from tests import factories, loopback
from tests.e2e.test_webhooks import sign, violation

NOT_COMPARED = ("date", "x-request-id")  # each answer has its own; whether it has a request id is compared


@dataclass
class Watched:
    """The app's direct path, noting the paths it answered."""

    direct: DirectPath
    answered: list[str] = field(default_factory=list)

    def takes(self, scope: dict[str, Any]) -> bool:
        return self.direct.takes(scope)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.answered.append(scope["path"])
        await self.direct(scope, receive, send)


@dataclass
class Paths:
    direct: httpx.AsyncClient
    general: httpx.AsyncClient
    watched: Watched
    settings: Settings

    def clients(self) -> dict[str, httpx.AsyncClient]:
        return {"direct": self.direct, "general": self.general}


@asynccontextmanager
async def both_paths(deps: Deps, **changes: Any) -> AsyncIterator[Paths]:
    """The app with its direct path (watched) and without it, on the same dependencies."""
    settings = deps.settings.with_changes(**changes)
    direct: CreditHub = create_app(settings, deps=deps)
    general = create_app(settings.with_changes(graphql_direct=False), deps=deps)
    assert direct.direct is not None
    assert general.direct is None
    watched = Watched(direct.direct)
    direct.direct = watched  # type: ignore[assignment]
    async with (
        loopback.serve(direct, lifespan="on") as direct_url,
        loopback.serve(general, lifespan="on") as general_url,
        httpx.AsyncClient(base_url=direct_url, timeout=30) as direct_client,
        httpx.AsyncClient(base_url=general_url, timeout=30) as general_client,
    ):
        yield Paths(direct_client, general_client, watched, settings)


@pytest.fixture(scope="module")
async def paths(deps: Deps) -> AsyncIterator[Paths]:
    async with both_paths(deps) as clients:
        yield clients


@dataclass
class Platform:
    code: str
    secret: str


@pytest.fixture(scope="module")
async def platform(deps: Deps) -> Platform:
    registered = await factories.platform(deps)
    return Platform(registered.code, registered.webhook_secret)


def seen(response: httpx.Response) -> tuple[object, ...]:
    """What a sender can see in an answer: status, headers, body. An id the answer repeats from the
    delivery's `webhook-id` is shown as such (each path may be sent an event of its own)."""
    base = f"{response.request.url.scheme}://{response.request.url.netloc.decode()}"  # each server its own port
    headers = sorted(
        (name, value.replace(base, "<base>"))
        for name, value in response.headers.multi_items()
        if name not in NOT_COMPARED
    )
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if (
        isinstance(body, dict)
        and body.get("id") is not None
        and body["id"] == response.request.headers.get("webhook-id")
    ):
        body["id"] = "<webhook-id>"
    return response.status_code, headers, body, "x-request-id" in response.headers


Delivery = Callable[[str], tuple[str, bytes, dict[str, str]]]  # path name -> (url, body, headers)


async def deliver_to_both(paths: Paths, delivery: Delivery, *, taken: bool) -> tuple[object, ...]:
    """The answer both paths gave a delivery, once it is known to be the same; `taken`: whether the
    direct path must have answered it (else the general stack did)."""
    answered = len(paths.watched.answered)
    answers = []
    for name, client in paths.clients().items():
        url, body, headers = delivery(name)
        answers.append(seen(await client.post(url, content=body, headers=headers)))
    direct, general = answers
    assert direct == general
    assert len(paths.watched.answered) == answered + (1 if taken else 0)
    return direct


def same(url: str, body: bytes, headers: dict[str, str]) -> Delivery:
    return lambda _: (url, body, headers)


def signed(platform: Platform, event: dict[str, Any] | bytes, **signing: Any) -> tuple[str, bytes, dict[str, str]]:
    body = event if isinstance(event, bytes) else orjson.dumps(event)
    return f"/webhooks/{platform.code}", body, sign(platform.secret, body, **signing)


async def test_a_new_delivery_and_its_repeat_are_accepted_alike_on_both_paths(
    paths: Paths, platform: Platform, deps: Deps
) -> None:
    ids = {name: f"msg_{name[0]}_{factories.suffix()}" for name in ("direct", "general")}  # as long
    events = {name: violation() for name in ids}
    status, _, body, _ = await deliver_to_both(
        paths, lambda name: signed(platform, events[name], event_id=ids[name]), taken=True
    )
    assert (status, body) == (202, {"accepted": True, "id": "<webhook-id>"})
    for event_id in ids.values():
        assert await db_inbox.get_by_key(deps.pool, platform.code, event_id) is not None
    repeat = await deliver_to_both(paths, lambda name: signed(platform, events[name], event_id=ids[name]), taken=True)
    assert repeat[0] == 202
    other = {"direct": "general", "general": "direct"}
    crossed = await deliver_to_both(  # each path answers a repeat of what the other stored
        paths, lambda name: signed(platform, events[other[name]], event_id=ids[other[name]]), taken=True
    )
    assert crossed == repeat


@pytest.mark.parametrize(
    ("tamper", "status", "code"),
    [
        ("body", 401, "NO_MATCHING_SECRET"),
        ("wrong-secret", 401, "NO_MATCHING_SECRET"),
        ("missing-signature", 400, "MISSING_HEADER"),
        ("garbage-signature", 401, "MALFORMED_SIGNATURE"),
        ("id-too-long", 400, "INVALID_WEBHOOK_ID"),
    ],
)
async def test_a_refused_signature_is_answered_alike_on_both_paths(
    paths: Paths, platform: Platform, tamper: str, status: int, code: str
) -> None:
    url, body, headers = signed(platform, violation(), event_id="x" * 201 if tamper == "id-too-long" else None)
    if tamper == "body":
        body = body.replace(b"GENERAL", b"MINOR")
    elif tamper == "wrong-secret":
        headers = sign("whsec_" + "A" * 43 + "=", body)
    elif tamper == "missing-signature":
        del headers["webhook-signature"]
    elif tamper == "garbage-signature":
        headers["webhook-signature"] = "v1"
    answer = await deliver_to_both(paths, same(url, body, headers), taken=True)
    assert (answer[0], answer[2]["code"]) == (status, code)  # type: ignore[index]


async def test_a_stale_timestamp_is_refused_alike_on_both_paths(paths: Paths, platform: Platform) -> None:
    url, body, headers = signed(platform, violation(), at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=6))
    answers = []
    for client in paths.clients().values():
        response = await client.post(url, content=body, headers=headers)
        status, seen_headers, answer, with_id = seen(response)
        assert isinstance(answer, dict)
        answers.append((status, seen_headers, answer, with_id, answer.pop("hub_time")))
    (*direct, direct_time), (*general, general_time) = answers
    assert direct == general
    assert abs(direct_time - general_time) <= 2  # each gives its clock; a second may pass between them
    assert (direct[0], direct[2]["code"]) == (401, "TIMESTAMP_OUT_OF_TOLERANCE")
    assert paths.watched.answered[-1] == url


async def test_a_body_or_event_that_cannot_be_kept_is_refused_alike_on_both_paths(
    paths: Paths, platform: Platform
) -> None:
    malformed = await deliver_to_both(paths, same(*signed(platform, b"{not json")), taken=True)
    assert (malformed[0], malformed[2]["code"]) == (400, "MALFORMED_BODY")  # type: ignore[index]
    event = violation()
    event["data"]["severity"] = "WORSE"
    invalid = await deliver_to_both(paths, same(*signed(platform, event)), taken=True)
    assert (invalid[0], invalid[2]["field"]) == (422, "data.severity")  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "taken", "status"),
    [
        ("/webhooks/never-registered", True, 404),
        ("/webhooks/p%00x", True, 404),  # U+0000 in the platform code: no such platform, never a query
        ("/webhooks/%E4%B8%AD", True, 404),
        ("/webhooks/%FF", True, 404),  # not UTF-8 once decoded
        ("/webhooks/p-x%0A", True, 404),  # a line feed at the end of the code
        ("/webhooks/a%2Fb", False, 404),  # decoded, two segments: no route
        ("/webhooks/a/b", False, 404),
        ("/webhooks/", False, 404),
        ("/webhooks/p-x/", False, 307),  # the router's redirect to the path without its slash
        ("/webhooks//p-x", False, 404),
    ],
)
async def test_odd_paths_are_answered_alike_on_both_paths(
    paths: Paths, platform: Platform, path: str, taken: bool, status: int
) -> None:
    _, body, headers = signed(platform, violation())
    answer = await deliver_to_both(paths, same(path, body, headers), taken=taken)
    assert answer[0] == status


async def test_the_platform_in_the_path_is_decoded_as_the_router_decodes_it(paths: Paths, platform: Platform) -> None:
    """A code spelt with percent escapes is the same platform on both paths: accepted."""
    escaped = "".join(f"%{byte:02X}" for byte in platform.code.encode())
    url, body, headers = signed(platform, violation())
    answer = await deliver_to_both(paths, same(url.replace(platform.code, escaped), body, headers), taken=True)
    assert answer[0] == 202


async def test_deliveries_the_direct_path_leaves_to_the_stack_are_answered_alike(
    paths: Paths, platform: Platform
) -> None:
    url, body, headers = signed(platform, violation())
    with_origin = await deliver_to_both(paths, same(url, body, {**headers, "origin": "https://x.example"}), taken=False)
    assert with_origin[0] == 202  # a repeat on the second path: the same answer
    big = orjson.dumps(violation(description="x" * (paths.settings.max_body_bytes + 1)))
    too_big = await deliver_to_both(paths, same(*signed(platform, big)), taken=False)
    assert too_big[0] == 413

    url, body, headers = signed(platform, violation())
    answers, before = [], len(paths.watched.answered)
    for client in paths.clients().values():  # chunked: no Content-Length to decide on beforehand
        answers.append(seen(await client.post(url, content=_chunks(body), headers=headers)))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202
    assert len(paths.watched.answered) == before


async def test_a_delivery_without_a_content_length_is_left_to_the_stack(paths: Paths, platform: Platform) -> None:
    url, _, headers = signed(platform, b"")
    answers = []
    before = len(paths.watched.answered)
    for client in paths.clients().values():
        answers.append(await _raw_post(str(client.base_url), url, headers))
    assert answers[0] == answers[1]
    assert answers[0].startswith(b"HTTP/1.1 4")
    assert len(paths.watched.answered) == before


async def test_a_full_inbox_is_answered_alike_on_both_paths(fresh_deps: Deps) -> None:
    registered = await factories.platform(fresh_deps)
    platform = Platform(registered.code, registered.webhook_secret)
    async with both_paths(fresh_deps, inbox_backlog_limit=2) as paths:
        stored = [signed(platform, violation(), event_id=f"msg_{n}") for n in range(2)]
        for delivery in stored:
            assert (await paths.direct.post(delivery[0], content=delivery[1], headers=delivery[2])).status_code == 202
        ids = {name: f"msg_late_{name}" for name in ("direct", "general")}
        status, headers, body, _ = await deliver_to_both(
            paths, lambda name: signed(platform, violation(), event_id=ids[name]), taken=True
        )
        assert (status, body["code"]) == (429, "INBOX_FULL")  # type: ignore[index]
        assert ("retry-after", "5") in headers  # type: ignore[operator]
        for event_id in ids.values():
            assert await db_inbox.get_by_key(fresh_deps.pool, platform.code, event_id) is None
        repeat = await deliver_to_both(paths, same(*stored[0]), taken=True)  # a stored event: its first answer
        assert repeat[0] == 202
        metrics = {name: (await client.get("/metrics")).text for name, client in paths.clients().items()}
    deferred = f'credithub_webhooks_deferred_total{{platform="{platform.code}"}} 1.0'
    assert all(deferred in text for text in metrics.values())


async def test_an_unavailable_database_is_answered_alike_on_both_paths(deps: Deps) -> None:
    """A statement of the delivery's cancelled (as the ingest statement timeout cancels it): 503."""
    registered = await factories.platform(deps)
    platform = Platform(registered.code, registered.webhook_secret)
    suffix = factories.suffix()
    async with transaction(deps.pool) as conn:
        await conn.execute(
            f"CREATE FUNCTION cancel_insert_{suffix}() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'canceling statement due to statement timeout' USING ERRCODE = 'query_canceled';"
            " END $$;"
            f"CREATE TRIGGER inbox_cancelled_{suffix} BEFORE INSERT ON inbox_events"
            f" FOR EACH ROW WHEN (NEW.platform = '{platform.code}') EXECUTE FUNCTION cancel_insert_{suffix}();"
        )
    try:
        async with both_paths(deps) as paths:
            status, headers, *_ = await deliver_to_both(paths, lambda _: signed(platform, violation()), taken=True)
    finally:
        await deps.pool.execute(f"DROP TRIGGER inbox_cancelled_{suffix} ON inbox_events")
    assert status == 503
    assert ("retry-after", "30") in headers  # type: ignore[operator]


@pytest.mark.parametrize(
    ("path", "headers", "taken"),
    [
        ("/webhooks/p-x", {}, True),
        ("/webhooks/p-x", {"content-type": "text/plain", "accept": "text/event-stream"}, True),  # neither matters
        ("/webhooks/p-x", {"origin": "https://x.example"}, False),  # CORS applies
        ("/webhooks/p-x", {"transfer-encoding": "chunked"}, False),
        ("/webhooks/p-x/", {}, False),
        ("/webhooks/", {}, False),
        ("/webhooks/a/b", {}, False),
        ("/webhooksx/p-x", {}, False),
        ("/webhook/p-x", {}, False),
    ],
)
async def test_the_direct_path_takes_deliveries_by_their_request_line_and_headers(
    deps: Deps, path: str, headers: dict[str, str], taken: bool
) -> None:
    app = create_app(deps.settings, deps=deps)
    assert app.direct is not None
    raw = [(name.encode(), value.encode()) for name, value in headers.items()]
    scope = {"type": "http", "method": "POST", "path": path, "root_path": "", "headers": raw}
    sized = [*raw, (b"content-length", b"20")]
    assert app.direct.takes({**scope, "headers": sized}) is taken
    assert app.direct.takes(scope) is False  # no Content-Length
    too_long = [*raw, (b"content-length", str(deps.settings.max_body_bytes + 1).encode())]
    assert app.direct.takes({**scope, "headers": too_long}) is False
    assert app.direct.takes({**scope, "headers": sized, "method": "PUT"}) is False
    assert app.direct.takes({**scope, "headers": sized, "root_path": "/hub"}) is False


async def test_deliveries_are_counted_alike_on_both_paths(paths: Paths) -> None:
    """Every test above on the module's pair sent the same deliveries to both: their request
    counters under `/webhooks/{platform}` must agree, status by status."""
    counted = {}
    for name, client in paths.clients().items():
        exposition = (await client.get("/metrics")).text
        counted[name] = sorted(
            line
            for line in exposition.splitlines()
            if line.startswith("credithub_http_requests_total{") and "/webhooks/" in line
        )
    assert counted["direct"] == counted["general"]
    assert any('status="202"' in line for line in counted["direct"])


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for start in range(0, len(body), 100):
        yield body[start : start + 100]


async def _raw_post(base_url: str, path: str, headers: dict[str, str]) -> bytes:
    """A POST with neither Content-Length nor Transfer-Encoding (an empty body), as httpx never sends."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = [f"POST {path} HTTP/1.1", f"host: {host}", "connection: close", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    answer = await reader.read()
    writer.close()
    await writer.wait_closed()
    status_line, _, rest = answer.partition(b"\r\n")
    return status_line + b"\n" + rest.partition(b"\r\n\r\n")[2]
