"""Notices to subjects."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.notices import Delivery, NewNotice, Notice, NoticeKind, NoticeRefs

SQL: Final = QUERIES["notices"]


def _notice(row: asyncpg.Record) -> Notice:
    return Notice(
        id=row["id"],
        subject_id=row["subject_id"],
        kind=NoticeKind(row["kind"]),
        title=row["title"],
        body=row["body"],
        refs=NoticeRefs(row["record_id"], row["list_entry_id"], row["objection_id"], row["repair_id"]),
        repairable_from=row["repairable_from"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        delivery=Delivery(row["delivery"]),
        delivered_at=row["delivered_at"],
        acknowledged_at=row["acknowledged_at"],
    )


async def insert(conn: Connection, notice: NewNotice, at: dt.datetime, by: str, delivery: Delivery) -> Notice:
    refs = notice.refs
    row = await conn.fetchrow(
        SQL["insert"],
        notice.subject_id,
        notice.kind.value,
        notice.title,
        notice.body,
        refs.record_id,
        refs.list_entry_id,
        refs.objection_id,
        refs.repair_id,
        notice.repairable_from,
        at,
        by,
        delivery.value,
    )
    return _notice(rows.required(row))


async def mark_delivered(conn: Connection, notice_id: int, at: dt.datetime) -> None:
    await conn.execute(SQL["mark_delivered"], notice_id, at)


async def list_page_for_subjects(
    conn: Executor, subject_ids: list[int], before_id: int | None, limit: int
) -> dict[int, list[Notice]]:
    grouped: dict[int, list[Notice]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_page_for_subjects"], subject_ids, before_id, limit):
        grouped[row["subject_id"]].append(_notice(row))
    return grouped


async def count_for_subjects(conn: Executor, subject_ids: list[int]) -> dict[int, int]:
    return {row["subject_id"]: row["total"] for row in await conn.fetch(SQL["count_for_subjects"], subject_ids)}
