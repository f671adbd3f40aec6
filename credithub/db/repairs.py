"""Credit repair applications."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.repairs import RepairApplication, RepairStatus

SQL: Final = QUERIES["repairs"]
ONE_PENDING_PER_RECORD: Final = "repair_applications_one_pending_per_record"


def _application(row: Any) -> RepairApplication:
    return RepairApplication(
        id=row["id"],
        record_id=row["record_id"],
        subject_id=row["subject_id"],
        applied_by=row["applied_by"],
        applied_by_platform=row["applied_by_platform"],
        evidence=row["evidence"],
        commitment=row["commitment"],
        applied_at=row["applied_at"],
        status=RepairStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_note=row["decision_note"],
    )


async def insert(
    conn: Connection,
    record_id: int,
    applied_by: str,
    platform: str | None,
    evidence: str,
    commitment: str,
    applied_at: dt.datetime,
) -> RepairApplication:
    try:
        row = await conn.fetchrow(SQL["insert"], record_id, applied_by, platform, evidence, commitment, applied_at)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == ONE_PENDING_PER_RECORD:
            raise AlreadyExists("a repair application for this record is pending already") from exc
        raise
    return _application(rows.required(row))


async def get_record_id(conn: Connection, application_id: int) -> int | None:
    record_id: int | None = await conn.fetchval(SQL["get_record_id"], application_id)
    return record_id


async def get_for_update(conn: Connection, application_id: int) -> RepairApplication | None:
    row = await conn.fetchrow(SQL["get_for_update"], application_id)
    return _application(row) if row is not None else None


async def decide(
    conn: Connection, application_id: int, status: RepairStatus, by: str, at: dt.datetime, note: str
) -> RepairApplication:
    row = await conn.fetchrow(SQL["decide"], application_id, status.value, by, at, note)
    return _application(rows.required(row))


async def reject_pending_of_record(
    conn: Connection, record_id: int, by: str, at: dt.datetime, note: str
) -> RepairApplication | None:
    row = await conn.fetchrow(SQL["reject_pending_of_record"], record_id, by, at, note)
    return _application(row) if row is not None else None


async def list_page(
    conn: Executor,
    *,
    status: str | None,
    subject_id: int | None,
    record_id: int | None,
    involving_platform: str | None,
    before_id: int | None,
    limit: int,
) -> list[RepairApplication]:
    found = await conn.fetch(SQL["list_page"], status, subject_id, record_id, before_id, limit, involving_platform)
    return [_application(row) for row in found]


async def count(
    conn: Executor, *, status: str | None, subject_id: int | None, record_id: int | None, involving_platform: str | None
) -> int:
    total: int = await conn.fetchval(SQL["count"], status, subject_id, record_id, involving_platform)
    return total
