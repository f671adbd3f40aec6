"""Pulling platforms' feeds into the hub: every page once, resumable, honest about failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from credithub.db import subjects as db_subjects
from credithub.db import sync as db_sync
from credithub.db.inbox import INBOX_CHANNEL
from credithub.db.pool import connect_listener, create_pool
from credithub.domain.clients import generate_webhook_secret
from credithub.services import clients, inbox, sync
from credithub.services.ports import Deps
from platform_adapters.livestream.simulator import LivestreamSimulator
from platform_adapters.marketplace.client import PATHS
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from tests import factories, loopback
from tests.conftest import make_deps, make_settings

API_KEY = "key-for-the-hub"


@pytest.fixture
async def sync_deps(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Deps]:
    pool = await create_pool(fresh_dsn, min_size=1, max_size=5)
    deps = make_deps(pool, make_settings(fresh_dsn, data_dir, pull_retry_seconds=0.01, sync_page_size=3))
    yield deps
    await deps.http.aclose()
    await pool.close()


@dataclass
class Market:
    sim: MarketplaceSimulator
    code: str


@pytest.fixture
async def market(sync_deps: Deps) -> AsyncIterator[Market]:
    sim = MarketplaceSimulator(api_key=API_KEY, outbound_secret="unused")
    async with loopback.serve(sim.app) as url:
        registered = await clients.add_platform(
            sync_deps, "shopmall", "ShopMall", family="marketplace", api_url=url, api_key=API_KEY
        )
        yield Market(sim, registered.code)


async def apply_inbox(deps: Deps) -> None:
    while await inbox.process_due(deps):
        pass


async def inbox_size(deps: Deps) -> int:
    total: int = await deps.pool.fetchval("SELECT count(*) FROM inbox_events")
    return total


def stock(sim: MarketplaceSimulator, shops: int) -> list[str]:
    codes = [factories.credit_code() for _ in range(shops)]
    for n, code in enumerate(codes):
        sim.put_shop(f"S{n}", code, f"店铺 {n}")
    return codes


async def test_a_pull_takes_every_page_once_and_a_second_pull_changes_nothing(sync_deps: Deps, market: Market) -> None:
    codes = stock(market.sim, 7)
    market.sim.put_penalty("P1", "S0", "SP-201", at_ms=market.sim.clock_ms - 86_400_000)
    shops, penalties = await sync.pull_platform(sync_deps, market.code)
    assert (shops.items, shops.new_events, shops.caught_up) == (7, 7, True)
    assert (penalties.items, penalties.new_events) == (1, 1)
    await apply_inbox(sync_deps)
    found = await db_subjects.get_many_by_credit_code(sync_deps.pool, codes)
    assert set(found) == set(codes)
    records = await sync_deps.pool.fetchval(
        "SELECT count(*) FROM credit_records WHERE source_platform = $1 AND source_ref = 'P1'", market.code
    )
    assert records == 1

    before = await inbox_size(sync_deps)
    again = await sync.pull_platform(sync_deps, market.code)
    assert [progress.new_events for progress in again] == [0, 0]
    assert await inbox_size(sync_deps) == before
    full = await sync.pull_platform(sync_deps, market.code, full=True)  # reconciliation from the start
    assert [progress.new_events for progress in full] == [0, 0]
    assert full[0].items == 7


async def test_each_page_that_stores_new_events_wakes_the_inbox_processors_once(
    fresh_dsn: str, sync_deps: Deps, market: Market
) -> None:
    stock(market.sim, 7)  # shops in three pages of three; no penalties
    listener = await connect_listener(fresh_dsn)
    notices: list[str] = []

    def heard(_conn: Any, _pid: int, _channel: str, payload: object) -> None:
        notices.append(str(payload))

    await listener.add_listener(INBOX_CHANNEL, heard)
    try:
        await sync.pull_platform(sync_deps, market.code)
        for _ in range(100):  # delivered on each page's commit, read by the listener's connection
            if len(notices) >= 3:
                break
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)  # and no more come
        assert len(notices) == 3  # one per page, however many events it stored

        notices.clear()
        await sync.pull_platform(sync_deps, market.code, full=True)  # every page again, nothing new
        await asyncio.sleep(0.3)
        assert notices == []
    finally:
        await listener.close()


async def test_a_pull_holds_back_while_the_inbox_is_full_and_goes_on_from_its_cursor_later(
    fresh_dsn: str, data_dir: Path, sync_deps: Deps, market: Market
) -> None:
    stock(market.sim, 8)  # three pages of three
    full_at_three = make_deps(
        sync_deps.pool,
        make_settings(fresh_dsn, data_dir, pull_retry_seconds=0.01, sync_page_size=3, inbox_backlog_limit=3),
    )
    first = await sync.pull_stream(full_at_three, market.code, "shops")
    assert (first.pages, first.new_events, first.held_back, first.caught_up) == (1, 3, True, False)
    assert await inbox_size(sync_deps) == 3  # the second page was never fetched
    cursor = await db_sync.get_cursor(sync_deps.pool, market.code, "shops")

    again = await sync.pull_stream(full_at_three, market.code, "shops")
    assert (again.pages, again.held_back) == (0, True)  # still full: nothing asked of the platform
    assert await db_sync.get_cursor(sync_deps.pool, market.code, "shops") == cursor

    taken = first.new_events
    while True:  # each pull goes on from where the last one stopped, until the inbox fills again
        await apply_inbox(sync_deps)
        more = await sync.pull_stream(full_at_three, market.code, "shops")
        assert more.pages >= 1, more
        assert more.held_back != more.caught_up, more
        taken += more.new_events
        if more.caught_up:
            break
    await apply_inbox(sync_deps)
    assert taken == await inbox_size(sync_deps) == 8  # nothing lost, nothing taken twice
    await full_at_three.http.aclose()


async def test_a_pull_that_fails_mid_feed_resumes_from_the_last_page_taken(sync_deps: Deps, market: Market) -> None:
    stock(market.sim, 8)
    first = await sync.pull_stream(sync_deps, market.code, "shops", max_pages=1)
    cursor = await db_sync.get_cursor(sync_deps.pool, market.code, "shops")
    market.sim.faults.fail_next(503, times=sync.FETCH_ATTEMPTS)
    with pytest.raises(sync.PullFailed, match="503"):
        await sync.pull_stream(sync_deps, market.code, "shops")
    assert await db_sync.get_cursor(sync_deps.pool, market.code, "shops") == cursor
    [state] = await db_sync.list_cursors(sync_deps.pool, market.code)
    assert "503" in (state.last_error or "")
    assert state.caught_up_at is None

    rest = await sync.pull_stream(sync_deps, market.code, "shops")
    assert first.new_events + rest.new_events == 8
    assert await inbox_size(sync_deps) == 8
    [state] = await db_sync.list_cursors(sync_deps.pool, market.code)
    assert state.last_error is None
    assert state.caught_up_at is not None


async def test_a_page_is_taken_whole_or_not_at_all(sync_deps: Deps, market: Market) -> None:
    stock(market.sim, 3)
    await sync_deps.pool.execute(
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'crash'; END $$;"
        "CREATE TRIGGER sync_cursors_crash BEFORE INSERT OR UPDATE ON sync_cursors"
        " FOR EACH ROW EXECUTE FUNCTION refuse();"
    )
    with pytest.raises(Exception, match="crash"):
        await sync.pull_stream(sync_deps, market.code, "shops")
    assert await inbox_size(sync_deps) == 0  # the page's events went with the cursor that failed
    await sync_deps.pool.execute("DROP TRIGGER sync_cursors_crash ON sync_cursors")
    assert (await sync.pull_stream(sync_deps, market.code, "shops")).new_events == 3


async def test_a_throttled_pull_waits_as_long_as_the_platform_asks(sync_deps: Deps, market: Market) -> None:
    stock(market.sim, 2)
    market.sim.faults.throttle_next(retry_after=1)
    started = time.monotonic()
    progress = await sync.pull_stream(sync_deps, market.code, "shops")
    assert time.monotonic() - started >= 1.0
    assert progress.new_events == 2


async def test_a_feed_that_answers_garbage_stops_the_pull_and_is_never_read_as_empty(
    sync_deps: Deps, market: Market
) -> None:
    stock(market.sim, 2)
    market.sim.faults.garble_next(times=1)
    with pytest.raises(sync.PullFailed, match=r"not a success envelope|not JSON"):
        await sync.pull_stream(sync_deps, market.code, "shops")
    [state] = await db_sync.list_cursors(sync_deps.pool, market.code)
    assert state.caught_up_at is None
    assert state.pages == 0


async def test_a_feed_item_without_the_time_paging_rests_on_fails_the_pull_and_keeps_the_cursor(
    sync_deps: Deps,
) -> None:
    async def shops(_: Request) -> Response:
        broken = {"shop_id": "S1", "uscc": factories.credit_code(), "shop_status": 1, "gmt_modified_ms": None}
        return JSONResponse({"code": 0, "data": {"page_size": 50, "list": [broken]}})

    async with loopback.serve(Starlette(routes=[Route(PATHS["shops"], shops)])) as url:
        registered = await clients.add_platform(
            sync_deps, "brokenmall", "BrokenMall", family="marketplace", api_url=url, api_key=API_KEY
        )
        with pytest.raises(sync.PullFailed, match="gmt_modified_ms"):
            await sync.pull_stream(sync_deps, registered.code, "shops")
    [state] = await db_sync.list_cursors(sync_deps.pool, registered.code)
    assert (state.pages, state.cursor) == (0, None)
    assert "gmt_modified_ms" in (state.last_error or "")


async def test_items_with_text_or_times_the_hub_cannot_keep_are_refused_and_the_feed_goes_on(
    sync_deps: Deps, market: Market
) -> None:
    stock(market.sim, 1)
    market.sim.put_shop("NUL", factories.credit_code(), "店\u0000铺".encode().decode("unicode_escape"))
    market.sim.put_shop("FAR", factories.credit_code(), "远古店", opened_ms=-(10**16))
    progress = await sync.pull_stream(sync_deps, market.code, "shops")
    assert (progress.new_events, progress.refused, progress.caught_up) == (1, 2, True)
    rejects = {r.item_id.split("@")[0]: r.error for r in await db_sync.list_rejects(sync_deps.pool, market.code, 10)}
    assert "U+0000" in rejects["shop:NUL"]
    assert "time in range" in rejects["shop:FAR"]


async def test_items_the_hub_cannot_take_are_kept_with_why_and_the_rest_go_through(
    sync_deps: Deps, market: Market
) -> None:
    stock(market.sim, 2)
    market.sim.put_shop("BAD", "91330106MA2PBM9HX7", "校验位错误的店")  # wrong check character
    market.sim.put_penalty("P9", "S0", "SP-999", at_ms=market.sim.clock_ms)
    shops, penalties = await sync.pull_platform(sync_deps, market.code)
    assert (shops.new_events, shops.refused, penalties.refused) == (2, 1, 1)
    rejects = {r.item_id.split("@")[0]: r.error for r in await db_sync.list_rejects(sync_deps.pool, market.code, 10)}
    assert "check" in rejects["shop:BAD"]
    assert "SP-999" in rejects["penalty:P9"]


async def test_anchors_pulled_from_a_live_platform_are_kept_by_person_hash_only(sync_deps: Deps) -> None:
    secret = generate_webhook_secret()
    sim = LivestreamSimulator(api_key=API_KEY, signing_secret=secret, outbound_secret="unused")
    person = factories.resident_id()
    sim.put_anchor("lw_1", person, "小鱼说好物")
    async with loopback.serve(sim.app) as url:
        registered = await clients.add_platform(
            sync_deps, "livewave", "LiveWave", family="livestream", api_url=url, api_key=API_KEY
        )
        await sync_deps.pool.execute(
            "UPDATE platform_secrets SET secret = $2 WHERE platform = $1 AND purpose = 'webhook'",
            registered.code,
            secret,
        )
        progress = await sync.pull_stream(sync_deps, registered.code, "anchors")
    assert progress.new_events == 1
    await apply_inbox(sync_deps)
    stored = await sync_deps.pool.fetchval("SELECT event::text FROM inbox_events")
    assert person not in stored
    kind = await sync_deps.pool.fetchval(
        "SELECT s.kind FROM accounts a JOIN subjects s ON s.id = a.subject_id WHERE a.external_id = 'lw_1'"
    )
    assert kind == "ANCHOR"
