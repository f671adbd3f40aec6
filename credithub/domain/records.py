"""Credit records: one fact about a subject, from a platform or a public authority."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from credithub.domain.errors import TransitionNotAllowed


class Category(StrEnum):
    COUNTERFEIT_GOODS = "COUNTERFEIT_GOODS"
    FALSE_ADVERTISING = "FALSE_ADVERTISING"
    FAKE_TRANSACTIONS = "FAKE_TRANSACTIONS"
    CONSUMER_RIGHTS = "CONSUMER_RIGHTS"
    DATA_FRAUD = "DATA_FRAUD"
    ILLEGAL_CONTENT = "ILLEGAL_CONTENT"
    TAX_EVASION = "TAX_EVASION"
    CONTRACT_FRAUD = "CONTRACT_FRAUD"
    COURT_DISHONEST_DEBTOR = "COURT_DISHONEST_DEBTOR"
    ADMINISTRATIVE_PENALTY = "ADMINISTRATIVE_PENALTY"
    ABNORMAL_OPERATION = "ABNORMAL_OPERATION"
    PLATFORM_RULE = "PLATFORM_RULE"
    RED_LIST = "RED_LIST"
    A_LEVEL_TAXPAYER = "A_LEVEL_TAXPAYER"
    CREDIT_COMMITMENT = "CREDIT_COMMITMENT"

    @property
    def is_positive(self) -> bool:
        """Positive records (honours, commitments) carry no severity and never restrict."""
        return self in POSITIVE_CATEGORIES


POSITIVE_CATEGORIES = frozenset({Category.RED_LIST, Category.A_LEVEL_TAXPAYER, Category.CREDIT_COMMITMENT})


class Severity(StrEnum):
    MINOR = "MINOR"
    GENERAL = "GENERAL"
    SERIOUS = "SERIOUS"


class RecordStatus(StrEnum):
    ACTIVE = "ACTIVE"
    OBJECTION_PENDING = "OBJECTION_PENDING"
    WITHDRAWN = "WITHDRAWN"
    REPAIRED = "REPAIRED"
    EXPIRED = "EXPIRED"  # derived from time and the publicity rules, never stored


class SourceType(StrEnum):
    PLATFORM = "PLATFORM"
    AUTHORITY = "AUTHORITY"
    SUBJECT = "SUBJECT"  # the subject's own act: a public credit commitment


class LegalBasisLevel(StrEnum):
    """The rank of the instrument a measure or a listing rests on, highest first. Only a law, an
    administrative regulation or a local regulation may ground a mandatory restriction of rights:
    rules, normative documents and platform rules may only recommend one."""

    LAW = "LAW"
    ADMINISTRATIVE_REGULATION = "ADMINISTRATIVE_REGULATION"
    LOCAL_REGULATION = "LOCAL_REGULATION"
    DEPARTMENTAL_RULE = "DEPARTMENTAL_RULE"
    NORMATIVE_DOCUMENT = "NORMATIVE_DOCUMENT"
    PLATFORM_RULE = "PLATFORM_RULE"

    @property
    def may_mandate_restrictions(self) -> bool:
        return self in MANDATING_LEVELS

    @property
    def is_public(self) -> bool:
        """An instrument of the state (not a platform's own rule)."""
        return self is not LegalBasisLevel.PLATFORM_RULE


MANDATING_LEVELS = frozenset(
    {LegalBasisLevel.LAW, LegalBasisLevel.ADMINISTRATIVE_REGULATION, LegalBasisLevel.LOCAL_REGULATION}
)


@dataclass(frozen=True, slots=True)
class LegalBasis:
    """The law, regulation or platform rule a record or measure rests on."""

    text: str
    reference: str | None


@dataclass(frozen=True, slots=True)
class Source:
    """Who reported the record: a platform (by code) or a public authority (by name)."""

    type: SourceType
    platform: str | None
    authority: str | None
    ref: str  # the source's own id for the fact, e.g. the platform's violation id


@dataclass(frozen=True, slots=True)
class CreditRecord:
    id: int
    subject_id: int
    source: Source
    category: Category
    severity: Severity | None  # None for positive categories
    occurred_at: dt.datetime
    reported_at: dt.datetime
    description: str | None
    legal_basis: LegalBasis
    status: RecordStatus
    valid_until: dt.datetime | None  # the source's own end: publicity until (公示截止期), a red-list term
    decided_at: dt.datetime | None = None  # the source's decision date (处罚决定日期), when it gives one
    version: int = 1  # grows each time the source re-publishes the fact changed

    @property
    def counts_from(self) -> dt.datetime:
        return compute_counts_from(self.occurred_at, self.decided_at)


def compute_counts_from(occurred_at: dt.datetime, decided_at: dt.datetime | None) -> dt.datetime:
    """A record counts, and its publicity window runs, from the source's decision date when it
    gives one (a penalty exists from its decision), else from when the fact occurred. Twin of the
    SQL function `record_counts_from` (a parity test holds them together)."""
    return decided_at if decided_at is not None else occurred_at


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One transition of a record's status, kept forever so any past state can be rebuilt."""

    record_id: int
    from_status: RecordStatus | None
    to_status: RecordStatus
    actor: str
    reason: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class Reclassification:
    """A record's category and severity as an upheld objection corrects them."""

    category: Category
    severity: Severity | None


@dataclass(frozen=True, slots=True)
class Correction:
    """One correction of a record's category or severity, kept forever like its status history."""

    record_id: int
    from_category: Category
    from_severity: Severity | None
    to_category: Category
    to_severity: Severity | None
    actor: str
    reason: str
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class RecordVersion:
    """An earlier version of a record, kept when its source re-published the fact changed."""

    record_id: int
    version: int
    replaced_at: dt.datetime
    replaced_by: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """Which records a list shows; None (or an empty tuple never passed) means no restriction."""

    categories: tuple[Category, ...] | None = None
    severities: tuple[Severity, ...] | None = None
    statuses: tuple[RecordStatus, ...] | None = None
    source_platform: str | None = None
    occurred_from: dt.datetime | None = None
    occurred_before: dt.datetime | None = None


# The stored statuses in which a record counts (produces measures, grounds a listing) while inside
# its publicity window; past it, a record in one of them shows EXPIRED.
COUNTING_STATUSES: Final = frozenset({RecordStatus.ACTIVE, RecordStatus.OBJECTION_PENDING})


def compute_shown_status(stored: RecordStatus, window_end: dt.datetime | None, at: dt.datetime) -> RecordStatus:
    """EXPIRED is derived from time: an active (or disputed) record past its publicity window."""
    if stored in COUNTING_STATUSES and window_end is not None and window_end <= at:
        return RecordStatus.EXPIRED
    return stored


class RecordEvent(StrEnum):
    """What can happen to a record after it is reported."""

    FILE_OBJECTION = "FILE_OBJECTION"
    UPHOLD_OBJECTION = "UPHOLD_OBJECTION"
    REJECT_OBJECTION = "REJECT_OBJECTION"
    CORRECT = "CORRECT"  # an upheld objection corrects the category or severity
    REVOKE = "REVOKE"  # the source takes it back
    REPAIR = "REPAIR"


# The record lifecycle. WITHDRAWN is final; anything not listed is refused. An objection that did
# not suspend the record (filed again after a rejection) is resolved from ACTIVE.
TRANSITIONS: Final[dict[tuple[RecordStatus, RecordEvent], RecordStatus]] = {
    (RecordStatus.ACTIVE, RecordEvent.FILE_OBJECTION): RecordStatus.OBJECTION_PENDING,
    (RecordStatus.OBJECTION_PENDING, RecordEvent.UPHOLD_OBJECTION): RecordStatus.WITHDRAWN,
    (RecordStatus.OBJECTION_PENDING, RecordEvent.REJECT_OBJECTION): RecordStatus.ACTIVE,
    (RecordStatus.OBJECTION_PENDING, RecordEvent.CORRECT): RecordStatus.ACTIVE,
    (RecordStatus.ACTIVE, RecordEvent.UPHOLD_OBJECTION): RecordStatus.WITHDRAWN,
    (RecordStatus.ACTIVE, RecordEvent.REJECT_OBJECTION): RecordStatus.ACTIVE,
    (RecordStatus.ACTIVE, RecordEvent.CORRECT): RecordStatus.ACTIVE,
    (RecordStatus.ACTIVE, RecordEvent.REVOKE): RecordStatus.WITHDRAWN,
    (RecordStatus.OBJECTION_PENDING, RecordEvent.REVOKE): RecordStatus.WITHDRAWN,
    (RecordStatus.REPAIRED, RecordEvent.REVOKE): RecordStatus.WITHDRAWN,
    (RecordStatus.ACTIVE, RecordEvent.REPAIR): RecordStatus.REPAIRED,
}


def apply_event(status: RecordStatus, event: RecordEvent) -> RecordStatus:
    """The status after `event`, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(status, event)]
    except KeyError:
        raise TransitionNotAllowed(status.value, event.value) from None
