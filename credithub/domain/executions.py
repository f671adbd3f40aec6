"""Execution feedback: a platform tells the hub it applied or lifted a measure, so the
flag shows who carries it out and since when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.errors import NoSuchFlag
from credithub.domain.subjects import Signing


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


# ---- execution gaps ---------------------------------------------------------------------------
# Measures that forbid the flagged subject to make a relation: an agency under SIGNING_BAN must
# not sign anchors. A signing that begins while such a flag holds is made in breach of it.
FORBIDS_SIGNING: Final = ("SIGNING_BAN",)


class GapKind(StrEnum):
    NOT_APPLIED = "NOT_APPLIED"  # a mandatory flag pushed to a platform, not reported applied in time
    RELATION_IN_BREACH = "RELATION_IN_BREACH"  # a relation made while a flag forbade it


@dataclass(frozen=True, slots=True)
class PushedFlag:
    """A mandatory all-platform flag in force, since when the hub has told the subject's platforms."""

    subject_id: int
    measure: str
    since: dt.datetime
    platforms: tuple[str, ...]  # where the subject holds an account that is not closed


@dataclass(frozen=True, slots=True)
class FlagSpan:
    """While the hub knew a subject to carry a measure: [start, end), end None while it holds."""

    subject_id: int
    measure: str
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ExecutionGap:
    kind: GapKind
    subject_id: int
    platform: str | None
    measure: str
    since: dt.datetime
    due_by: dt.datetime | None
    related_subject_id: int | None
    detail: str


def find_unapplied(
    pushed: Iterable[PushedFlag], executions: Iterable[MeasureExecution], now: dt.datetime, allowed: dt.timedelta
) -> list[ExecutionGap]:
    """Each platform that has not reported applying a pushed mandatory flag within `allowed`
    (its latest report for the measure is none, or LIFTED)."""
    latest: dict[tuple[int, str, str], MeasureExecution] = {}
    for execution in executions:
        key = (execution.subject_id, execution.platform, execution.measure)
        known = latest.get(key)
        if known is None or (execution.executed_at, execution.id) > (known.executed_at, known.id):
            latest[key] = execution
    gaps = []
    for flag in pushed:
        due_by = flag.since + allowed
        if now < due_by:
            continue
        for platform in flag.platforms:
            reported = latest.get((flag.subject_id, platform, flag.measure))
            if reported is not None and reported.action is ExecutionAction.APPLIED:
                continue
            detail = (
                f"{platform} reported {flag.measure} lifted on {reported.executed_at.isoformat()}"
                if reported is not None
                else f"{platform} has not reported applying {flag.measure}"
            )
            gaps.append(
                ExecutionGap(
                    GapKind.NOT_APPLIED, flag.subject_id, platform, flag.measure, flag.since, due_by, None, detail
                )
            )
    return gaps


def find_relations_in_breach(spans: Iterable[FlagSpan], signings: Iterable[Signing]) -> list[ExecutionGap]:
    """Signings an agency began while it carried a measure that forbids signing."""
    forbidding: dict[int, list[FlagSpan]] = {}
    for span in spans:
        if span.measure in FORBIDS_SIGNING:
            forbidding.setdefault(span.subject_id, []).append(span)
    gaps = []
    for signing in signings:
        begun = signing.validity.valid_from
        for span in forbidding.get(signing.agency_id, []):
            if span.start <= begun and (span.end is None or begun < span.end):
                gaps.append(
                    ExecutionGap(
                        GapKind.RELATION_IN_BREACH,
                        signing.agency_id,
                        signing.source_platform,
                        span.measure,
                        begun,
                        None,
                        signing.anchor_id,
                        f"signed an anchor on {begun.isoformat()} while under {span.measure}",
                    )
                )
                break
    return gaps


def order_gaps(gaps: Iterable[ExecutionGap]) -> list[ExecutionGap]:
    """Oldest first: the longest-standing gap is the first to chase."""
    return sorted(gaps, key=lambda g: (g.since, g.subject_id, g.platform or "", g.measure, g.kind.value))
