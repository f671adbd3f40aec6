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
