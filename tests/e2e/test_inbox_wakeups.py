"""A webhook accepted by a serving process (role `api`) is applied by the inbox processor of
another (role `workers`, as `serve` runs them) at once, not at that processor's next poll; so is
an event pulled from a platform's feed by another process (`credithub sync`). Here the poll
is made a minute long, and events must show within seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from credithub.db.pool import create_pool
from credithub.entrypoints import workers
from credithub.entrypoints.app import create_app
from credithub.services import clients, sync
from credithub.services.ports import Deps
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_webhooks import Sender, violation

POLL_SECONDS = 60.0  # the inbox processor's polling, made long: only a wake-up can be quick
WITHIN_SECONDS = 10.0  # what "at once" must beat on a loaded machine: a sixth of the poll

RECORDS = "query($code: String!) { subjectByCreditCode(creditCode: $code) { records { totalCount } } }"


@dataclass
class Split:
    """Webhooks and GraphQL on one app, the background work on another: two processes' worth of
    pools, LISTEN connections and wake-ups, on one database."""

    url: str  # the serving app's
    deps: Deps  # the serving app's


@pytest.fixture
async def split(fresh_dsn: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Split]:
    monkeypatch.setattr(workers, "INBOX_POLL_SECONDS", POLL_SECONDS)
    api_settings = make_settings(fresh_dsn, data_dir, role="api")
    workers_settings = make_settings(fresh_dsn, data_dir, role="workers", workers=True)
    api_pool = await create_pool(fresh_dsn, min_size=1, max_size=4)
    workers_pool = await create_pool(fresh_dsn, min_size=1, max_size=4)
    api_deps, workers_deps = make_deps(api_pool, api_settings), make_deps(workers_pool, workers_settings)
    try:
        async with (
            loopback.serve(create_app(workers_settings, deps=workers_deps), lifespan="on"),
            loopback.serve(create_app(api_settings, deps=api_deps), lifespan="on") as api_url,
        ):
            yield Split(api_url, api_deps)
    finally:
        for deps in (api_deps, workers_deps):
            await deps.http.aclose()
            await deps.pool.close()


async def _applied_at_once(graphql: GraphQLClient, codes: list[str]) -> None:
    """Every code's record shows through GraphQL within WITHIN_SECONDS."""
    started = time.monotonic()
    waiting = set(codes)
    while waiting and time.monotonic() - started < WITHIN_SECONDS:
        for code in list(waiting):
            subject = (await graphql.data(RECORDS, code=code))["subjectByCreditCode"]
            if subject is not None and subject["records"]["totalCount"] == 1:
                waiting.discard(code)
        if waiting:
            await asyncio.sleep(0.05)
    assert not waiting, f"{len(waiting)} of {len(codes)} events not applied in {WITHIN_SECONDS} s"


async def test_a_webhook_accepted_by_the_api_process_is_applied_by_the_workers_process_at_once(split: Split) -> None:
    registered = await factories.platform(split.deps)
    async with httpx.AsyncClient(base_url=split.url, timeout=30) as http:
        graphql = GraphQLClient(http, registered.client.token)
        sender = Sender(http, split.deps, registered.code, registered.webhook_secret, graphql)

        await asyncio.sleep(1.0)  # the processor has looked once at start, and idles in its long poll
        lone = factories.credit_code()
        assert (await sender.post(violation(lone))).status_code == 202
        await _applied_at_once(graphql, [lone])

        # Later, with the processor idle again, a burst: events close together share a notice.
        await asyncio.sleep(0.5)
        burst = [factories.credit_code() for _ in range(6)]
        answers = await asyncio.gather(*(sender.post(violation(code)) for code in burst))
        assert [answer.status_code for answer in answers] == [202] * len(burst)
        await _applied_at_once(graphql, burst)


async def test_a_page_pulled_by_another_process_is_applied_by_the_workers_process_at_once(split: Split) -> None:
    market = MarketplaceSimulator(api_key="key-for-the-hub", outbound_secret="unused")
    code = factories.credit_code()
    market.put_shop("S1", code, "云帆电子商务旗舰店")
    market.put_penalty("P1", "S1", "SP-201", at_ms=market.clock_ms - 86_400_000)
    async with loopback.serve(market.app) as market_url, httpx.AsyncClient(base_url=split.url, timeout=30) as http:
        await asyncio.sleep(1.0)  # the processor (and the puller) looked once at start; the processor idles
        # Registered only now, so the workers process's own puller leaves it to its next round, minutes away.
        registered = await clients.add_platform(
            split.deps, "shopmall", "ShopMall", family="marketplace", api_url=market_url, api_key="key-for-the-hub"
        )
        shops, penalties = await sync.pull_platform(split.deps, registered.code)  # as `credithub sync` does
        assert (shops.new_events, penalties.new_events) == (1, 1)
        await _applied_at_once(GraphQLClient(http, registered.client.token), [code])
