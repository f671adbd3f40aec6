"""The parked items of every queue, read together."""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.parked import ParkedItem, ParkedQueue

SQL: Final = QUERIES["parked"]


async def count(conn: Executor) -> dict[str, int]:
    row = await conn.fetchrow(SQL["count"])
    assert row is not None
    return {"statuses": row["statuses"], "inbox": row["inbox"], "outbox": row["outbox"]}


async def list_page(
    conn: Executor,
    *,
    queue: ParkedQueue | None,
    after: tuple[dt.datetime, str, int] | None,
    limit: int,
) -> list[ParkedItem]:
    at, after_queue, after_id = after if after is not None else (None, None, None)
    rows = await conn.fetch(SQL["list_page"], queue.value if queue else None, at, after_queue, after_id, limit)
    return [
        ParkedItem(
            ParkedQueue(row["queue"]),
            row["id"],
            row["subject_id"],
            row["platform"],
            row["error"],
            row["parked_at"],
            row["attempts"],
        )
        for row in rows
    ]
