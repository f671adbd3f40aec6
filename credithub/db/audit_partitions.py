"""The audit trail's month partitions: created ahead, exported, detached and dropped (DDL, never a
DELETE: the database still refuses UPDATE, DELETE and TRUNCATE on audit rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Final

import asyncpg

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import Unavailable

SQL: Final = QUERIES["audit_partitions"]
# A month's export or count may take hours on a busy hub; asyncpg would otherwise give up after the
# pool's command timeout.
LONG_SECONDS: Final = 24 * 3600.0


def _busy(table: str) -> Unavailable:
    """Another session held the table past the lock timeout. Nothing changed; the hub does not wait
    longer because every insert of an audit row queues behind a waiting DDL lock."""
    return Unavailable(f"{table} is busy: its partitions could not be changed now; try again")


@dataclass(frozen=True, slots=True)
class Ensured:
    created: int  # partitions created
    moved: int  # rows moved out of the DEFAULT partition into their months


async def ensure(conn: Executor, table: str, first_month: dt.date, months: int) -> Ensured:
    try:
        row = await conn.fetchrow(SQL["ensure"], table, first_month, months)
    except asyncpg.LockNotAvailableError as exc:
        raise _busy(table) from exc
    assert row is not None
    return Ensured(row["created"], row["moved"])


async def list_partitions(conn: Executor, table: str) -> list[str]:
    return [row["partition"] for row in await conn.fetch(SQL["list_partitions"], table)]


async def limit_waits(conn: Connection, lock_timeout: str) -> None:
    await conn.execute(SQL["limit_waits"], lock_timeout)


async def freeze(conn: Connection, table: str, month: dt.date) -> None:
    try:
        await conn.execute(SQL["freeze"], table, month)
    except asyncpg.LockNotAvailableError as exc:
        raise _busy(table) from exc


async def count_rows(conn: Connection, table: str, month: dt.date) -> int:
    counted: int = await conn.fetchval(SQL["count_rows"], table, month, timeout=LONG_SECONDS)
    return counted


async def export_csv(conn: Connection, partition: str, sink: Callable[[bytes], Coroutine[Any, Any, None]]) -> int:
    """Stream a partition as CSV with a header line (PostgreSQL's own COPY format, so COPY FROM
    reads it back as it was); returns the rows the server sent."""
    status = await conn.copy_from_table(partition, output=sink, format="csv", header=True, timeout=LONG_SECONDS)
    return int(status.split()[-1])


async def drop(conn: Connection, table: str, month: dt.date) -> None:
    try:
        await conn.execute(SQL["drop"], table, month)
    # A deadlock: an insert into the frozen month (a restore) holds the parent while it waits for us.
    except (asyncpg.LockNotAvailableError, asyncpg.DeadlockDetectedError) as exc:
        raise _busy(table) from exc
