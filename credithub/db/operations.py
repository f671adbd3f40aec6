"""Backlog figures for /metrics: cheap reads of the queues' live rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["operations"]


@dataclass(frozen=True, slots=True)
class Backlog:
    inbox_pending: int
    inbox_lag_seconds: float  # 0 when nothing waits
    inbox_dead: int
    refresh_queued: int
    refresh_lag_seconds: float


@dataclass(frozen=True, slots=True)
class OutboxBacklog:
    platform: str
    depth: int
    oldest_seconds: float
    dead: int


async def get_backlog(conn: Executor, now: dt.datetime, *, seconds: float) -> Backlog:
    row = await conn.fetchrow(SQL["get_backlog"], now, timeout=seconds)
    assert row is not None
    return Backlog(
        row["inbox_pending"],
        float(row["inbox_lag_seconds"] or 0),
        row["inbox_dead"],
        row["refresh_queued"],
        float(row["refresh_lag_seconds"] or 0),
    )


async def list_outbox_backlog(conn: Executor, now: dt.datetime, *, seconds: float) -> list[OutboxBacklog]:
    rows = await conn.fetch(SQL["list_outbox_backlog"], now, timeout=seconds)
    return [OutboxBacklog(r["platform"], r["depth"], float(r["oldest_seconds"] or 0), r["dead"]) for r in rows]
