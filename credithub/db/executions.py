"""Execution feedback: which platform applied or lifted which measure, when."""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.executions import ExecutionAction, MeasureExecution

SQL: Final = QUERIES["executions"]


async def insert(
    conn: Connection,
    platform: str,
    subject_id: int,
    measure: str,
    action: ExecutionAction,
    executed_at: dt.datetime,
    reported_at: dt.datetime,
    note: str | None,
) -> bool:
    """False when the same report was kept before."""
    row = await conn.fetchrow(
        SQL["insert"], platform, subject_id, measure, action.value, executed_at, reported_at, note
    )
    return row is not None


async def list_for_subjects(conn: Executor, subject_ids: list[int]) -> dict[int, list[MeasureExecution]]:
    found: dict[int, list[MeasureExecution]] = {}
    for row in await conn.fetch(SQL["list_for_subjects"], subject_ids):
        found.setdefault(row["subject_id"], []).append(
            MeasureExecution(
                row["id"],
                row["platform"],
                row["subject_id"],
                row["measure"],
                ExecutionAction(row["action"]),
                row["executed_at"],
                row["reported_at"],
                row["note"],
            )
        )
    return found
