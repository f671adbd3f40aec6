"""The change feed of all-platform flags: written under the feed lock, read by position."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["flag_feed"]


@dataclass(frozen=True, slots=True)
class FeedRow:
    """A change (a SET with its flag, or a lift with None), or a flag of the snapshot (position None)."""

    position: int | None
    subject_id: int
    flag_key: str
    flag: dict[str, Any] | None
    at: dt.datetime


async def insert_many(
    conn: Connection, changes: Sequence[tuple[int, str, dict[str, Any] | None]], at: dt.datetime
) -> None:
    """Append (subject id, flag key, flag) changes, in order, after taking the feed lock: this
    transaction's positions become visible only after every smaller one."""
    if not changes:
        return
    await conn.execute(SQL["lock_writers"])
    await conn.execute(
        SQL["insert_many"],
        [subject_id for subject_id, _, _ in changes],
        [key for _, key, _ in changes],
        [flag for _, _, flag in changes],
        at,
    )


async def get_position(conn: Executor) -> int:
    position: int = await conn.fetchval(SQL["get_position"])
    return position


async def list_snapshot(
    conn: Executor, position: int, after_subject: int, after_key: str, limit: int, only_subject: int | None = None
) -> list[FeedRow]:
    found = await conn.fetch(SQL["list_snapshot"], position, after_subject, after_key, limit, only_subject)
    return [FeedRow(None, row["subject_id"], row["flag_key"], row["flag"], row["at"]) for row in found]


async def list_after(conn: Executor, position: int, limit: int, only_subject: int | None = None) -> list[FeedRow]:
    found = await conn.fetch(SQL["list_after"], position, limit, only_subject)
    return [FeedRow(row["id"], row["subject_id"], row["flag_key"], row["flag"], row["at"]) for row in found]


async def compute_keys(conn: Executor, flags: list[dict[str, Any]]) -> list[str]:
    return [row["key"] for row in await conn.fetch(SQL["compute_key"], flags)]
