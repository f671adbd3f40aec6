"""List entries."""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.lists import ListEntry, ListKind, NewEntry

SQL: Final = QUERIES["lists"]


async def insert(conn: Connection, entry: NewEntry, *, listed_by: str, listed_at: dt.datetime) -> int:
    entry_id: int = await conn.fetchval(
        SQL["insert"],
        entry.list.value,
        entry.subject_id,
        entry.authority,
        listed_by,
        listed_at,
        entry.reason,
        entry.legal_basis.text,
        entry.legal_basis.reference,
        entry.exit_condition,
        entry.valid_from,
        entry.valid_until,
    )
    if entry.record_ids:
        await conn.execute(SQL["insert_records"], entry_id, list(entry.record_ids))
    return entry_id


async def get_many(conn: Executor, ids: list[int]) -> dict[int, ListEntry]:
    return {row["id"]: rows.list_entry(row) for row in await conn.fetch(SQL["get_many"], ids)}


async def lock(conn: Connection, entry_id: int) -> bool:
    return await conn.fetchval(SQL["lock"], entry_id) is not None


async def remove(conn: Connection, entry_id: int, *, at: dt.datetime, by: str, reason: str) -> bool:
    """False when the entry was already removed."""
    return await conn.fetchval(SQL["remove"], entry_id, at, by, reason) is not None


async def list_page(
    conn: Executor,
    *,
    kind: ListKind | None,
    subject_id: int | None,
    in_force_at: dt.datetime | None,
    before_id: int | None,
    limit: int,
) -> list[ListEntry]:
    found = await conn.fetch(SQL["list_page"], kind.value if kind else None, subject_id, in_force_at, before_id, limit)
    return [rows.list_entry(row) for row in found]


async def count(
    conn: Executor, *, kind: ListKind | None, subject_id: int | None, in_force_at: dt.datetime | None
) -> int:
    total: int = await conn.fetchval(SQL["count"], kind.value if kind else None, subject_id, in_force_at)
    return total


async def remove_unsupported(conn: Connection, record_id: int, *, at: dt.datetime, by: str, reason: str) -> list[int]:
    """Entries resting on `record_id` that no longer rest on any record in force, now removed."""
    return [row["id"] for row in await conn.fetch(SQL["remove_unsupported"], record_id, at, by, reason)]
