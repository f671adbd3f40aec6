"""Statistics computed in SQL."""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.statistics import GroupBy, StatisticsRow

SQL: Final = QUERIES["statistics"]


async def compute(conn: Executor, start: dt.datetime, end: dt.datetime, group_by: GroupBy) -> list[StatisticsRow]:
    return [
        StatisticsRow(
            group=row["grp"],
            records=row["records"],
            listings=row["listings"],
            exits=row["exits"],
            objections=row["objections"],
            objections_decided=row["objections_decided"],
            median_days_to_decision=row["median_days"],
            repairs=row["repairs"],
            repairs_approved=row["repairs_approved"],
            executions=row["executions"],
        )
        for row in await conn.fetch(SQL["compute"], start, end, group_by.value)
    ]
