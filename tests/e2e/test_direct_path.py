"""The direct answer path (`entrypoints.direct`) answers exactly as the general stack does.

Two servers on the same database, one with the direct path and one without
(`CREDITHUB_GRAPHQL_DIRECT=false`), are sent the same requests: successes, field errors,
documents that do not parse or validate, malformed bodies, refusals of the token, the rate and the
requests in flight, and an answer withheld for want of its audit row. Status, media type, the
headers a client acts on and the body must be the same."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest

from credithub.db.pool import transaction
from credithub.domain.subjects import SubjectKind
from credithub.entrypoints.app import create_app
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.e2e.conftest import Cast

GRAPHQL_RESPONSE = "application/graphql-response+json"
LOOKUP = """query($code: String!) { subjectByCreditCode(creditCode: $code) { id name
  creditStatus { tier flags { measure enforced via recordIds } } } }"""
HEADERS_A_CLIENT_READS = ("content-type", "www-authenticate", "retry-after", "vary")

Paths = dict[str, httpx.AsyncClient]


@asynccontextmanager
async def both_paths(deps: Deps, **changes: Any) -> AsyncIterator[Paths]:
    """The app with its direct path and without it, on the same dependencies."""
    settings = deps.settings.with_changes(**changes)
    direct = create_app(settings, deps=deps)
    general = create_app(settings.with_changes(graphql_direct=False), deps=deps)
    assert direct.direct is not None
    assert general.direct is None
    async with (
        loopback.serve(direct, lifespan="on") as direct_url,
        loopback.serve(general, lifespan="on") as general_url,
        httpx.AsyncClient(base_url=direct_url, timeout=30) as direct_client,
        httpx.AsyncClient(base_url=general_url, timeout=30) as general_client,
    ):
        yield {"direct": direct_client, "general": general_client}


@pytest.fixture(scope="module")
async def paths(deps: Deps) -> AsyncIterator[Paths]:
    async with both_paths(deps) as clients:
        yield clients


def seen(response: httpx.Response) -> tuple[object, ...]:
    """What a client can act on in an answer (every answer carries a request id, each its own)."""
    assert response.headers.get("x-request-id")
    headers = tuple(response.headers.get(name) for name in HEADERS_A_CLIENT_READS)
    return response.status_code, headers, response.json()


async def post_to_both(paths: Paths, content: bytes, headers: dict[str, str]) -> tuple[object, ...]:
    """The answer both paths gave, once it is known to be the same."""
    direct, general = [
        seen(await paths[name].post("/graphql", content=content, headers=headers)) for name in ("direct", "general")
    ]
    assert direct == general
    return direct


def lookup(code: str) -> bytes:
    return orjson.dumps({"query": LOOKUP, "variables": {"code": code}})


@pytest.mark.parametrize("accept", [None, "application/json", GRAPHQL_RESPONSE, "*/*"])
@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ viewer { name role } }"},
        {"query": '{ subjectByCreditCode(creditCode: "91110000600037341N") { name } }'},  # a field error
        {"query": "{ viewer { role }"},  # does not parse
        {"query": "{ nope }"},  # does not validate
        {"query": "query($n: Int!) { subjects(first: $n) { totalCount } }", "variables": {"n": "three"}},
        {"query": "query A { viewer { name } } query B { viewer { role } }", "operationName": "C"},
        {"query": "query A { viewer { name } } query B { viewer { role } }"},  # which one?
        {"query": "subscription { creditStatusChanged(creditCodes: []) { creditCode } }"},
        {"query": "{ viewer { name } }", "variables": None, "extensions": None, "operationName": None},
        {"query": None},
        {},
        {"query": "{ viewer { name } }", "extensions": "x"},
        {"query": "{ subjects(first: 100000) { totalCount edges { node { name } } } }"},  # too costly
        {"query": "query($n: Int!) { subjects(first: $n) { edges { node { name } } } }", "variables": {"n": 100000}},
        {"query": "query A { viewer { name } } query B { me: viewer { role } }", "operationName": "B"},
        {"query": "{ ...V __typename } fragment V on Query { viewer { name } }"},
        {"query": "query($s: Boolean!) { viewer { name @skip(if: $s) role } }", "variables": {"s": True}},
        {"query": "{ __schema { queryType { name } } }"},
        {  # a scalar's error, named after the argument it was given for
            "query": "query($at: DateTime) { subjects(first: 1) { edges { node { creditStatus(asOf: $at) { tier } } } } }",
            "variables": {"at": "yesterday"},
        },
        {"query": 'mutation { revokeClient(clientId: "nope") { __typename } }'},  # a mutation: the schema runs it
    ],
)
async def test_documents_are_answered_alike_on_both_paths(
    paths: Paths, cast: Cast, body: dict[str, Any], accept: str | None
) -> None:
    headers = {**cast.as_admin.headers, "content-type": "application/json", **({"accept": accept} if accept else {})}
    await post_to_both(paths, orjson.dumps(body), headers)


async def test_a_lookup_is_answered_alike_on_both_paths_and_audited_on_each(
    paths: Paths, cast: Cast, deps: Deps
) -> None:
    code = cast.merchant.credit_code
    assert code is not None
    headers = {**cast.as_a.headers, "content-type": "application/json"}
    before = await _audited(deps, cast.merchant.id)
    status, _, answer = await post_to_both(paths, lookup(code), headers)
    assert status == 200
    assert answer["data"]["subjectByCreditCode"]["name"] == cast.merchant.name  # type: ignore[index]
    assert await _audited(deps, cast.merchant.id) == before + 2  # one row per answer, on either path


@pytest.mark.parametrize(
    "body",
    [b'"hello"', b"[1, 2]", b"", b'{"query": "\xff\xfe"}', b'{"query": 5}', b'{"variables": "x"}', b"{not json"],
)
async def test_malformed_bodies_are_refused_alike_on_both_paths(paths: Paths, cast: Cast, body: bytes) -> None:
    status, *_ = await post_to_both(paths, body, {**cast.as_admin.headers, "content-type": "application/json"})
    assert status == 400


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc", "Bearer"])
async def test_a_request_without_a_valid_token_is_refused_alike_on_both_paths(
    paths: Paths, authorization: str | None
) -> None:
    headers = {"content-type": "application/json", **({"authorization": authorization} if authorization else {})}
    status, *_ = await post_to_both(paths, b'{"query": "{ viewer { name } }"}', headers)
    assert status == 401


async def test_over_its_rate_a_client_is_refused_alike_on_both_paths(deps: Deps, cast: Cast) -> None:
    headers = {**cast.as_viewer.headers, "content-type": "application/json"}
    async with both_paths(deps, rate_limit=1, rate_burst=1) as paths:
        admitted = await post_to_both(paths, b'{"query": "{ viewer { name } }"}', headers)
        refused = await post_to_both(paths, b'{"query": "{ viewer { name } }"}', headers)
    assert admitted[0] == 200
    assert refused[0] == 429
    assert refused[2]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"  # type: ignore[index]


async def test_past_its_requests_in_flight_a_client_is_refused_alike_on_both_paths(deps: Deps, cast: Cast) -> None:
    """One request in flight allowed: a second sent while the first waits on the database is a 429."""
    code = cast.merchant.credit_code
    assert code is not None
    headers = {**cast.as_viewer.headers, "content-type": "application/json"}
    async with both_paths(deps, client_concurrency=1) as paths:
        for name in ("direct", "general"):
            async with deps.pool.acquire() as conn, conn.transaction():
                await conn.execute("LOCK TABLE subjects IN ACCESS EXCLUSIVE MODE")  # the first lookup waits here
                first = asyncio.create_task(paths[name].post("/graphql", content=lookup(code), headers=headers))
                await asyncio.sleep(0.3)
                second = await paths[name].post("/graphql", content=lookup(code), headers=headers)
            assert (await first).status_code == 200
            assert second.status_code == 429, name
            assert second.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_IN_FLIGHT"
            assert second.headers["retry-after"] == "1"


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_an_answer_that_cannot_be_audited_is_withheld_alike_on_both_paths(
    paths: Paths, cast: Cast, deps: Deps, accept: str
) -> None:
    suffix = factories.suffix()
    async with transaction(deps.pool) as conn:
        refused = await factories.subject(conn, SubjectKind.MERCHANT)
        await conn.execute(
            f"CREATE FUNCTION refuse_insert_{suffix}() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'no space left on device'; END $$;"
            f"CREATE TRIGGER audit_reads_broken_{suffix} BEFORE INSERT ON audit_reads"
            f" FOR EACH ROW WHEN (NEW.subject_id = {refused.id}) EXECUTE FUNCTION refuse_insert_{suffix}();"
        )
    try:
        assert refused.credit_code is not None
        headers = {**cast.as_admin.headers, "content-type": "application/json", "accept": accept}
        status, _, answer = await post_to_both(paths, lookup(refused.credit_code), headers)
    finally:
        await deps.pool.execute(f"DROP TRIGGER audit_reads_broken_{suffix} ON audit_reads")
    assert [error["extensions"]["code"] for error in answer["errors"]] == ["AUDIT_UNAVAILABLE"]  # type: ignore[index]
    assert answer.get("data") is None  # type: ignore[attr-defined]
    assert status == (503 if accept == GRAPHQL_RESPONSE else 200)


@pytest.mark.parametrize(
    ("headers", "direct"),
    [
        ({"content-type": "application/json"}, True),
        ({"content-type": "application/json; charset=utf-8", "accept": GRAPHQL_RESPONSE}, True),
        ({"content-type": "application/json", "origin": "https://dashboard.example"}, False),  # CORS applies
        ({"content-type": "application/json", "accept": "text/event-stream"}, False),  # a stream
        ({"content-type": "application/graphql-response+json"}, False),
        ({"content-type": "text/plain"}, False),
    ],
)
async def test_the_direct_path_takes_plain_json_posts_from_programs_only(
    deps: Deps, headers: dict[str, str], direct: bool
) -> None:
    app = create_app(deps.settings, deps=deps)
    assert app.direct is not None
    raw = [(name.encode(), value.encode()) for name, value in {**headers, "content-length": "20"}.items()]
    scope = {"type": "http", "method": "POST", "path": "/graphql", "root_path": "", "headers": raw}
    assert app.direct.takes(scope) is direct
    assert app.direct.takes({**scope, "method": "GET"}) is False
    assert app.direct.takes({**scope, "path": "/graphql/"}) is False
    too_long = [*raw[:-1], (b"content-length", str(deps.settings.max_body_bytes + 1).encode())]
    assert app.direct.takes({**scope, "headers": too_long}) is False


async def _audited(deps: Deps, subject_id: int) -> int:
    count: int = await deps.pool.fetchval("SELECT count(*) FROM audit_reads WHERE subject_id = $1", subject_id)
    return count


async def test_introspection_switched_off_is_refused_alike_on_both_paths(deps: Deps, cast: Cast) -> None:
    headers = {**cast.as_admin.headers, "content-type": "application/json"}
    async with both_paths(deps, introspection=False) as paths:
        _, _, answer = await post_to_both(paths, b'{"query": "{ __schema { queryType { name } } }"}', headers)
    assert answer["errors"]  # type: ignore[index]


async def test_operations_are_counted_alike_on_both_paths(paths: Paths) -> None:
    """Every test above sent the same requests to both: their counters must agree, outcome by outcome."""
    counted = {}
    for name, client in paths.items():
        exposition = (await client.get("/metrics")).text
        counted[name] = sorted(
            line
            for line in exposition.splitlines()
            if line.startswith(("credithub_graphql_operations_total", "credithub_http_requests_total{"))
            and 'route="/metrics"' not in line
        )
    assert counted["direct"] == counted["general"]
    assert any('outcome="ok"' in line for line in counted["direct"])
