"""The credit-status path on real PostgreSQL: round trips, fact versions, and a cache shared by instances."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import socket

import pytest

from credithub.cache import close_cache, create_cache
from credithub.db.pool import counting_queries, transaction
from credithub.domain import records
from credithub.domain.subjects import SubjectKind
from credithub.services import credit_status
from credithub.services.engine_config import ConfigHolder
from credithub.services.ports import Deps
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/0"


async def _count(coroutine) -> tuple[object, int]:  # type: ignore[no-untyped-def]
    with counting_queries() as counter:
        result = await coroutine
        await asyncio.sleep(0)  # asyncpg reports statements to its loggers on the next loop turn
    return result, counter[0]


async def test_a_batch_of_1000_costs_the_same_round_trips_as_a_batch_of_10(demo_deps: Deps) -> None:
    codes = [
        row["credit_code"]
        for row in await demo_deps.pool.fetch(
            "SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL ORDER BY id LIMIT 1000"
        )
    ]
    await credit_status.statuses_by_credit_code(demo_deps, codes[:5], None)  # load the catalog once
    _, small_queries = await _count(credit_status.statuses_by_credit_code(demo_deps, codes[5:15], None))
    large, large_queries = await _count(credit_status.statuses_by_credit_code(demo_deps, codes[15:], None))
    assert len(large) == 985  # type: ignore[arg-type]
    assert large_queries == small_queries == 2  # resolve codes and versions; load the facts of the misses
    _, cached_queries = await _count(credit_status.statuses_by_credit_code(demo_deps, codes[15:], None))
    assert cached_queries == 1  # every status comes from the cache: only the versions are read


async def test_a_change_to_a_record_is_seen_at_once_by_a_cached_status(deps: Deps) -> None:
    platform = await factories.platform(deps)
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        record = await factories.record(
            conn,
            merchant.id,
            platform.code,
            severity=records.Severity.SERIOUS,
            occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        )
    assert merchant.credit_code is not None
    [before] = await credit_status.statuses_by_credit_code(deps, [merchant.credit_code], None)
    assert before.status is not None
    assert before.status.tier.value == "D"
    async with transaction(deps.pool) as conn:
        await factories.withdraw(conn, record.id)
    [after] = await credit_status.statuses_by_credit_code(deps, [merchant.credit_code], None)
    assert after.status is not None
    assert after.status.tier.value == "B"  # no longer D; a subject known for days has not earned A


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")
async def test_two_instances_share_statuses_through_redis_and_never_serve_a_stale_one(deps: Deps) -> None:
    first_cache, second_cache = create_cache(REDIS_URL), create_cache(REDIS_URL)
    first = dataclasses.replace(deps, cache=first_cache, engine=ConfigHolder())
    second = dataclasses.replace(deps, cache=second_cache, engine=ConfigHolder())
    try:
        platform = await factories.platform(deps)
        async with transaction(deps.pool) as conn:
            merchant = await factories.subject(conn, SubjectKind.MERCHANT)
            await factories.record(
                conn, merchant.id, platform.code, occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
            )
        code = merchant.credit_code
        assert code is not None
        await credit_status.statuses_by_credit_code(second, [code], None)  # warm the second instance's catalog
        [computed] = await credit_status.statuses_by_credit_code(first, [code], None)
        [shared], queries = await _count(credit_status.statuses_by_credit_code(second, [code], None))  # type: ignore[misc]
        assert queries == 1  # no fact load: the first instance's result came from Redis
        assert shared.status == dataclasses.replace(computed.status, as_of=shared.status.as_of)  # type: ignore[union-attr]
        async with transaction(deps.pool) as conn:
            await factories.record(
                conn,
                merchant.id,
                platform.code,
                severity=records.Severity.SERIOUS,
                occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
            )
        [changed] = await credit_status.statuses_by_credit_code(second, [code], None)
        assert changed.status is not None
        assert changed.status.tier.value == "D"
    finally:
        await close_cache(first_cache)
        await close_cache(second_cache)
