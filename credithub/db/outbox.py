"""The push outbox: messages to platforms, claimed with a lease, and a log row per attempt."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from credithub.db import work_queue
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.deliveries import Message, Recipient
from credithub.domain.texts import make_storable

SQL: Final = QUERIES["outbox"]

# What its states mean, and that a subject's messages go in order, is defined with its functions
# (migration 0027).
QUEUE: Final = work_queue.WorkQueue("outbox", SQL)


@dataclass(frozen=True, slots=True)
class DeadMessage:
    id: int
    platform: str
    subject_id: int
    created_at: dt.datetime
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Attempt:
    attempt: int
    started_at: dt.datetime
    duration_ms: int
    outcome: str
    http_status: int | None
    error: str | None


async def list_recipients(conn: Executor, subject_ids: list[int]) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = {}
    for row in await conn.fetch(SQL["list_recipients"], subject_ids):
        found.setdefault(row["subject_id"], []).append(Recipient(row["platform"], tuple(row["account_ids"])))
    return found


async def insert_many(
    conn: Connection, messages: Sequence[tuple[str, int, dict[str, Any]]], message_type: str, at: dt.datetime
) -> None:
    """Queue (platform, subject id, payload) messages."""
    if messages:
        await conn.execute(
            SQL["insert_many"],
            [platform for platform, _, _ in messages],
            [subject_id for _, subject_id, _ in messages],
            [payload for _, _, payload in messages],
            message_type,
            at,
        )


async def claim(conn: Executor, at: dt.datetime, limit: int, lease: dt.timedelta, token: uuid.UUID) -> list[Message]:
    rows = await work_queue.claim(conn, QUEUE, at, limit, lease, token)
    return [
        Message(
            row["id"],
            row["platform"],
            row["subject_id"],
            row["payload"],
            row["created_at"],
            row["attempts"],
            row["throttled"],
            row["message_type"],
        )
        for row in rows
    ]


async def give_back_attempt(conn: Connection, message_id: int) -> None:
    """The platform throttled this attempt: it does not count, but is counted as throttled."""
    await conn.execute(SQL["give_back_attempt"], message_id)


async def insert_attempt(
    conn: Connection,
    message_id: int,
    attempt: int,
    started_at: dt.datetime,
    duration_ms: int,
    outcome: str,
    http_status: int | None,
    error: str | None,
) -> None:
    text = make_storable(error) if error is not None else None
    await conn.execute(SQL["insert_attempt"], message_id, attempt, started_at, duration_ms, outcome, http_status, text)


async def list_dead(conn: Executor, platform: str | None, limit: int) -> list[DeadMessage]:
    return [
        DeadMessage(
            row["id"], row["platform"], row["subject_id"], row["created_at"], row["attempts"], row["last_error"]
        )
        for row in await conn.fetch(SQL["list_dead"], platform, limit)
    ]


async def list_replayable(conn: Executor, platform: str | None, ids: list[int] | None) -> list[int]:
    return [row["id"] for row in await conn.fetch(SQL["list_replayable"], platform, ids)]


async def count_by_status(conn: Executor) -> list[tuple[str, str, int]]:
    return [(row["platform"], row["status"], row["total"]) for row in await conn.fetch(SQL["count_by_status"])]


async def list_attempts(conn: Executor, message_id: int) -> list[Attempt]:
    return [
        Attempt(row["attempt"], row["started_at"], row["duration_ms"], row["outcome"], row["http_status"], row["error"])
        for row in await conn.fetch(SQL["list_attempts"], message_id)
    ]


@dataclass(frozen=True, slots=True)
class ListedMessage:
    id: int
    platform: str
    subject_id: int
    status: str
    created_at: dt.datetime
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    delivered_at: dt.datetime | None


async def list_by_status(conn: Executor, status: str, platform: str | None, limit: int) -> list[ListedMessage]:
    return [
        ListedMessage(
            r["id"],
            r["platform"],
            r["subject_id"],
            r["status"],
            r["created_at"],
            r["attempts"],
            r["next_attempt_at"],
            r["last_error"],
            r["delivered_at"],
        )
        for r in await conn.fetch(SQL["list_by_status"], status, platform, limit)
    ]


async def list_existing(conn: Executor, ids: list[int]) -> list[int]:
    return [row["id"] for row in await conn.fetch(SQL["list_existing"], ids)]
