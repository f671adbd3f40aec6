"""The inbox of platform events."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Final

from credithub.db import work_queue
from credithub.db.pool import Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["inbox"]

# What its states mean is defined with its functions (migration 0027).
QUEUE: Final = work_queue.WorkQueue("inbox_events", SQL)
# What `insert(..., notify=True)` (and `insert_many`) sends on commit: the channel of migration 0031's inbox_notify.
INBOX_CHANNEL: Final = "credithub_inbox"


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    platform: str
    event_id: str
    event: dict[str, Any]
    attempts: int


@dataclass(frozen=True, slots=True)
class InboxEvent:
    id: int
    platform: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_error: str | None
    received_at: dt.datetime
    processed_at: dt.datetime | None


def _event(row: Any) -> InboxEvent:
    return InboxEvent(
        row["id"],
        row["platform"],
        row["event_id"],
        row["event_type"],
        row["status"],
        row["attempts"],
        row["last_error"],
        row["received_at"],
        row["processed_at"],
    )


async def insert(
    conn: Executor,
    platform: str,
    event_id: str,
    event_type: str,
    event: dict[str, Any],
    received_at: dt.datetime,
    *,
    notify: bool = False,
) -> bool:
    """True when the event is new; False when this (platform, event id) was delivered before.
    `notify`: a new event also sends NOTIFY `INBOX_CHANNEL`, delivered when it commits."""
    found = await conn.fetchval(SQL["insert"], platform, event_id, event_type, event, received_at, notify)
    return found is not None


async def insert_unless_reported(
    conn: Executor,
    platform: str,
    event_id: str,
    event_type: str,
    event: dict[str, Any],
    received_at: dt.datetime,
    violation_id: str,
    *,
    notify: bool = False,
) -> tuple[bool, bool, bytes | None]:
    """(stored, reported, digest): the report is stored unless it was delivered before or its
    violation id has a record already (`reported`; nothing stored, `digest` is the record's).
    `notify` as for `insert`."""
    row = await conn.fetchrow(
        SQL["insert_unless_reported"], platform, event_id, event_type, event, received_at, violation_id, notify
    )
    assert row is not None, "the statement always answers one row"
    return row["id"] is not None, row["reported"], row["digest"]


async def insert_many(
    conn: Executor,
    platform: str,
    pulled: list[tuple[str, str, dict[str, Any]]],
    received_at: dt.datetime,
    *,
    notify: bool = False,
) -> int:
    """Keep (event id, type, event) triples; returns how many were new. `notify`: if any was new,
    one NOTIFY `INBOX_CHANNEL` for them all, delivered when they commit."""
    if not pulled:
        return 0
    added: int = await conn.fetchval(
        SQL["insert_many"],
        platform,
        [event_id for event_id, _, _ in pulled],
        [event_type for _, event_type, _ in pulled],
        [event for _, _, event in pulled],
        received_at,
        notify,
    )
    return added


async def count_waiting(conn: Executor, up_to: int) -> int:
    """Events not applied yet, counted up to `up_to`."""
    waiting: int = await conn.fetchval(SQL["count_waiting"], up_to)
    return waiting


async def claim(conn: Executor, now: dt.datetime, limit: int, lease: dt.timedelta, token: uuid.UUID) -> list[Claimed]:
    rows = await work_queue.claim(conn, QUEUE, now, limit, lease, token)
    return [Claimed(row["id"], row["platform"], row["event_id"], row["event"], row["attempts"]) for row in rows]


async def get_by_key(conn: Executor, platform: str, event_id: str) -> InboxEvent | None:
    row = await conn.fetchrow(SQL["get_by_key"], platform, event_id)
    return _event(row) if row is not None else None


async def list_page(
    conn: Executor, *, platform: str | None, status: str | None, before_id: int | None, limit: int
) -> list[InboxEvent]:
    return [_event(row) for row in await conn.fetch(SQL["list_page"], platform, status, before_id, limit)]


async def list_dead_ids(conn: Executor, platform: str | None) -> list[int]:
    return [row["id"] for row in await conn.fetch(SQL["list_dead_ids"], platform)]
