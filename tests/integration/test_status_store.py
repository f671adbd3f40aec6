"""The status store and its refresher on real PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from credithub.cache import create_cache
from credithub.db import statuses as db_statuses
from credithub.db.pool import counting_queries, transaction
from credithub.domain.flags import CreditStatus
from credithub.domain.records import Severity
from credithub.domain.status_codec import StoredStatus
from credithub.domain.subjects import SubjectKind
from credithub.entrypoints.workers import run_status_refresher
from credithub.services import catalog, credit_status, statuses
from credithub.services.engine_config import ConfigHolder
from credithub.services.ports import Deps
from tests import factories
from tests.conftest import FixedClock

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def with_clock(deps: Deps, clock: FixedClock) -> Deps:
    """Another instance: its own clock, memory cache and catalog."""
    return dataclasses.replace(deps, clock=clock, cache=create_cache(None), engine=ConfigHolder())


async def refresh_all(deps: Deps) -> int:
    total = 0
    while refreshed := await statuses.refresh_due(deps):
        total += refreshed
    return total


async def test_the_refresher_stores_exactly_what_a_query_computes(fresh_deps: Deps) -> None:
    platform = await factories.platform(fresh_deps)
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(
            conn, merchant.id, platform.code, severity=Severity.SERIOUS, occurred_at=NOW - dt.timedelta(days=10)
        )
    deps = with_clock(fresh_deps, FixedClock(NOW))
    assert await refresh_all(deps) >= 1
    assert await db_statuses.count_queued(deps.pool) == 0
    code = merchant.credit_code
    assert code is not None

    reader = with_clock(fresh_deps, FixedClock(NOW + dt.timedelta(hours=1)))
    await reader.engine.current(reader.pool)
    with counting_queries() as counter:
        [stored] = await credit_status.statuses_by_credit_code(reader, [code], None)
        await asyncio.sleep(0)
    assert counter[0] == 1  # the stored status came with the resolve query: no fact load
    computer = with_clock(fresh_deps, FixedClock(NOW + dt.timedelta(hours=1)))
    await computer.pool.execute("DELETE FROM subject_statuses")
    [computed] = await credit_status.statuses_by_credit_code(computer, [code], None)
    assert isinstance(stored.status, StoredStatus)  # handed on as stored, not decoded
    assert stored.status.decoded() == computed.status
    assert isinstance(computed.status, CreditStatus)
    assert computed.status.tier.value == "D"


async def test_a_change_queues_the_subject_and_reads_never_use_the_stale_status(fresh_deps: Deps) -> None:
    platform = await factories.platform(fresh_deps)
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
    deps = with_clock(fresh_deps, FixedClock(NOW))
    await refresh_all(deps)
    code = merchant.credit_code
    assert code is not None
    async with transaction(fresh_deps.pool) as conn:
        await factories.record(
            conn, merchant.id, platform.code, severity=Severity.SERIOUS, occurred_at=NOW - dt.timedelta(days=1)
        )
    assert await db_statuses.count_queued(deps.pool) == 1
    [read] = await credit_status.statuses_by_credit_code(with_clock(fresh_deps, FixedClock(NOW)), [code], None)
    assert read.status is not None
    assert read.status.tier.value == "D"  # computed from the new facts, not the stored tier A
    assert await refresh_all(deps) == 1
    tier = await deps.pool.fetchval("SELECT tier FROM subject_statuses WHERE subject_id = $1", merchant.id)
    assert tier == "D"


async def test_queueing_a_refresh_reaches_the_subjects_one_relation_away_and_twice_is_once(fresh_deps: Deps) -> None:
    """What a service calls after changing facts: the subject and the anchors its agency signed
    are queued once however often it is called, and their stored statuses stop being served."""
    async with transaction(fresh_deps.pool) as conn:
        agency = await factories.subject(conn, SubjectKind.MCN_AGENCY)
        anchor = await factories.subject(conn, SubjectKind.ANCHOR)
        bystander = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.signing(conn, agency.id, anchor.id, valid_from=NOW - dt.timedelta(days=30))
    deps = with_clock(fresh_deps, FixedClock(NOW))
    await refresh_all(deps)
    assert await db_statuses.count_queued(deps.pool) == 0
    versions = "SELECT id, facts_version FROM subjects WHERE id = ANY($1::bigint[])"
    everyone = [agency.id, anchor.id, bystander.id]
    before = dict(await deps.pool.fetch(versions, everyone))
    async with transaction(fresh_deps.pool) as conn:
        await statuses.queue_refresh(conn, [agency.id])
        await statuses.queue_refresh(conn, [agency.id])
    after = dict(await deps.pool.fetch(versions, everyone))
    assert {s for s in everyone if after[s] != before[s]} == {agency.id, anchor.id}
    queued = await deps.pool.fetch("SELECT subject_id FROM status_refresh_queue ORDER BY subject_id")
    assert [row["subject_id"] for row in queued] == sorted([agency.id, anchor.id])
    current = await db_statuses.get_many_current(deps.pool, after, (await deps.engine.current(deps.pool)).version)
    assert set(current) == {bystander.id}  # the others' stored statuses are of older facts
    assert await refresh_all(deps) == 2


async def test_a_status_past_its_stable_until_is_refreshed(fresh_deps: Deps) -> None:
    platform = await factories.platform(fresh_deps)
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(conn, merchant.id, platform.code, occurred_at=NOW - dt.timedelta(days=10))
    clock = FixedClock(NOW)
    deps = with_clock(fresh_deps, clock)
    await refresh_all(deps)
    stable_until = await deps.pool.fetchval(
        "SELECT stable_until FROM subject_statuses WHERE subject_id = $1", merchant.id
    )
    assert stable_until is not None
    assert await statuses.refresh_due(deps) == 0
    clock.instant = stable_until + dt.timedelta(seconds=1)
    assert await statuses.refresh_due(deps) == 1
    moved = await deps.pool.fetchval("SELECT computed_for FROM subject_statuses WHERE subject_id = $1", merchant.id)
    assert moved == clock.instant


async def test_a_catalog_edit_makes_every_stored_status_due(fresh_deps: Deps) -> None:
    async with transaction(fresh_deps.pool) as conn:
        for _ in range(3):
            await factories.subject(conn, SubjectKind.MERCHANT)
    deps = with_clock(fresh_deps, FixedClock(NOW))
    stored = await refresh_all(deps)
    assert stored >= 3
    admin = await factories.admin(deps)
    await catalog.set_measure_active(deps, admin, "CAMPAIGN_EXCLUSION", False)
    assert await refresh_all(deps) == stored


async def test_the_background_refresher_empties_the_queue_and_stops_when_asked(fresh_deps: Deps) -> None:
    async with transaction(fresh_deps.pool) as conn:
        await factories.subject(conn, SubjectKind.ANCHOR)
    stop = asyncio.Event()
    task = asyncio.create_task(run_status_refresher(fresh_deps, stop))
    for _ in range(100):
        if await db_statuses.count_queued(fresh_deps.pool) == 0:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert await db_statuses.count_queued(fresh_deps.pool) == 0


async def test_a_status_missing_altogether_is_not_looked_for_each_round_but_when_the_refresher_starts(
    fresh_deps: Deps,
) -> None:
    """A round of the refresher costs what changed: it never scans every subject for one with no
    stored status (a bulk load with triggers off, a row deleted by hand). The refresher looks for
    those once, when it starts."""
    async with transaction(fresh_deps.pool) as conn:
        kept, lost = [await factories.subject(conn, SubjectKind.MERCHANT) for _ in range(2)]
    deps = with_clock(fresh_deps, FixedClock(NOW))
    await refresh_all(deps)
    await deps.pool.execute("DELETE FROM subject_statuses WHERE subject_id = $1", lost.id)
    assert await statuses.refresh_due(deps) == 0
    stop = asyncio.Event()
    task = asyncio.create_task(run_status_refresher(deps, stop))
    for _ in range(100):
        if await deps.pool.fetchval("SELECT count(*) FROM subject_statuses WHERE subject_id = $1", lost.id):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    stored = await deps.pool.fetch("SELECT subject_id FROM subject_statuses ORDER BY subject_id")
    assert [row["subject_id"] for row in stored] == sorted([kept.id, lost.id])
