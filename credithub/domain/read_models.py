"""Read models: what one viewer is shown of a status, a record or a workflow.

Each is built in one place only, `credithub.services.read_models`, which applies the access
rules of the domain (`flags.visible_flags`, `visibility.compute_record_visibility`,
`visibility.may_read_workflow_texts`, `visibility.may_see_account_details`) for the viewer at
hand. What a viewer may not see is
absent or None here, so whoever maps a read model (GraphQL types, push messages, credit reports)
has nothing left to filter and no rule to remember.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.measures import Tier
from credithub.domain.objections import ObjectionStatus, Outcome, compute_overdue
from credithub.domain.records import Category, LegalBasis, RecordStatus, Severity, SourceType
from credithub.domain.repairs import RepairStatus
from credithub.domain.subjects import AccountStatus


@dataclass(frozen=True, slots=True)
class StatusView:
    """A credit status as one viewer sees it: only the flags it may see (flags of ORIGIN_PLATFORM
    measures only for their source platform)."""

    subject_id: int
    as_of: dt.datetime
    rule_set: str
    tier: Tier
    tier_reason: str
    on_serious_dishonest_list: bool
    on_joint_constraint_list: bool
    on_red_list: bool
    flags: tuple[Flag, ...]
    stable_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StoredStatusView:
    """A stored status (`status_codec.StoredStatus`) as one viewer sees it, still in its stored
    form: `flags` are the stored flags it may see (by the rule `StatusView` is built by), and
    `decoded()` is the same status as a StatusView, for whoever needs more than the form holds."""

    subject_id: int
    as_of: dt.datetime
    stored: dict[str, Any]
    flags: tuple[dict[str, Any], ...]
    decoded: Callable[[], StatusView]


StatusViewing = Callable[[CreditStatus, str | None], StatusView]
"""How a status is shown to a client acting for a platform (None: for none):
`services.read_models.platform_status_view`, passed to domain code that compares what each
platform sees."""


@dataclass(frozen=True, slots=True)
class RecordView:
    """A credit record as one viewer is shown it, with the status it shows now (EXPIRED past its
    window). Redacted: the source's platform, authority and reference, the description and the
    legal basis are None, and so is the history (`redacted`)."""

    id: int
    subject_id: int
    category: Category
    severity: Severity | None
    status: RecordStatus
    occurred_at: dt.datetime
    reported_at: dt.datetime
    decided_at: dt.datetime | None
    valid_until: dt.datetime | None
    version: int
    source_type: SourceType
    source_platform: str | None
    source_authority: str | None
    source_ref: str | None
    description: str | None
    legal_basis: LegalBasis | None
    redacted: bool


@dataclass(frozen=True, slots=True)
class ObjectionView:
    """An objection as one viewer is shown it: `reason` and `resolution_note` are None for viewers
    who may not read the parties' texts."""

    id: int
    record_id: int
    subject_id: int
    filed_by: str
    filed_by_platform: str | None
    filed_at: dt.datetime
    due_at: dt.datetime
    status: ObjectionStatus
    resolved_by: str | None
    resolved_at: dt.datetime | None
    suspends: bool
    outcome: Outcome | None
    reason: str | None
    resolution_note: str | None

    def overdue_at(self, instant: dt.datetime) -> bool:
        return compute_overdue(self.status, self.due_at, instant)


@dataclass(frozen=True, slots=True)
class RepairView:
    """A repair application as one viewer is shown it: `evidence`, `commitment` and
    `decision_note` are None for viewers who may not read the parties' texts."""

    id: int
    record_id: int
    subject_id: int
    applied_by: str
    applied_by_platform: str | None
    applied_at: dt.datetime
    status: RepairStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    evidence: str | None
    commitment: str | None
    decision_note: str | None


@dataclass(frozen=True, slots=True)
class DefenceView:
    """A defence against a listing proposal as one viewer is shown it: `statement` is None for
    viewers who may not read the parties' texts."""

    id: int
    entry_id: int
    submitted_by: str
    submitted_at: dt.datetime
    statement: str | None


@dataclass(frozen=True, slots=True)
class AccountView:
    """A subject's account on a platform as one viewer is shown it: another platform sees only
    its platform and status (`external_id`, `display_name` and `opened_at` None)."""

    id: int
    subject_id: int
    platform: str
    status: AccountStatus
    external_id: str | None
    display_name: str | None
    opened_at: dt.datetime | None
