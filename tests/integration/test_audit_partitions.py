"""The audit trail partitioned by month: the migration keeps an existing database's rows, ids and
sequences; a row for a month without a partition is never refused and later moves to its month;
no partition lets a row be changed or removed; and a window of time reads only its months."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import asyncpg
import pytest

from credithub.db.migrate import MIGRATIONS_DIR, apply_migrations
from credithub.db.queries import QUERIES
from credithub.services import audit_archive
from credithub.services.ports import Deps
from tests.conftest import FixedClock

PARTITIONING = "0028_partition_audit_by_month.sql"
INSERT_READ = (
    "INSERT INTO audit_reads (at, client_id, client, role, platform, operation, subject_id, purpose)"
    " VALUES ($1, 7, 'Risk desk', 'platform', 'shopmall', 'creditStatus', $2, 'onboarding') RETURNING id"
)
INSERT_WRITE = (
    "INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)"
    " VALUES ($1, 'regulator:samr', 'list', 'list_entry', $2, NULL, NULL, '{\"state\": \"IN_FORCE\"}') RETURNING id"
)
INSTANTS = [dt.datetime(2024, month, 28, 23, 59, tzinfo=dt.UTC) for month in (1, 2, 3)] + [
    dt.datetime(2024, 4, 1, tzinfo=dt.UTC)  # the first instant of April belongs to April
]


PARTITION_OF = {
    "audit_reads": "SELECT tableoid::regclass::text FROM audit_reads WHERE id = $1",
    "audit_writes": "SELECT tableoid::regclass::text FROM audit_writes WHERE id = $1",
}


async def _partition_of(conn: asyncpg.Connection, table: str, row_id: int) -> str:
    return str(await conn.fetchval(PARTITION_OF[table], row_id))


def _at(deps: Deps, now: dt.datetime) -> Deps:
    return dataclasses.replace(deps, clock=FixedClock(now))


async def test_partitioning_an_existing_trail_keeps_every_row_its_id_and_the_sequence(
    empty_dsn: str, tmp_path: Path
) -> None:
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if path.name < PARTITIONING:
            shutil.copy(path, tmp_path)
    conn = await asyncpg.connect(empty_dsn)
    try:
        await apply_migrations(conn, tmp_path)
        reads = [await conn.fetchval(INSERT_READ, at, n) for n, at in enumerate(INSTANTS)]
        writes = [await conn.fetchval(INSERT_WRITE, at, str(n)) for n, at in enumerate(INSTANTS)]
        before = [tuple(row) for row in await conn.fetch("SELECT * FROM audit_reads ORDER BY id")]
        shutil.copy(MIGRATIONS_DIR / PARTITIONING, tmp_path)
        await apply_migrations(conn, tmp_path)

        assert [tuple(row) for row in await conn.fetch("SELECT * FROM audit_reads ORDER BY id")] == before
        assert [await _partition_of(conn, "audit_reads", row_id) for row_id in reads] == [
            "audit_reads_2024_01",
            "audit_reads_2024_02",
            "audit_reads_2024_03",
            "audit_reads_2024_04",
        ]
        assert await _partition_of(conn, "audit_writes", writes[-1]) == "audit_writes_2024_04"
        assert await conn.fetchval(INSERT_READ, INSTANTS[0], 99) == reads[-1] + 1
        assert await conn.fetchval(INSERT_WRITE, INSTANTS[0], "99") == writes[-1] + 1
    finally:
        await conn.close()


async def test_a_row_for_a_month_without_a_partition_is_kept_and_later_moves_to_its_month(fresh_deps: Deps) -> None:
    far = dt.datetime(2031, 5, 17, 8, 30, tzinfo=dt.UTC)
    async with fresh_deps.pool.acquire() as conn:
        row_id = await conn.fetchval(INSERT_READ, far, 1)
        assert await _partition_of(conn, "audit_reads", row_id) == "audit_reads_default"

        done = await audit_archive.ensure_partitions(_at(fresh_deps, dt.datetime(2031, 4, 30, tzinfo=dt.UTC)))

        assert (done["audit_reads"].created, done["audit_reads"].moved) == (3, 1)  # April, May, June
        assert await _partition_of(conn, "audit_reads", row_id) == "audit_reads_2031_05"
        assert await conn.fetchval("SELECT count(*) FROM audit_reads_default") == 0
        assert await conn.fetchval("SELECT at FROM audit_reads WHERE id = $1", row_id) == far
        again = await audit_archive.ensure_partitions(_at(fresh_deps, dt.datetime(2031, 4, 30, tzinfo=dt.UTC)))
        assert (again["audit_reads"].created, again["audit_reads"].moved) == (0, 0)


@pytest.mark.parametrize("table", ["audit_reads_default", "audit_reads_2031_05", "audit_writes_2031_05"])
@pytest.mark.parametrize("statement", ["UPDATE {} SET at = at", "DELETE FROM {}", "TRUNCATE {}"])
async def test_no_partition_lets_a_row_be_changed_or_removed(fresh_deps: Deps, table: str, statement: str) -> None:
    async with fresh_deps.pool.acquire() as conn:
        await conn.fetchval(INSERT_READ, dt.datetime(2031, 5, 1, tzinfo=dt.UTC), 1)
        await conn.fetchval(INSERT_WRITE, dt.datetime(2031, 5, 1, tzinfo=dt.UTC), "1")
        await audit_archive.ensure_partitions(_at(fresh_deps, dt.datetime(2031, 5, 1, tzinfo=dt.UTC)))
        await conn.fetchval(INSERT_READ, dt.datetime(2032, 1, 1, tzinfo=dt.UTC), 2)  # and DEFAULT holds a row
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement.format(table))


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("list_reads", "NULL, NULL, NULL, '2031-05-01+00', '2031-06-01+00', NULL, 20"),
        ("count_reads", "NULL, NULL, NULL, '2031-05-01+00', '2031-06-01+00'"),
        ("list_writes", "NULL, NULL, NULL, '2031-05-01+00', '2031-06-01+00', NULL, 20"),
        ("count_writes", "NULL, NULL, NULL, '2031-05-01+00', '2031-06-01+00'"),
    ],
)
async def test_the_audit_trail_of_a_window_reads_only_the_partitions_of_its_months(
    fresh_deps: Deps, name: str, arguments: str
) -> None:
    await audit_archive.ensure_partitions(_at(fresh_deps, dt.datetime(2031, 4, 1, tzinfo=dt.UTC)))
    async with fresh_deps.pool.acquire() as conn:
        # The plan the pool runs: generic (plan_cache_mode), so months are pruned when it starts.
        await conn.execute("PREPARE audit_window AS " + QUERIES["audit"][name])
        try:
            plan = "\n".join(row[0] for row in await conn.fetch(f"EXPLAIN EXECUTE audit_window({arguments})"))
        finally:
            await conn.execute("DEALLOCATE audit_window")
    assert "Subplans Removed" in plan
    assert set(re.findall(r"audit_(?:reads|writes)_(?:\d{4}_\d{2}|default)\b", plan)) == {
        "audit_reads_2031_05" if "reads" in name else "audit_writes_2031_05"
    }
