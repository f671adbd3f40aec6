"""`statistics`: counts over a period for dashboards, computed by PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from credithub.db import statistics as db_statistics
from credithub.domain import statistics
from schema.context import Info
from schema.statistics import StatisticsGroup, StatisticsRow


@strawberry.type
class StatisticsQueries:
    @strawberry.field(
        description="What happened in [from, to): records, listings, exits, objections (with the median days to "
        "decision), repairs and executions, grouped by month, platform, category or tier (regulators, dashboards, "
        "admins)."
    )
    async def statistics(
        self,
        info: Info,
        from_: Annotated[dt.datetime, strawberry.argument(name="from")],
        to: dt.datetime,
        group_by: StatisticsGroup,
    ) -> list[StatisticsRow]:
        statistics.check_may_read(info.context.viewer)
        statistics.check_period(from_, to)
        rows = await db_statistics.compute(info.context.reading.pool, from_, to, statistics.GroupBy(group_by))
        return [StatisticsRow.from_domain(row) for row in rows]
