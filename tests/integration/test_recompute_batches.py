"""Recomputing in batches (what `recompute-statuses` and the refresher do) stores exactly what
recomputing each subject alone stores, byte for byte, on a generated world."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from credithub.cache import create_cache
from credithub.db.pool import transaction
from credithub.db.world import insert_world
from credithub.demo.world import generate_world
from credithub.services import clients, statuses
from credithub.services.engine_config import ConfigHolder
from credithub.services.ports import Deps
from tests.conftest import TEST_PERSON_KEY, FixedClock

WORLD_AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NOW = WORLD_AT + dt.timedelta(days=3, hours=5)

STORED = """
SELECT subject_id, facts_version, config_version, computed_for, stable_until, tier, on_serious_dishonest_list,
       on_red_list, status::text
FROM subject_statuses ORDER BY subject_id
"""


async def _world(deps: Deps) -> list[int]:
    for code in ("shopmall", "bazaar", "livewave"):
        await clients.add_platform(deps, code, code.title())
    world = generate_world(subjects=600, records_per_subject=2.0, now=WORLD_AT, person_key=TEST_PERSON_KEY)
    async with transaction(deps.pool) as conn:
        await insert_world(conn, world)
    return [row["id"] for row in await deps.pool.fetch("SELECT id FROM subjects ORDER BY id")]


async def _in_batches(deps: Deps) -> int:
    """Two lanes of batches side by side, as `recompute-statuses` runs them in each process."""
    totals = [0, 0]

    async def lane(number: int) -> None:
        drain = statuses.Drain()
        while refreshed := await statuses.refresh_due(deps, limit=97, drain=drain):
            totals[number] += refreshed

    await asyncio.gather(lane(0), lane(1))
    return sum(totals)


async def test_statuses_stored_in_batches_are_byte_identical_to_those_stored_one_by_one(fresh_deps: Deps) -> None:
    deps = dataclasses.replace(fresh_deps, clock=FixedClock(NOW), cache=create_cache(None), engine=ConfigHolder())
    subject_ids = await _world(deps)
    assert await _in_batches(deps) == len(subject_ids)
    batched = [tuple(row) for row in await deps.pool.fetch(STORED)]

    await deps.pool.execute("TRUNCATE subject_statuses, flag_changes")
    for subject_id in subject_ids:
        assert await statuses.refresh_subjects(deps, [subject_id]) == 1
    alone = [tuple(row) for row in await deps.pool.fetch(STORED)]

    assert len(batched) == len(subject_ids)
    assert batched == alone
    flagged = sum('"flags": []' not in row[-1] for row in batched)
    assert flagged > 30  # the world gives the comparison something to compare: flags of every kind
    assert {row[5] for row in batched} >= {"A", "B", "C", "D"}


async def test_a_drain_goes_on_after_its_last_claim_and_still_finds_subjects_queued_behind_it(
    fresh_deps: Deps,
) -> None:
    deps = dataclasses.replace(fresh_deps, clock=FixedClock(NOW), cache=create_cache(None), engine=ConfigHolder())
    first, second, late = (await _world(deps))[:3]
    await deps.pool.execute("TRUNCATE status_refresh_queue")
    await deps.pool.execute(
        "INSERT INTO status_refresh_queue (subject_id, queued_at) VALUES ($1, now()), ($2, now() + interval '1 s')",
        first,
        second,
    )
    drain = statuses.Drain()
    assert await statuses.refresh_due(deps, limit=1, drain=drain) == 1
    assert drain.after is not None
    assert drain.after[1] == first
    # queued behind the drain's position (a transaction that began before and committed after)
    await deps.pool.execute("INSERT INTO status_refresh_queue (subject_id, queued_at) VALUES ($1, '2000-01-01')", late)
    assert await statuses.refresh_due(deps, limit=1, drain=drain) == 1
    assert drain.after[1] == second  # after its position, not the head
    assert await statuses.refresh_due(deps, limit=1, drain=drain) == 1  # nothing after: back to the head
    stored = {row[0] for row in await deps.pool.fetch("SELECT subject_id FROM subject_statuses")}
    assert {first, second, late} <= stored
    assert await deps.pool.fetchval("SELECT count(*) FROM status_refresh_queue") == 0
