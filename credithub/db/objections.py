"""Objections."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.objections import Objection, ObjectionStatus, Outcome

SQL: Final = QUERIES["objections"]
ONE_OPEN_PER_RECORD: Final = "objections_one_open_per_record"


def _objection(row: Any) -> Objection:
    return Objection(
        id=row["id"],
        record_id=row["record_id"],
        subject_id=row["subject_id"],
        filed_by=row["filed_by"],
        filed_by_platform=row["filed_by_platform"],
        reason=row["reason"],
        filed_at=row["filed_at"],
        due_at=row["due_at"],
        status=ObjectionStatus(row["status"]),
        resolved_by=row["resolved_by"],
        resolved_at=row["resolved_at"],
        resolution_note=row["resolution_note"],
        suspends=row["suspends"],
        outcome=Outcome(row["outcome"]) if row["outcome"] is not None else None,
    )


async def insert(
    conn: Connection,
    record_id: int,
    filed_by: str,
    platform: str | None,
    reason: str,
    filed_at: dt.datetime,
    due_at: dt.datetime,
    *,
    suspends: bool,
) -> Objection:
    try:
        row = await conn.fetchrow(SQL["insert"], record_id, filed_by, platform, reason, filed_at, due_at, suspends)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == ONE_OPEN_PER_RECORD:
            raise AlreadyExists("an objection against this record is open already") from exc
        raise
    return _objection(rows.required(row))


async def get_record_id(conn: Connection, objection_id: int) -> int | None:
    record_id: int | None = await conn.fetchval(SQL["get_record_id"], objection_id)
    return record_id


async def get_for_update(conn: Connection, objection_id: int) -> Objection | None:
    row = await conn.fetchrow(SQL["get_for_update"], objection_id)
    return _objection(row) if row is not None else None


async def resolve(
    conn: Connection,
    objection_id: int,
    status: ObjectionStatus,
    by: str,
    at: dt.datetime,
    note: str,
    outcome: Outcome | None,
) -> Objection:
    row = await conn.fetchrow(
        SQL["resolve"], objection_id, status.value, by, at, note, outcome.value if outcome is not None else None
    )
    return _objection(rows.required(row))


async def list_of_record(conn: Executor, record_id: int) -> list[Objection]:
    return [_objection(row) for row in await conn.fetch(SQL["list_of_record"], record_id)]


async def resolve_open_of_record(
    conn: Connection, record_id: int, status: ObjectionStatus, by: str, at: dt.datetime, note: str
) -> Objection | None:
    row = await conn.fetchrow(SQL["resolve_open_of_record"], record_id, status.value, by, at, note)
    return _objection(row) if row is not None else None


async def list_page(
    conn: Executor,
    *,
    status: str | None,
    subject_id: int | None,
    record_id: int | None,
    overdue_at: dt.datetime | None,
    involving_platform: str | None,
    before_id: int | None,
    limit: int,
) -> list[Objection]:
    found = await conn.fetch(
        SQL["list_page"], status, subject_id, record_id, overdue_at, before_id, limit, involving_platform
    )
    return [_objection(row) for row in found]


async def count(
    conn: Executor,
    *,
    status: str | None,
    subject_id: int | None,
    record_id: int | None,
    overdue_at: dt.datetime | None,
    involving_platform: str | None,
) -> int:
    total: int = await conn.fetchval(SQL["count"], status, subject_id, record_id, overdue_at, involving_platform)
    return total
