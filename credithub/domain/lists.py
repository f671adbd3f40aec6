"""The lists and the procedure that puts a subject on one (designation and due process).

Three lists:

    SERIOUS_DISHONEST  the serious-dishonest list, designated by a public authority under its own rules
    JOINT_CONSTRAINT   the inter-platform blacklist: proposed by a platform (or a regulator), decided
                       by the body that runs it (configuration: CREDITHUB_JOINT_LIST_AUTHORITY)
    RED                integrity models (守信激励)

Every entry names the authority that designates it, and goes through one lifecycle:

    PROPOSED ──(notice sent, defence window)──▶ IN_FORCE ──▶ ENDED
        └──────────────────────────────────────▶ DROPPED

A proposal yields no measure. Only a regulator bound to the entry's authority decides it, and
never the client that proposed it; it comes into force only after the subject's defence
deadline, with an end (`valid_until`) no later than the publicity window of the records it rests
on. It ends when `valid_until` passes (derived from time, like an expired record), or when its
authority ends it (exit, repair). A red entry and a blacklist never hold one subject at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import (
    DefenceWindowClosed,
    DefenceWindowOpen,
    InvalidListBasis,
    InvalidValue,
    LegalBasisInsufficient,
    PermissionDenied,
    TransitionNotAllowed,
    ValidityTooLong,
)
from credithub.domain.records import CreditRecord, LegalBasis, LegalBasisLevel, RecordStatus, Severity
from credithub.domain.rules import RuleSet, add_months, compute_window_end, record_counts_at

MAX_DEFENCE: Final = 10_000


class ListKind(StrEnum):
    SERIOUS_DISHONEST = "SERIOUS_DISHONEST"
    JOINT_CONSTRAINT = "JOINT_CONSTRAINT"
    RED = "RED"

    @property
    def is_blacklist(self) -> bool:
        return self is not ListKind.RED


BLACKLISTS: Final = frozenset({ListKind.SERIOUS_DISHONEST, ListKind.JOINT_CONSTRAINT})


class ListEntryState(StrEnum):
    PROPOSED = "PROPOSED"
    IN_FORCE = "IN_FORCE"
    DROPPED = "DROPPED"
    ENDED = "ENDED"


class EndCause(StrEnum):
    """Why an entry stopped being in force."""

    EXPIRED = "EXPIRED"  # its valid_until passed (derived from time, never stored)
    EXIT = "EXIT"  # its authority ended it (the exit condition was met)
    REPAIRED = "REPAIRED"  # its authority repaired the record it rested on
    WITHDRAWN = "WITHDRAWN"  # its authority withdrew (or corrected) the record it rested on
    SUPERSEDED = "SUPERSEDED"  # a red entry ended by a blacklist or an adverse record


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A subject proposed for, on, or once on a list, with the whole procedure behind it."""

    id: int
    list: ListKind
    subject_id: int
    record_ids: tuple[int, ...]
    authority: str
    state: ListEntryState  # as stored: IN_FORCE stays stored after valid_until (see `state_at`)
    proposed_by: str
    proposed_by_platform: str | None
    proposed_at: dt.datetime
    reason: str
    legal_basis: LegalBasis
    legal_basis_level: LegalBasisLevel
    exit_condition: str
    notice_sent_at: dt.datetime | None
    defence_deadline: dt.datetime | None
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    decision_ref: str | None
    valid_from: dt.datetime | None  # when it came into force (None: never did)
    valid_until: dt.datetime | None
    ended_at: dt.datetime | None
    ended_by: str | None
    end_reason: str | None
    end_cause: EndCause | None

    def in_force_at(self, instant: dt.datetime) -> bool:
        """Twin of the SQL function `entry_in_force` (a parity test holds them together)."""
        return entry_in_force(self.valid_from, self.valid_until, self.ended_at, instant)

    def state_at(self, instant: dt.datetime) -> ListEntryState:
        """The state shown at `instant`: an entry in force is ENDED once its valid_until has passed."""
        if self.state is ListEntryState.IN_FORCE and self.valid_until is not None and self.valid_until <= instant:
            return ListEntryState.ENDED
        return self.state

    def cause_of_end_at(self, instant: dt.datetime) -> EndCause | None:
        if self.state_at(instant) is not ListEntryState.ENDED:
            return None
        return self.end_cause if self.state is ListEntryState.ENDED else EndCause.EXPIRED

    @property
    def ends_at(self) -> dt.datetime | None:
        """When it stops being in force (None: no end set). Twin of the SQL function `entry_ends_at`."""
        ends = [end for end in (self.valid_until, self.ended_at) if end is not None]
        return min(ends) if ends else None


def entry_in_force(
    valid_from: dt.datetime | None, valid_until: dt.datetime | None, ended_at: dt.datetime | None, at: dt.datetime
) -> bool:
    """An entry is in force from its decision until its valid_until or its end, whichever first."""
    return (
        valid_from is not None
        and valid_from <= at
        and (valid_until is None or at < valid_until)
        and (ended_at is None or at < ended_at)
    )


@dataclass(frozen=True, slots=True)
class Proposal:
    """A listing as proposed, before it is checked."""

    list: ListKind
    subject_id: int
    record_ids: tuple[int, ...]
    reason: str
    legal_basis: LegalBasis
    legal_basis_level: LegalBasisLevel
    exit_condition: str


@dataclass(frozen=True, slots=True)
class Defence:
    """What the subject (or a platform for it) said before the decision (陈述申辩)."""

    id: int
    entry_id: int
    submitted_by: str
    statement: str
    submitted_at: dt.datetime


class ExitCause(StrEnum):
    """What happened to a record under someone else's listing."""

    WITHDRAWN = "WITHDRAWN"
    REPAIRED = "REPAIRED"
    CORRECTED = "CORRECTED"


class ExitReviewStatus(StrEnum):
    OPEN = "OPEN"
    ENDED = "ENDED"  # the authority ended the listing
    KEPT = "KEPT"  # the authority keeps it: it rests on its own designation


@dataclass(frozen=True, slots=True)
class ExitReview:
    """A record an entry rests on was withdrawn, repaired or corrected by someone other than the
    entry's authority. The listing is the authority's own act: it stands until that authority
    ends it or keeps it (谁认定、谁修复)."""

    id: int
    entry_id: int
    record_id: int
    cause: ExitCause
    opened_by: str
    opened_at: dt.datetime
    status: ExitReviewStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None


def compute_designating_authority(kind: ListKind, proposer: Client, joint_list_authority: str) -> str:
    """Who decides a proposal: the proposing regulator's own authority for the serious-dishonest
    and red lists; the body that runs the inter-platform list for JOINT_CONSTRAINT."""
    if kind is ListKind.JOINT_CONSTRAINT:
        if proposer.role is Role.PLATFORM or (proposer.role is Role.REGULATOR and proposer.authority is not None):
            return joint_list_authority
        raise PermissionDenied("the inter-platform list takes proposals from platforms and regulators")
    if proposer.role is Role.REGULATOR and proposer.authority is not None:
        return proposer.authority
    if proposer.role is Role.REGULATOR:
        raise PermissionDenied("this regulator client is bound to no authority: it designates nothing")
    raise PermissionDenied(
        f"{kind.value} entries are designated by a public authority; platforms propose JOINT_CONSTRAINT"
    )


def check_proposal(proposal: Proposal, found: Mapping[int, CreditRecord], rules: RuleSet, at: dt.datetime) -> None:
    """A proposal says why, on what basis and how to leave; a blacklist rests on serious records
    of the subject that are in force and not under objection; the red list on positive records."""
    if proposal.list is ListKind.SERIOUS_DISHONEST and not proposal.legal_basis_level.is_public:
        raise LegalBasisInsufficient(
            "a serious-dishonest designation rests on a public instrument, not a platform rule",
            level=proposal.legal_basis_level.value,
        )
    records = _records_named(proposal, found)
    if proposal.list.is_blacklist:
        check_blacklist_basis(records, rules, at)
    elif any(not record.category.is_positive for record in records):
        raise InvalidListBasis("the red list rests only on positive records", field="recordIds")


def _records_named(proposal: Proposal, found: Mapping[int, CreditRecord]) -> list[CreditRecord]:
    """The records a proposal rests on: each must exist and be about the subject proposed."""
    missing = [record_id for record_id in proposal.record_ids if record_id not in found]
    if missing:
        raise InvalidListBasis(f"records {missing} do not exist", field="recordIds")
    records = [found[record_id] for record_id in proposal.record_ids]
    if any(record.subject_id != proposal.subject_id for record in records):
        raise InvalidListBasis("every record must be about the subject being listed", field="recordIds")
    return records


def check_blacklist_basis(records: Sequence[CreditRecord], rules: RuleSet, at: dt.datetime) -> None:
    """At least one record; each serious, ACTIVE and within its publicity window (any source:
    the designation is the authority's own act, whoever reported the facts)."""
    if not records:
        raise InvalidListBasis("a blacklist entry must rest on at least one serious record", field="recordIds")
    if any(record.severity is not Severity.SERIOUS for record in records):
        raise InvalidListBasis("a blacklist entry rests only on serious records", field="recordIds")
    if any(record.status is not RecordStatus.ACTIVE for record in records):
        raise InvalidListBasis(
            "every record must be ACTIVE: not under objection, withdrawn or repaired", field="recordIds"
        )
    for record in records:
        if not record_counts_at(record, rules, at):
            raise InvalidListBasis(f"record {record.id} is not in force now", field="recordIds")


def compute_defence_deadline(notice_sent_at: dt.datetime, days: int) -> dt.datetime:
    return notice_sent_at + dt.timedelta(days=days)


def check_may_defend(viewer: Client, entry: ListEntry, subject_platforms: frozenset[str], at: dt.datetime) -> None:
    """The subject states its defence itself, or through a platform where it has an account,
    while the proposal stands and before its deadline."""
    if not (
        viewer.speaks_for(entry.subject_id) or (viewer.role is Role.PLATFORM and viewer.platform in subject_platforms)
    ):
        raise PermissionDenied("a defence is submitted by the subject, or a platform where it has an account")
    if entry.state is not ListEntryState.PROPOSED:
        raise DefenceWindowClosed(f"the proposal was already decided ({entry.state.value})")
    if entry.defence_deadline is not None and entry.defence_deadline <= at:
        raise DefenceWindowClosed(f"the defence deadline passed at {entry.defence_deadline.isoformat()}")


def check_may_decide(viewer: Client, entry: ListEntry) -> None:
    """Only a regulator of the entry's authority decides or ends it, and never what it proposed."""
    if not viewer.acts_for_authority(entry.authority):
        raise PermissionDenied(f"only a regulator of {entry.authority} decides this entry")
    if viewer.label == entry.proposed_by:
        raise PermissionDenied("nobody decides what they proposed: another regulator of the authority decides")


def check_decision(
    entry: ListEntry, listed: bool, valid_until: dt.datetime | None, latest: dt.datetime, at: dt.datetime
) -> None:
    """A proposal is decided once; it comes into force only after the defence deadline, with an
    end after now and no later than `latest` (see `compute_latest_end`). Dropping needs neither."""
    if entry.state is not ListEntryState.PROPOSED:
        raise TransitionNotAllowed(entry.state.value, "DECIDE")
    if not listed:
        return
    if entry.defence_deadline is not None and at < entry.defence_deadline:
        raise DefenceWindowOpen(entry.defence_deadline)
    if valid_until is None:
        raise InvalidValue("validUntil is required when a listing comes into force", field="validUntil")
    if valid_until <= at:
        raise InvalidValue("validUntil must be in the future", field="validUntil")
    if valid_until > latest:
        raise ValidityTooLong(
            f"validUntil may be at most {latest.isoformat()}: the end of the publicity window of the records "
            "the entry rests on",
            latest=latest,
        )


def compute_latest_end(
    kind: ListKind, records: Sequence[CreditRecord], rules: RuleSet, decided_at: dt.datetime
) -> dt.datetime:
    """The latest a listing may last: a blacklist no longer than the publicity window of its
    records under the rules in force; a red entry at most the rule set's red-list term."""
    if kind.is_blacklist:
        ends = [
            compute_window_end(record.severity, record.counts_from, record.valid_until, rules) for record in records
        ]
        present = [end for end in ends if end is not None]
        if present:
            return max(present)
    return add_months(decided_at, rules.red_list_max_months)


def check_may_end(viewer: Client, entry: ListEntry, at: dt.datetime) -> None:
    if not viewer.acts_for_authority(entry.authority):
        raise PermissionDenied(f"only a regulator of {entry.authority} ends this entry")
    if entry.state_at(at) is not ListEntryState.IN_FORCE:
        raise TransitionNotAllowed(entry.state_at(at).value, "END")


def compute_exit(entry: ListEntry, actor: Client, remaining_in_force: int) -> EndCause | None:
    """After a record the entry rests on stopped counting: end the entry (its own authority acted
    and no other record holds it up), or None — open an exit review for its authority instead."""
    if actor.acts_for_authority(entry.authority) and remaining_in_force == 0:
        return EndCause.WITHDRAWN
    return None


def ends_red(severity: Severity | None, occurred_at: dt.datetime, at: dt.datetime) -> bool:
    """Whether a record of this severity, occurred then, ends a red entry at `at` (or keeps one
    from coming into force): a general or serious record that has occurred."""
    return severity in (Severity.GENERAL, Severity.SERIOUS) and occurred_at <= at


def compute_red_conflict(kind: ListKind, subject_blacklisted: bool, adverse_records: int) -> str | None:
    """Why a red entry cannot come into force now, or None."""
    if kind is not ListKind.RED:
        return None
    if subject_blacklisted:
        return "the subject is on a blacklist: the red list and a blacklist never hold it at once"
    if adverse_records:
        return "the subject has a general or serious record in force"
    return None
