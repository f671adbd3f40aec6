"""Objections (异议): a record is contested; while it is verified its measures are not applied.

Who files: the subject itself, a platform that knew the subject when the record was reported (an
account opened before it), or a regulator. Who resolves: the record's source — its platform, or a
regulator of its authority — or, for a platform's record, a regulator bound to any authority; never
the client or platform that filed it.

Objections cannot be used to stall. One is open per record at a time. The first suspends
enforcement at once (the record turns OBJECTION_PENDING); after one was rejected, a new objection
is still reviewed but suspends nothing, unless the record's source or a regulator files it (that
is how they reopen a case). An objection past its deadline is escalated: regulators see it as
overdue and escalated, and enforcement stays suspended, as the policy says, until it is resolved.

Upheld, the record is WITHDRAWN, or CORRECTed (its category or severity changed, kept in history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied, TransitionNotAllowed
from credithub.domain.records import CreditRecord, Reclassification, RecordEvent, SourceType


class ObjectionStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class ObjectionEvent(StrEnum):
    UPHOLD = "UPHOLD"
    REJECT = "REJECT"


class Outcome(StrEnum):
    """What an upheld objection does to its record."""

    WITHDRAW = "WITHDRAW"
    CORRECT = "CORRECT"


# UPHELD and REJECTED are final.
TRANSITIONS: Final[dict[tuple[ObjectionStatus, ObjectionEvent], ObjectionStatus]] = {
    (ObjectionStatus.OPEN, ObjectionEvent.UPHOLD): ObjectionStatus.UPHELD,
    (ObjectionStatus.OPEN, ObjectionEvent.REJECT): ObjectionStatus.REJECTED,
}

# What resolving the objection does to its record.
RECORD_EVENT: Final = {
    (ObjectionEvent.UPHOLD, Outcome.WITHDRAW): RecordEvent.UPHOLD_OBJECTION,
    (ObjectionEvent.UPHOLD, Outcome.CORRECT): RecordEvent.CORRECT,
    (ObjectionEvent.REJECT, None): RecordEvent.REJECT_OBJECTION,
}


@dataclass(frozen=True, slots=True)
class Objection:
    id: int
    record_id: int
    subject_id: int
    filed_by: str
    filed_by_platform: str | None
    reason: str
    filed_at: dt.datetime
    due_at: dt.datetime
    status: ObjectionStatus
    resolved_by: str | None
    resolved_at: dt.datetime | None
    resolution_note: str | None
    suspends: bool = True  # whether filing it suspended the record's measures
    outcome: Outcome | None = None

    def overdue_at(self, instant: dt.datetime) -> bool:
        return compute_overdue(self.status, self.due_at, instant)


def compute_overdue(status: ObjectionStatus, due_at: dt.datetime, instant: dt.datetime) -> bool:
    """Still open past its deadline: escalated to regulators (enforcement stays suspended)."""
    return status is ObjectionStatus.OPEN and due_at <= instant


def apply(status: ObjectionStatus, event: ObjectionEvent) -> ObjectionStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionNotAllowed(status.value, event.value) from None


def is_source(viewer: Client, record: CreditRecord) -> bool:
    """The record's source: its platform, or a regulator of its authority."""
    if record.source.type is SourceType.PLATFORM:
        return viewer.role is Role.PLATFORM and viewer.platform == record.source.platform
    return record.source.authority is not None and viewer.acts_for_authority(record.source.authority)


def check_may_file(viewer: Client, record: CreditRecord, platform_known_since: dt.datetime | None) -> None:
    """The subject itself, a regulator, or a platform that knew the subject when the record was
    reported (`platform_known_since`: when its account began; None: it has none)."""
    if viewer.role is Role.REGULATOR or viewer.speaks_for(record.subject_id):
        return
    if viewer.role is Role.PLATFORM:
        if platform_known_since is not None and platform_known_since <= record.reported_at:
            return
        raise PermissionDenied(
            "a platform objects only for a subject that held an account on it when the record was reported; "
            "the subject may object itself"
        )
    raise PermissionDenied("objections are filed by the subject, a platform where it has an account, or a regulator")


def compute_suspends(viewer: Client, record: CreditRecord, earlier: Sequence[Objection]) -> bool:
    """The first objection suspends enforcement; after a rejection only the source or a regulator
    can suspend it again (no refiling to stall)."""
    if not any(objection.status is ObjectionStatus.REJECTED for objection in earlier):
        return True
    return viewer.role is Role.REGULATOR or is_source(viewer, record)


def check_may_resolve(viewer: Client, record: CreditRecord, objection: Objection) -> None:
    """The source or a regulator decides, never whoever filed it."""
    if viewer.label == objection.filed_by or (
        viewer.role is Role.PLATFORM and viewer.platform is not None and viewer.platform == objection.filed_by_platform
    ):
        raise PermissionDenied("nobody resolves an objection they filed")
    if is_source(viewer, record):
        return
    if record.source.type is not SourceType.AUTHORITY and viewer.role is Role.REGULATOR and viewer.authority:
        return
    raise PermissionDenied(
        "an objection is resolved by the record's source (its platform, or a regulator of its authority)"
        + ("" if record.source.type is SourceType.AUTHORITY else " or a regulator")
    )


def parse_outcome(upheld: bool, outcome: Outcome | None, correction: Reclassification | None) -> Outcome | None:
    """Rejected: no outcome. Upheld: WITHDRAW (the default), or CORRECT with what changes."""
    if not upheld:
        if outcome is not None or correction is not None:
            raise InvalidValue("a rejected objection changes nothing: give no outcome or correction", field="outcome")
        return None
    chosen = outcome or (Outcome.CORRECT if correction is not None else Outcome.WITHDRAW)
    _check_correction(chosen, correction)
    return chosen


def _check_correction(chosen: Outcome, correction: Reclassification | None) -> None:
    """CORRECT comes with a correction and WITHDRAW without; a correction keeps a severity with a
    negative category only."""
    if correction is None:
        if chosen is Outcome.CORRECT:
            raise InvalidValue("CORRECT needs the corrected category and severity", field="correction")
        return
    if chosen is Outcome.WITHDRAW:
        raise InvalidValue("a correction goes with the CORRECT outcome", field="correction")
    if correction.category.is_positive != (correction.severity is None):
        raise InvalidValue("a negative category needs a severity; a positive one has none", field="correction")


def compute_due_at(filed_at: dt.datetime, days: int) -> dt.datetime:
    return filed_at + dt.timedelta(days=days)
