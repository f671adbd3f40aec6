"""Statistics for dashboards."""

from __future__ import annotations

import strawberry

from credithub.domain import statistics

StatisticsGroup = statistics.GroupBy
strawberry.enum(StatisticsGroup, name="StatisticsGroup", description="How rows are grouped.")


@strawberry.type(description="What happened in one group over the period.")
class StatisticsRow:
    group: str | None = strawberry.field(
        description="The month (YYYY-MM, UTC), platform, category or tier; null when the event has none (e.g. the "
        "platform of an authority's record)."
    )
    records: int = strawberry.field(description="Records reported.")
    listings: int = strawberry.field(description="List entries that took effect.")
    exits: int = strawberry.field(description="List entries that ended (removed, or their term passed).")
    objections: int = strawberry.field(description="Objections filed.")
    objections_decided: int
    median_days_to_decision: float | None = strawberry.field(description="Of the objections filed and decided.")
    repairs: int = strawberry.field(description="Repair applications filed.")
    repairs_approved: int
    executions: int = strawberry.field(description="Execution reports (measures applied or lifted).")

    @classmethod
    def from_domain(cls, row: statistics.StatisticsRow) -> StatisticsRow:
        return cls(
            group=row.group,
            records=row.records,
            listings=row.listings,
            exits=row.exits,
            objections=row.objections,
            objections_decided=row.objections_decided,
            median_days_to_decision=row.median_days_to_decision,
            repairs=row.repairs,
            repairs_approved=row.repairs_approved,
            executions=row.executions,
        )
