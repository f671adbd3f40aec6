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
        while refreshed := await statuses.refresh_due(deps, limit=97):
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
