"""Execution feedback (SPEC §7): a platform tells the hub it applied or lifted a measure, so the
flag shows who carries it out and since when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class ExecutionAction(StrEnum):
    APPLIED = "APPLIED"
    LIFTED = "LIFTED"


@dataclass(frozen=True, slots=True)
class MeasureExecution:
    id: int
    platform: str
    subject_id: int
    measure: str
    action: ExecutionAction
    executed_at: dt.datetime
    reported_at: dt.datetime
    note: str | None


def compute_latest_per_platform(executions: Iterable[MeasureExecution], measure: str) -> tuple[MeasureExecution, ...]:
    """Where each platform stands with a measure: its latest report, platforms in code order."""
    latest: dict[str, MeasureExecution] = {}
    for execution in executions:
        if execution.measure != measure:
            continue
        known = latest.get(execution.platform)
        if known is None or (execution.executed_at, execution.id) > (known.executed_at, known.id):
            latest[execution.platform] = execution
    return tuple(latest[platform] for platform in sorted(latest))
