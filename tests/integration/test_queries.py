"""Every named query is valid SQL against the migrated schema, and the hot ones use their index."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest

from credithub.db.queries import QUERIES

NOT_PREPARABLE = {("server", "create_database")}  # CREATE DATABASE cannot run in the test's transaction
# Files whose queries read a connection's staging table, and the query that creates it (a batch
# runs it first).
STAGING = {"authority": "create_batch_table"}


@pytest.fixture
async def conn(fresh_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(fresh_dsn)
    yield connection
    await connection.close()


@pytest.mark.parametrize(
    ("file", "name"),
    [(file, name) for file, queries in QUERIES.items() for name in queries if (file, name) not in NOT_PREPARABLE],
)
async def test_every_named_query_prepares(conn: asyncpg.Connection, file: str, name: str) -> None:
    if file in STAGING:
        await conn.execute(QUERIES[file][STAGING[file]])
    await conn.prepare(QUERIES[file][name])


async def _plan(conn: asyncpg.Connection, query: str, *args: object) -> str:
    await conn.execute("ANALYZE")
    rows = await conn.fetch("EXPLAIN " + query, *args)
    return "\n".join(row[0] for row in rows)


async def test_record_pages_read_through_the_subject_index(demo_conn: asyncpg.Connection) -> None:
    ids = [row["id"] for row in await demo_conn.fetch("SELECT id FROM subjects ORDER BY id LIMIT 50")]
    plan = await _plan(
        demo_conn,
        QUERIES["records"]["list_page_for_subjects"],
        ids,
        21,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        False,
        False,
        None,
        None,
        ["GENERAL", "SERIOUS"],
        [12, 36],
        dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    assert "credit_records_subject_idx" in plan


async def test_accounts_of_subjects_read_through_the_subject_index(demo_conn: asyncpg.Connection) -> None:
    ids = [row["id"] for row in await demo_conn.fetch("SELECT id FROM subjects ORDER BY id LIMIT 50")]
    plan = await _plan(demo_conn, QUERIES["accounts"]["list_for_subjects"], ids)
    assert "accounts_subject_idx" in plan


async def test_signing_pages_read_through_the_agency_index(demo_conn: asyncpg.Connection) -> None:
    ids = [row["id"] for row in await demo_conn.fetch("SELECT id FROM subjects WHERE kind = 'MCN_AGENCY' LIMIT 20")]
    plan = await _plan(
        demo_conn, QUERIES["signings"]["list_page_for_agencies"], ids, 21, None, dt.datetime.now(dt.UTC), None
    )
    assert "mcn_signings_agency_idx" in plan


async def test_the_refreshers_rounds_walk_indexes_under_generic_plans(conn: asyncpg.Connection) -> None:
    """What the status refresher runs every second must cost what is due, not what is stored: under
    the pool's generic plans (no parameter values to estimate with) a condition the planner cannot
    match to one index became a scan of every stored status, ~0.9 s a round at 1M subjects."""
    await conn.execute(
        "INSERT INTO subjects (kind, name, credit_code) "
        "SELECT 'MERCHANT', 'S' || n, '91310115' || lpad(n::text, 10, '0') FROM generate_series(1, 5000) AS n"
    )
    await conn.execute(
        "INSERT INTO subject_statuses (subject_id, facts_version, config_version, computed_for, stable_until, tier,"
        " on_serious_dishonest_list, on_red_list, status)"
        " SELECT id, 1, 1, now(), now() + (id || ' days')::interval, 'A', false, false, '{}' FROM subjects"
    )
    await conn.execute("SET plan_cache_mode = force_generic_plan")
    now = dt.datetime.now(dt.UTC)
    async with conn.transaction():
        plans = [
            await _plan(conn, QUERIES["statuses"]["claim_queued"], 500),
            await _plan(conn, QUERIES["statuses"]["list_expired"], now, 1, 500),
            await _plan(conn, QUERIES["statuses"]["list_outdated"], 1, 500),
            await _plan(conn, QUERIES["statuses"]["claim_queued_after"], 500, now, 0),
        ]
    assert "status_refresh_queue_age_idx" in plans[0]
    assert "Index Cond: (ROW(queued_at, subject_id) > ROW(" in plans[3]  # a drain starts where it left off
    assert "subject_statuses_expiry_idx" in plans[1]
    assert "subject_statuses_config_idx" in plans[2]
    assert not any("Seq Scan on subject_statuses" in plan or "Sort" in plan for plan in plans)
