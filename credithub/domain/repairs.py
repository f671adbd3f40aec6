"""Credit repair (信用修复): a subject asks for a record to stop being shown and shared.

The subject applies — itself, through a platform where it has an account, or a regulator on its
behalf — with evidence that it has corrected the behaviour and a signed credit commitment, once
the record's minimum publicity period has passed (per the rule set in force; serious records
after a year under the 2026 rules) and unless the law excludes its category. Whoever designated
it repairs it (谁认定、谁修复): the record's source platform, or a regulator of its authority —
or, for a platform's record, a regulator — decides, never whoever applied. Approved → REPAIRED;
rejected → the reason is kept and the record stays as it was. A repair by someone other than a
listing's own authority never ends that listing: it opens an exit review for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, NotRepairable, PermissionDenied, RepairTooEarly, TransitionNotAllowed
from credithub.domain.records import CreditRecord, RecordEvent, RecordStatus, SourceType
from credithub.domain.rules import RuleSet, add_months


class RepairStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class RepairEvent(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"


TRANSITIONS: Final[dict[tuple[RepairStatus, RepairEvent], RepairStatus]] = {
    (RepairStatus.PENDING, RepairEvent.APPROVE): RepairStatus.APPROVED,
    (RepairStatus.PENDING, RepairEvent.REJECT): RepairStatus.REJECTED,
}


@dataclass(frozen=True, slots=True)
class RepairApplication:
    id: int
    record_id: int
    subject_id: int
    applied_by: str
    applied_by_platform: str | None
    evidence: str
    commitment: str
    applied_at: dt.datetime
    status: RepairStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None


def apply(status: RepairStatus, event: RepairEvent) -> RepairStatus:
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionNotAllowed(status.value, event.value) from None


def compute_repairable_from(record: CreditRecord, rules: RuleSet) -> dt.datetime:
    """The end of the record's minimum publicity period under `rules`."""
    assert record.severity is not None, "positive records are not repaired"
    return add_months(record.counts_from, rules.window(record.severity).min_months)


def check_eligible(record: CreditRecord, rules: RuleSet, at: dt.datetime) -> None:
    """Refuse, with the reason, an application that cannot be granted now."""
    if record.severity is None:
        raise NotRepairable(f"{record.category.value} is not a negative record: there is nothing to repair")
    if record.category.value in rules.repair_excluded_categories:
        raise NotRepairable(f"the law excludes {record.category.value} records from credit repair under {rules.code}")
    if record.status is not RecordStatus.ACTIVE:
        raise TransitionNotAllowed(record.status.value, RecordEvent.REPAIR.value)
    allowed_from = compute_repairable_from(record, rules)
    if at < allowed_from:
        raise RepairTooEarly(allowed_from, rules.code)


def check_may_apply(viewer: Client, record: CreditRecord, subject_platforms: frozenset[str]) -> None:
    if viewer.role is Role.REGULATOR or viewer.speaks_for(record.subject_id):
        return
    if viewer.role is Role.PLATFORM and viewer.platform in subject_platforms:
        return
    raise PermissionDenied(
        "repair is applied for by the subject, through a platform where it has an account, or by a regulator"
    )


def check_may_decide(viewer: Client, record: CreditRecord, application: RepairApplication) -> None:
    """Whoever designated the record repairs it; nobody decides what they applied for."""
    if _applied_for(viewer, application):
        raise PermissionDenied("nobody decides a repair they applied for")
    if not _decides_for_source(viewer, record):
        raise PermissionDenied(
            "repair is decided by the record's source: its platform, or a regulator of its authority (谁认定、谁修复)"
        )


def _applied_for(viewer: Client, application: RepairApplication) -> bool:
    """The viewer applied for the repair, or it is the platform that did."""
    return viewer.label == application.applied_by or (
        viewer.role is Role.PLATFORM
        and viewer.platform is not None
        and viewer.platform == application.applied_by_platform
    )


def _decides_for_source(viewer: Client, record: CreditRecord) -> bool:
    """A platform's record: that platform, or a regulator bound to an authority; an authority's
    record: a regulator of that authority."""
    if record.source.type is SourceType.PLATFORM:
        return (viewer.role is Role.PLATFORM and viewer.platform == record.source.platform) or (
            viewer.role is Role.REGULATOR and viewer.authority is not None
        )
    return record.source.authority is not None and viewer.acts_for_authority(record.source.authority)


def parse_commitment(raw: str) -> str:
    text = raw.strip()
    if len(text) < 10:
        raise InvalidValue("a signed credit commitment (信用承诺书) is required", field="commitment")
    return text
