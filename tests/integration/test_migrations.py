from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from credithub.db.migrate import (
    MIGRATIONS_DIR,
    BadMigrationFile,
    ChecksumMismatch,
    UnknownMigration,
    apply_migrations,
    read_migrations,
)


async def test_migrations_apply_to_an_empty_database_once(empty_dsn: str) -> None:
    conn = await asyncpg.connect(empty_dsn)
    try:
        applied = await apply_migrations(conn)
        assert [m.version for m in applied] == [m.version for m in read_migrations()]
        assert await apply_migrations(conn) == []
        tables = {
            row["tablename"] for row in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        assert {"subjects", "accounts", "credit_records", "record_status_changes", "clients"} <= tables
    finally:
        await conn.close()


def _copy_migrations(target: Path) -> None:
    for path in MIGRATIONS_DIR.glob("*.sql"):
        (target / path.name).write_text(path.read_text())


async def test_an_applied_migration_that_was_edited_is_refused(empty_dsn: str, tmp_path: Path) -> None:
    _copy_migrations(tmp_path)
    conn = await asyncpg.connect(empty_dsn)
    try:
        await apply_migrations(conn, tmp_path)
        first = sorted(tmp_path.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- an innocent-looking edit\n")
        with pytest.raises(ChecksumMismatch, match=first.name):
            await apply_migrations(conn, tmp_path)
    finally:
        await conn.close()


async def test_a_database_ahead_of_the_code_is_refused(empty_dsn: str, tmp_path: Path) -> None:
    _copy_migrations(tmp_path)
    conn = await asyncpg.connect(empty_dsn)
    try:
        await apply_migrations(conn, tmp_path)
        sorted(tmp_path.glob("*.sql"))[-1].unlink()
        with pytest.raises(UnknownMigration):
            await apply_migrations(conn, tmp_path)
    finally:
        await conn.close()


async def test_a_failing_migration_leaves_nothing_behind(empty_dsn: str, tmp_path: Path) -> None:
    (tmp_path / "0001_create_things.sql").write_text("CREATE TABLE things (id int);")
    (tmp_path / "0002_break.sql").write_text("CREATE TABLE half (id int); SELECT no_such_function();")
    conn = await asyncpg.connect(empty_dsn)
    try:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await apply_migrations(conn, tmp_path)
        assert await conn.fetchval("SELECT to_regclass('half')") is None
        assert await conn.fetchval("SELECT array_agg(version) FROM schema_migrations") == [1]
    finally:
        await conn.close()


def test_badly_named_migration_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "1_create_things.sql").write_text("SELECT 1;")
    with pytest.raises(BadMigrationFile):
        read_migrations(tmp_path)


async def test_two_processes_migrating_at_once_apply_each_migration_once(empty_dsn: str) -> None:
    conns = [await asyncpg.connect(empty_dsn) for _ in range(3)]
    try:
        results = await asyncio.gather(*(apply_migrations(conn) for conn in conns))
        assert sorted(len(applied) for applied in results) == [0, 0, len(read_migrations())]
        assert await conns[0].fetchval("SELECT count(*) FROM schema_migrations") == len(read_migrations())
    finally:
        for conn in conns:
            await conn.close()
