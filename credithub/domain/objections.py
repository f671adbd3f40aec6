"""Objections (异议): a subject contests a record; while it is verified the record's measures are
not applied (SPEC §6).

Filed by a platform where the subject has an account, or by a regulator, against an ACTIVE
record: the record turns OBJECTION_PENDING at once. The record's source platform or a regulator
resolves it before `due_at`: upheld → the record is WITHDRAWN; rejected → ACTIVE again. One
open objection per record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied, TransitionNotAllowed
from credithub.domain.records import CreditRecord, RecordEvent
from credithub.domain.texts import check_storable

MAX_TEXT: Final = 2000


class ObjectionStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    REJECTED = "REJECTED"


class ObjectionEvent(StrEnum):
    UPHOLD = "UPHOLD"
    REJECT = "REJECT"


# UPHELD and REJECTED are final.
TRANSITIONS: Final[dict[tuple[ObjectionStatus, ObjectionEvent], ObjectionStatus]] = {
    (ObjectionStatus.OPEN, ObjectionEvent.UPHOLD): ObjectionStatus.UPHELD,
    (ObjectionStatus.OPEN, ObjectionEvent.REJECT): ObjectionStatus.REJECTED,
}

# What resolving the objection does to its record.
RECORD_EVENT: Final = {
    ObjectionEvent.UPHOLD: RecordEvent.UPHOLD_OBJECTION,
    ObjectionEvent.REJECT: RecordEvent.REJECT_OBJECTION,
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

    def overdue_at(self, instant: dt.datetime) -> bool:
        return self.status is ObjectionStatus.OPEN and self.due_at <= instant


def apply(status: ObjectionStatus, event: ObjectionEvent) -> ObjectionStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionNotAllowed(status.value, event.value) from None


def parse_text(raw: str, field: str) -> str:
    text = raw.strip()
    if not text:
        raise InvalidValue(f"{field} must not be empty", field=field)
    if len(text) > MAX_TEXT:
        raise InvalidValue(f"{field} must be at most {MAX_TEXT} characters", field=field)
    return check_storable(text, field)


def check_may_file(viewer: Client, subject_platforms: Collection[str]) -> None:
    """The subject's platform (one where it has an account) or a regulator files objections."""
    if viewer.role is Role.REGULATOR:
        return
    if viewer.role is Role.PLATFORM and viewer.platform in subject_platforms:
        return
    raise PermissionDenied("objections are filed by a platform where the subject has an account, or a regulator")


def check_may_resolve(viewer: Client, record: CreditRecord) -> None:
    """The source platform of the record or a regulator decides."""
    if viewer.role is Role.REGULATOR:
        return
    if viewer.role is Role.PLATFORM and viewer.platform is not None and viewer.platform == record.source.platform:
        return
    raise PermissionDenied("objections are resolved by the record's source platform or a regulator")


def compute_due_at(filed_at: dt.datetime, days: int) -> dt.datetime:
    return filed_at + dt.timedelta(days=days)
