"""The audit trail by month: partitions created ahead, and months past retention archived to files
and dropped.

Rows are never updated or deleted: a month leaves the database as a whole, by DDL (DETACH and DROP
of its partition), once its rows are in a file that was read back and checked against the
database's count, and the archive itself is recorded in audit_writes in the same transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from credithub import archives
from credithub.db import audit_partitions as db_partitions
from credithub.db.pool import Connection, transaction
from credithub.domain import audit_retention
from credithub.domain.errors import Unavailable
from credithub.services import audit

if TYPE_CHECKING:
    from credithub.services.ports import Deps

# Every read inserts an audit row, and inserts queue behind a DDL lock that is waiting: never wait
# long for one. A busy month is tried again a few times, then left for the next run.
LOCK_TIMEOUT: Final = "2s"
DROP_ATTEMPTS: Final = 5
DROP_RETRY_SECONDS: Final = 1.0
ACTION: Final = "archive"
ENTITY: Final = "audit_partition"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArchivedMonth:
    table: str
    month: dt.date
    rows: int
    file: Path
    sha256: str
    manifest: Path


async def ensure_partitions(deps: Deps) -> dict[str, db_partitions.Ensured]:
    """Create the partitions of this month and the next ones if missing, and move rows that reached
    a DEFAULT partition (no partition for their month yet) into their months. Run by `serve` at
    start and hourly, and by `audit archive` before it looks for months."""
    first = audit_retention.month_of(deps.clock.now())
    done = {}
    for table in audit_retention.AUDIT_TABLES:
        async with transaction(deps.pool) as conn:
            await db_partitions.limit_waits(conn, LOCK_TIMEOUT)
            done[table] = await db_partitions.ensure(conn, table, first, audit_retention.MONTHS_AHEAD)
        if done[table].created or done[table].moved:
            logger.info(
                "%s: %d partitions created, %d rows moved out of DEFAULT", table, done[table].created, done[table].moved
            )
    return done


async def archive_before(
    deps: Deps,
    before: dt.date,
    directory: Path,
    *,
    actor: str,
    on_month: Callable[[str, dt.date, ArchivedMonth | None], None] = lambda *_: None,
) -> list[ArchivedMonth]:
    """Archive every month partition of the audit tables that ends by `before`, oldest first: its
    rows to a file in `directory`, checked, then the partition dropped and the archive recorded.
    Refused (InvalidValue) if `before` would reach into the retention period. A month already
    archived has no partition any more, so a second run finds nothing to do. `on_month` hears of
    each month as it starts (None) and once archived."""
    audit_retention.check_may_archive_before(before, deps.clock.now(), deps.settings.audit_retention_months)
    await ensure_partitions(deps)
    archives.prepare(directory)
    archived = []
    for table in audit_retention.AUDIT_TABLES:
        for month, partition in await _partitions_before(deps, table, before):
            on_month(table, month, None)
            archived.append(await _archive_month(deps, table, month, partition, directory, actor))
            on_month(table, month, archived[-1])
    return archived


async def _partitions_before(deps: Deps, table: str, before: dt.date) -> list[tuple[dt.date, str]]:
    """The month partitions of `table` before `before`, oldest first (DEFAULT is no month's)."""
    named = [
        (audit_retention.partition_month(table, name), name)
        for name in await db_partitions.list_partitions(deps.pool, table)
    ]
    return sorted((month, name) for month, name in named if month is not None and month < before)


async def _archive_month(
    deps: Deps, table: str, month: dt.date, partition: str, directory: Path, actor: str
) -> ArchivedMonth:
    stem = archives.free_stem(directory, (audit_retention.archive_stem(table, month, n) for n in range(1, 1000)))
    file = directory / f"{stem}{archives.CSV_SUFFIX}"
    manifest = directory / f"{stem}{archives.MANIFEST_SUFFIX}"
    try:
        async with transaction(deps.pool) as conn:
            await db_partitions.limit_waits(conn, LOCK_TIMEOUT)
            await db_partitions.freeze(conn, table, month)
            rows = await db_partitions.count_rows(conn, table, month)
            written = await archives.write(file, lambda sink: db_partitions.export_csv(conn, partition, sink))
            archives.verify(written, rows)
            archived = ArchivedMonth(table, month, rows, file, written.sha256, manifest)
            archives.publish(written, _manifest(archived, written.columns, actor, deps.clock.now()))
            await _drop(conn, table, month)
            await _record(conn, archived, actor, deps.clock.now())
    except BaseException:
        archives.remove(file, manifest)  # the month is still in the database: no file claims otherwise
        raise
    return archived


async def _drop(conn: Connection, table: str, month: dt.date) -> None:
    for attempt in range(1, DROP_ATTEMPTS + 1):
        try:
            async with conn.transaction():  # a savepoint: a lock timeout undoes only this attempt
                await db_partitions.drop(conn, table, month)
            return
        except Unavailable:
            if attempt == DROP_ATTEMPTS:
                raise
            logger.warning("%s %s: table busy, trying again", table, audit_retention.format_month(month))
            await asyncio.sleep(DROP_RETRY_SECONDS)


async def _record(conn: Connection, archived: ArchivedMonth, actor: str, at: dt.datetime) -> None:
    await audit.write(
        conn,
        at=at,
        actor=actor,
        action=ACTION,
        entity=ENTITY,
        entity_id=f"{archived.table}/{audit_retention.format_month(archived.month)}",
        subject_id=None,
        before=None,
        after={
            "table": archived.table,
            "month": audit_retention.format_month(archived.month),
            "rows": archived.rows,
            "file": archived.file.name,
            "sha256": archived.sha256,
        },
    )


def _manifest(archived: ArchivedMonth, columns: tuple[str, ...], actor: str, at: dt.datetime) -> dict[str, object]:
    start = dt.datetime.combine(archived.month, dt.time(), dt.UTC)
    end = dt.datetime.combine(audit_retention.add_months(archived.month, 1), dt.time(), dt.UTC)
    return {
        "table": archived.table,
        "month": audit_retention.format_month(archived.month),
        "from": start.isoformat(),
        "until": end.isoformat(),
        "file": archived.file.name,
        "format": "csv with a header line (PostgreSQL COPY), gzip",
        "columns": list(columns),
        "rows": archived.rows,
        "sha256": archived.sha256,
        "archived_at": at.isoformat(),
        "archived_by": actor,
    }
