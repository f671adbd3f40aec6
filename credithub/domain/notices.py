"""Notices to a subject about decisions on it: what they say, and who reads them.

Every listing proposal and decision, objection outcome and repair outcome produces a notice; an
adverse decision is accompanied by the notice of the right to repair (两书同达): when and how the
subject may apply to have the information stop being shown and shared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.clients import Client, Role
from credithub.domain.errors import PermissionDenied


class NoticeKind(StrEnum):
    LISTING_PROPOSED = "LISTING_PROPOSED"
    LISTING_DECIDED = "LISTING_DECIDED"
    OBJECTION_UPHELD = "OBJECTION_UPHELD"
    OBJECTION_REJECTED = "OBJECTION_REJECTED"
    REPAIR_APPROVED = "REPAIR_APPROVED"
    REPAIR_REJECTED = "REPAIR_REJECTED"
    RIGHT_TO_REPAIR = "RIGHT_TO_REPAIR"


class Delivery(StrEnum):
    QUEUED = "QUEUED"
    DELIVERED = "DELIVERED"
    NO_CHANNEL = "NO_CHANNEL"


@dataclass(frozen=True, slots=True)
class NoticeRefs:
    """What a notice is about (any of these may be None)."""

    record_id: int | None = None
    list_entry_id: int | None = None
    objection_id: int | None = None
    repair_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewNotice:
    subject_id: int
    kind: NoticeKind
    title: str
    body: str
    refs: NoticeRefs = NoticeRefs()
    repairable_from: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    subject_id: int
    kind: NoticeKind
    title: str
    body: str
    refs: NoticeRefs
    repairable_from: dt.datetime | None
    created_at: dt.datetime
    created_by: str
    delivery: Delivery
    delivered_at: dt.datetime | None
    acknowledged_at: dt.datetime | None


def check_may_read(viewer: Client, subject_id: int) -> None:
    """Notices are for the subject they are addressed to (a `subject` client bound to it) and for
    regulators; nobody else reads what the hub told a subject."""
    if viewer.role is Role.REGULATOR or viewer.speaks_for(subject_id):
        return
    raise PermissionDenied("notices are shown to the subject and to regulators")


def _day(instant: dt.datetime) -> str:
    return instant.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()


def compose_right_to_repair(
    subject_id: int, decided: str, repairable_from: dt.datetime | None, refs: NoticeRefs, whom: str
) -> NewNotice:
    """信用修复权利告知书: goes with every adverse decision."""
    when = f"from {_day(repairable_from)}" if repairable_from is not None else "once the law allows it"
    return NewNotice(
        subject_id,
        NoticeKind.RIGHT_TO_REPAIR,
        "Notice of the right to credit repair 信用修复权利告知",
        f"Following {decided}, you may apply for credit repair {when}: correct the dishonest act, perform "
        f"the obligations it gave rise to, and make a public credit commitment; apply to {whom}. Once repaired, "
        "the information is no longer shown or shared, and the measures it caused are lifted. Repair is free.",
        refs,
        repairable_from,
    )


def compose_objection_outcome(
    subject_id: int, objection_id: int, record_id: int, upheld: bool, note: str, by: str
) -> NewNotice:
    if upheld:
        return NewNotice(
            subject_id,
            NoticeKind.OBJECTION_UPHELD,
            "Your objection was upheld 异议成立",
            f"{by} upheld your objection: the record is withdrawn and its measures are lifted. Note: {note}",
            NoticeRefs(record_id=record_id, objection_id=objection_id),
        )
    return NewNotice(
        subject_id,
        NoticeKind.OBJECTION_REJECTED,
        "Your objection was rejected 异议不成立",
        f"{by} rejected your objection: the record stands and its measures apply again. Note: {note}",
        NoticeRefs(record_id=record_id, objection_id=objection_id),
    )


def compose_repair_outcome(
    subject_id: int, repair_id: int, record_id: int, approved: bool, note: str, by: str
) -> NewNotice:
    if approved:
        return NewNotice(
            subject_id,
            NoticeKind.REPAIR_APPROVED,
            "Credit repair approved 信用修复完成",
            f"{by} approved your credit repair: the record is no longer shown or shared, and its measures are "
            f"lifted. Note: {note}",
            NoticeRefs(record_id=record_id, repair_id=repair_id),
        )
    return NewNotice(
        subject_id,
        NoticeKind.REPAIR_REJECTED,
        "Credit repair rejected 信用修复申请未通过",
        f"{by} rejected your credit repair application. Reason: {note}",
        NoticeRefs(record_id=record_id, repair_id=repair_id),
    )


def compose_listing_proposed(
    subject_id: int, entry_id: int, list_name: str, reason: str, defence_deadline: dt.datetime, by: str
) -> NewNotice:
    return NewNotice(
        subject_id,
        NoticeKind.LISTING_PROPOSED,
        f"Proposed listing on {list_name} 拟列入名单告知",
        f"{by} proposes to put you on the {list_name} list: {reason}. You may submit a statement in your "
        f"defence until {_day(defence_deadline)}; no measure applies before the decision.",
        NoticeRefs(list_entry_id=entry_id),
    )


def compose_listing_decided(
    subject_id: int, entry_id: int, list_name: str, listed: bool, note: str, valid_until: dt.datetime | None, by: str
) -> NewNotice:
    if listed:
        until = f" until {_day(valid_until)}" if valid_until is not None else ""
        body = f"{by} decided to put you on the {list_name} list{until}. Decision: {note}"
        title = f"Listed on {list_name} 列入名单决定"
    else:
        body = f"{by} decided not to put you on the {list_name} list. Decision: {note}"
        title = f"Not listed on {list_name} 不予列入决定"
    return NewNotice(subject_id, NoticeKind.LISTING_DECIDED, title, body, NoticeRefs(list_entry_id=entry_id))
