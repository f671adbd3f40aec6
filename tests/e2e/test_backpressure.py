"""Backpressure seen by a platform: past CREDITHUB_INBOX_BACKLOG_LIMIT events waiting, a new
webhook is answered 429 with Retry-After and not stored; once the inbox drains, the same event
is accepted, and every event accepted before is applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from credithub.db.pool import create_pool
from credithub.entrypoints.app import create_app
from credithub.entrypoints.webhooks import BACKLOG_READ_SECONDS
from credithub.services import inbox
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_webhooks import sign, violation

LIMIT = 3
RECORDS = "query($code: String!) { subjectByCreditCode(creditCode: $code) { records { totalCount } } }"


@dataclass
class Platform:
    """A platform sending to a hub whose inbox takes LIMIT events (its worker off: nothing drains
    until the test applies what waits)."""

    deps: Deps
    http: httpx.AsyncClient
    code: str
    secret: str
    graphql: GraphQLClient

    async def send(self, event: dict[str, Any], event_id: str) -> httpx.Response:
        body = orjson.dumps(event)  # signed anew on every attempt, as a sender retries
        return await self.http.post(
            f"/webhooks/{self.code}", content=body, headers=sign(self.secret, body, event_id=event_id)
        )

    async def records_of(self, code: str) -> int:
        data = await self.graphql.data(RECORDS, code=code)
        return int(data["subjectByCreditCode"]["records"]["totalCount"]) if data["subjectByCreditCode"] else 0


@pytest.fixture
async def platform(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Platform]:
    settings = make_settings(fresh_dsn, data_dir, inbox_backlog_limit=LIMIT)
    pool = await create_pool(fresh_dsn, min_size=1, max_size=5)
    deps = make_deps(pool, settings)
    registered = await factories.platform(deps)
    try:
        async with (
            loopback.serve(create_app(settings, deps=deps), lifespan="on") as url,
            httpx.AsyncClient(base_url=url, timeout=10) as http,
        ):
            yield Platform(
                deps, http, registered.code, registered.webhook_secret, GraphQLClient(http, registered.client.token)
            )
    finally:
        await deps.http.aclose()
        await pool.close()


async def apply_waiting(deps: Deps) -> None:
    """What the inbox worker does in `serve`: apply every event that waits."""
    while await inbox.process_due(deps):
        pass
    await asyncio.sleep(BACKLOG_READ_SECONDS + 0.1)  # the hub's reading of its backlog is this old at most


async def test_a_full_inbox_answers_429_with_retry_after_and_takes_the_event_once_drained(platform: Platform) -> None:
    codes = [factories.credit_code() for _ in range(LIMIT + 1)]
    for n, code in enumerate(codes[:LIMIT]):
        assert (await platform.send(violation(code), f"msg_{n}")).status_code == 202

    refused = await platform.send(violation(codes[LIMIT]), "msg_late")
    assert refused.status_code == 429
    assert refused.json()["code"] == "INBOX_FULL"
    assert int(refused.headers["retry-after"]) > 0
    again = await platform.send(violation(codes[0]), "msg_0")  # a repeat of a stored event: its first answer
    assert (again.status_code, again.json()) == (202, {"accepted": True, "id": "msg_0"})

    await apply_waiting(platform.deps)
    retried = await platform.send(violation(codes[LIMIT]), "msg_late")
    assert (retried.status_code, retried.json()) == (202, {"accepted": True, "id": "msg_late"})
    await apply_waiting(platform.deps)
    assert [await platform.records_of(code) for code in codes] == [1] * (LIMIT + 1)  # none lost, none twice


async def test_refused_deliveries_are_counted_per_platform_in_the_metrics(platform: Platform) -> None:
    for n in range(LIMIT + 2):
        await platform.send(violation(), f"msg_{n}")
    metrics = (await platform.http.get("/metrics")).text
    assert "credithub_inbox_backlog_limit 3.0" in metrics
    assert f'credithub_webhooks_deferred_total{{platform="{platform.code}"}} 2.0' in metrics


async def test_concurrent_deliveries_never_run_past_the_limit(platform: Platform) -> None:
    sent = await asyncio.gather(*(platform.send(violation(), f"msg_{n}") for n in range(3 * LIMIT)))
    assert sorted(response.status_code for response in sent) == [202] * LIMIT + [429] * (2 * LIMIT)
