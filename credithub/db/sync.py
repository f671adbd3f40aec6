"""Pull sync state: a cursor per platform and stream, and the items feeds gave that we refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["sync"]


@dataclass(frozen=True, slots=True)
class StreamState:
    platform: str
    stream: str
    cursor: str | None
    pages: int
    items: int
    updated_at: dt.datetime
    caught_up_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Reject:
    platform: str
    stream: str
    item_id: str
    error: str
    at: dt.datetime


async def get_cursor(conn: Executor, platform: str, stream: str) -> str | None:
    cursor: str | None = await conn.fetchval(SQL["get_cursor"], platform, stream)
    return cursor


async def save_page(
    conn: Connection, platform: str, stream: str, cursor: str | None, items: int, at: dt.datetime, *, caught_up: bool
) -> None:
    await conn.execute(SQL["save_page"], platform, stream, cursor, items, at, caught_up)


async def save_error(conn: Executor, platform: str, stream: str, error: str, at: dt.datetime) -> None:
    await conn.execute(SQL["save_error"], platform, stream, error, at)


async def reset(conn: Executor, platform: str, streams: Sequence[str]) -> None:
    await conn.execute(SQL["reset"], platform, list(streams))


async def insert_rejects(
    conn: Connection, platform: str, stream: str, rejects: Sequence[tuple[str, str]], at: dt.datetime
) -> None:
    if rejects:
        await conn.execute(
            SQL["insert_rejects"], platform, stream, [item for item, _ in rejects], [error for _, error in rejects], at
        )


async def list_cursors(conn: Executor, platform: str | None) -> list[StreamState]:
    return [StreamState(**dict(row)) for row in await conn.fetch(SQL["list_cursors"], platform)]


async def list_rejects(conn: Executor, platform: str | None, limit: int) -> list[Reject]:
    return [Reject(**dict(row)) for row in await conn.fetch(SQL["list_rejects"], platform, limit)]
