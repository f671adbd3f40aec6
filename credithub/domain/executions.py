"""Execution feedback: a platform tells the hub it applied or lifted a measure, so the
flag shows who carries it out and since when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.errors import NoSuchFlag


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


def check_carried(
    platform: str,
    measure: str,
    action: ExecutionAction,
    executed_at: dt.datetime,
    carried: Iterable[str],
    history: Iterable[MeasureExecution],
) -> None:
    """Feedback is tied to a flag: a platform applies a measure the subject carries for it at that
    instant, and lifts one it carries then or had applied before."""
    if measure in set(carried):
        return
    if action is ExecutionAction.LIFTED:
        earlier = [e for e in history if e.platform == platform and e.executed_at < executed_at]
        latest = compute_latest_per_platform(earlier, measure)
        if latest and latest[0].action is ExecutionAction.APPLIED:
            return
        raise NoSuchFlag(
            f"{measure} was not applied on {platform} before {executed_at.isoformat()} and the subject does not"
            " carry it there then: there is nothing to lift"
        )
    raise NoSuchFlag(f"the subject does not carry {measure} for {platform} at {executed_at.isoformat()}")
