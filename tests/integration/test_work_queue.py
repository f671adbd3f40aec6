"""The work queue the inbox and the outbox share: a lease that runs out passes the row to the next
claimer, and the first worker's late answer changes nothing (its work rolls back)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import asyncpg
import pytest

from credithub.db import inbox as db_inbox
from credithub.db import outbox as db_outbox
from credithub.db import work_queue
from credithub.db.pool import create_pool, transaction
from credithub.domain import events
from credithub.domain.subjects import SubjectKind
from credithub.services import inbox, outbox
from credithub.services.ports import Deps
from tests import factories
from tests.conftest import TEST_PERSON_KEY, FixedClock, make_deps, make_settings

START = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
async def workers(fresh_dsn: str, data_dir: Path) -> AsyncIterator[tuple[Deps, Deps]]:
    """Two workers on one database: the first, and one whose clock is a lease later."""
    pool = await create_pool(fresh_dsn, min_size=1, max_size=6)
    settings = make_settings(fresh_dsn, data_dir)
    first = make_deps(pool, settings, FixedClock(START))
    later = make_deps(pool, settings, FixedClock(START + inbox.LEASE))
    yield first, later
    for deps in (first, later):
        await deps.http.aclose()
    await pool.close()


async def _queue_event(deps: Deps, platform: str) -> int:
    await db_inbox.insert(deps.pool, platform, f"evt-{factories.suffix()}", "violation.reported", {}, START)
    return int(await deps.pool.fetchval("SELECT max(id) FROM inbox_events"))


async def _queue_message(deps: Deps, platform: str) -> int:
    async with transaction(deps.pool) as conn:
        subject = await factories.subject(conn, SubjectKind.MERCHANT)
        await db_outbox.insert_many(conn, [(platform, subject.id, {})], "credit.status_changed", START)
    return int(await deps.pool.fetchval("SELECT max(id) FROM outbox"))


QUEUES: dict[str, tuple[work_queue.WorkQueue, dt.timedelta, Callable[[Deps, str], Awaitable[int]], str, str]] = {
    "inbox": (db_inbox.QUEUE, inbox.LEASE, _queue_event, "SELECT status FROM inbox_events WHERE id = $1", "DONE"),
    "outbox": (db_outbox.QUEUE, outbox.LEASE, _queue_message, "SELECT status FROM outbox WHERE id = $1", "DELIVERED"),
}


@pytest.mark.parametrize("name", sorted(QUEUES))
async def test_a_claim_whose_lease_ran_out_passes_to_the_next_claimer_and_its_answers_are_refused(
    workers: tuple[Deps, Deps], name: str
) -> None:
    deps, _ = workers
    queue, lease, put, status, done = QUEUES[name]
    platform = (await factories.platform(deps)).code
    item = await put(deps, platform)
    first, second = uuid.uuid4(), uuid.uuid4()

    [claimed] = await work_queue.claim(deps.pool, queue, START, 10, lease, first)
    assert (claimed["id"], claimed["attempts"]) == (item, 1)
    assert await work_queue.claim(deps.pool, queue, START + lease / 2, 10, lease, second) == []  # still leased
    [taken] = await work_queue.claim(deps.pool, queue, START + lease, 10, lease, second)
    assert (taken["id"], taken["attempts"]) == (item, 2)

    later = START + lease * 2
    assert not await work_queue.complete(deps.pool, queue, item, first, later)
    assert not await work_queue.fail(deps.pool, queue, item, first, "late", later)
    assert not await work_queue.park(deps.pool, queue, item, first, "late", later)
    assert await work_queue.complete(deps.pool, queue, item, second, later)
    assert await deps.pool.fetchval(status, item) == done
    assert not await work_queue.complete(deps.pool, queue, item, second, later)  # done once


async def _until(check: Callable[[], Awaitable[bool]]) -> None:
    async with asyncio.timeout(10):
        while not await check():
            await asyncio.sleep(0.02)


async def test_an_event_whose_worker_stalled_past_its_lease_is_applied_once_by_the_worker_that_took_it_over(
    workers: tuple[Deps, Deps], fresh_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    deps, takeover_deps = workers
    platform = (await factories.platform(deps)).code
    violation_id = f"V-{factories.suffix()}"
    body = {
        "type": "violation.reported",
        "timestamp": START.isoformat(),
        "data": {
            "violation_id": violation_id,
            "subject": {
                "kind": "MERCHANT",
                "account_id": "shop-1",
                "name": "锦绣服饰有限公司",
                "credit_code": factories.credit_code(),
            },
            "category": "COUNTERFEIT_GOODS",
            "severity": "GENERAL",
            "occurred_at": (START - dt.timedelta(days=2)).isoformat(),
            "description": "售假：仿冒注册商标的运动鞋",
            "legal_basis": "《中华人民共和国电子商务法》第十三条",
        },
    }
    event = events.parse_event(body, person_key=TEST_PERSON_KEY, now=START)
    await inbox.accept(deps, platform, "msg-stalled", event)

    # The first worker stalls while applying the event: it waits for a lock the test holds.
    holder = await asyncpg.connect(fresh_dsn)
    stall = holder.transaction()
    await stall.start()
    await holder.execute("LOCK TABLE credit_records IN SHARE ROW EXCLUSIVE MODE")
    waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'credit_records'::regclass"
    with caplog.at_level(logging.WARNING, logger="credithub.services.inbox"):
        stalled = asyncio.create_task(inbox.process_due(deps))
        await _until(lambda: _counts(deps, waiting, 1))
        # A lease later the next worker takes the event over.
        takeover = asyncio.create_task(inbox.process_due(takeover_deps))
        await _until(lambda: _counts(deps, "SELECT max(attempts) FROM inbox_events", 2))
        await stall.rollback()
        await holder.close()
        assert await asyncio.gather(stalled, takeover) == [1, 1]

    # The worker that took over applied it and marked it done; the stalled one's work rolled back.
    kept = await db_inbox.get_by_key(deps.pool, platform, "msg-stalled")
    assert kept is not None
    assert (kept.status, kept.attempts, kept.last_error, kept.processed_at) == ("DONE", 2, None, START + inbox.LEASE)
    records = await deps.pool.fetch("SELECT reported_at FROM credit_records WHERE source_ref = $1", violation_id)
    assert [row["reported_at"] for row in records] == [START + inbox.LEASE]
    assert "lease lost to another worker" in caplog.text


async def _counts(deps: Deps, query: str, expected: int) -> bool:
    return bool(await deps.pool.fetchval(query) == expected)
