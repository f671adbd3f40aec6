"""The append-only audit trail (the database refuses UPDATE, DELETE and TRUNCATE on it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.audit import AuditRead, AuditWrite
from credithub.domain.clients import Client

SQL: Final = QUERIES["audit"]


# One audited read: when, by whom, through which operation, about which subject, the purpose stated.
ReadRow = tuple[dt.datetime, Client, str, int, str | None]


async def insert_reads(conn: Executor, reads: Sequence[ReadRow]) -> None:
    if reads:
        await conn.execute(
            SQL["insert_reads"],
            [at for at, _, _, _, _ in reads],
            [client.id for _, client, _, _, _ in reads],
            [client.name for _, client, _, _, _ in reads],
            [client.role.value for _, client, _, _, _ in reads],
            [client.platform for _, client, _, _, _ in reads],
            [operation for _, _, operation, _, _ in reads],
            [subject_id for _, _, _, subject_id, _ in reads],
            [purpose for _, _, _, _, purpose in reads],
        )


async def insert_write(
    conn: Executor,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    subject_id: int | None,
    before: Any,
    after: Any,
) -> None:
    await conn.execute(SQL["insert_write"], at, actor, action, entity, entity_id, subject_id, before, after)


# One audited write: actor, action, entity, entity id, subject id, before, after (as `codec` encodes them).
WriteRow = tuple[str, str, str, str, int | None, Any, Any]


async def insert_writes(conn: Executor, at: dt.datetime, writes: Sequence[WriteRow]) -> None:
    """Record many writes made at `at` in one statement."""
    if writes:
        columns = list(zip(*writes, strict=True))
        await conn.execute(SQL["insert_writes"], at, *(list(column) for column in columns))


async def list_reads(
    conn: Executor,
    *,
    client_id: int | None,
    subject_id: int | None,
    operation: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[AuditRead]:
    found = await conn.fetch(SQL["list_reads"], client_id, subject_id, operation, since, until, before_id, limit)
    return [
        AuditRead(
            row["id"],
            row["at"],
            row["client_id"],
            row["client"],
            row["role"],
            row["platform"],
            row["operation"],
            row["subject_id"],
            row["purpose"],
        )
        for row in found
    ]


async def count_reads(
    conn: Executor,
    *,
    client_id: int | None,
    subject_id: int | None,
    operation: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> int:
    total: int = await conn.fetchval(SQL["count_reads"], client_id, subject_id, operation, since, until)
    return total


async def list_writes(
    conn: Executor,
    *,
    actor: str | None,
    entity: str | None,
    subject_id: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[AuditWrite]:
    found = await conn.fetch(SQL["list_writes"], actor, entity, subject_id, since, until, before_id, limit)
    return [
        AuditWrite(
            row["id"],
            row["at"],
            row["actor"],
            row["action"],
            row["entity"],
            row["entity_id"],
            row["subject_id"],
            row["before"],
            row["after"],
        )
        for row in found
    ]


async def count_writes(
    conn: Executor,
    *,
    actor: str | None,
    entity: str | None,
    subject_id: int | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> int:
    total: int = await conn.fetchval(SQL["count_writes"], actor, entity, subject_id, since, until)
    return total
