"""Statistics for dashboards: counts of records, listings, exits, objections (with
the median time to decision), repairs and executions over a period, by month, platform, category
or tier. PostgreSQL computes them over the rows (db/sql/statistics.sql); nothing is loaded here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied

MAX_SPAN: Final = dt.timedelta(days=3700)  # ten years and a little


class GroupBy(StrEnum):
    MONTH = "MONTH"
    PLATFORM = "PLATFORM"
    CATEGORY = "CATEGORY"
    TIER = "TIER"


@dataclass(frozen=True, slots=True)
class StatisticsRow:
    group: str | None
    records: int
    listings: int
    exits: int
    objections: int
    objections_decided: int
    median_days_to_decision: float | None
    repairs: int
    repairs_approved: int
    executions: int


def check_may_read(viewer: Client) -> None:
    """Aggregates across platforms and subjects: for regulators, dashboards and admins, not for one
    platform, nor for one subject (which sees nothing of anyone else)."""
    if viewer.role not in (Role.REGULATOR, Role.VIEWER, Role.ADMIN):
        raise PermissionDenied("statistics across platforms are for regulators and dashboards")


def check_period(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise InvalidValue("to must be after from", field="to")
    if end - start > MAX_SPAN:
        raise InvalidValue("a period of statistics spans at most ten years", field="to")
