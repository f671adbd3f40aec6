"""Public authorities' decisions recorded by regulators (the same path as `import authority`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import strawberry

from credithub.domain import authority as domain_authority
from schema.errors import (
    ConflictError,
    InvalidIdentifierError,
    InvalidValueError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    UnknownSubjectError,
)
from schema.records import CreditRecord, RecordCategory, Severity

AuthorityRemoval = domain_authority.Removal
strawberry.enum(
    AuthorityRemoval,
    description="A removal notice: WITHDRAW (the authority revoked the decision) or REPAIR (it ended "
    "the decision's publicity after credit repair).",
)
DecisionOutcome = domain_authority.DecisionOutcome
strawberry.enum(DecisionOutcome, description="What recording a decision did.")


@strawberry.input(
    description="One decision of a public authority, keyed by (authority, decisionNumber): the same "
    "decision again changes nothing, a changed one becomes a new version of the record."
)
class AuthorityDecisionInput:
    authority: str = strawberry.field(description="The deciding body (处罚机关 / 认定单位).")
    decision_number: str = strawberry.field(description="The decision document number (决定文书号 / 认定文号).")
    subject_name: str
    credit_code: str | None = strawberry.field(default=None, description="Organisations: the credit code.")
    id_number: str | None = strawberry.field(
        default=None, description="Natural persons: the resident ID, hashed at once; only anchors the hub hosts."
    )
    category: RecordCategory = RecordCategory.ADMINISTRATIVE_PENALTY
    severity: Severity | None = strawberry.field(
        default=None, description="Required for negative records; none for positive ones."
    )
    decided_at: dt.datetime = strawberry.field(description="The decision date: the record counts from it.")
    occurred_at: dt.datetime | None = strawberry.field(default=None, description="Default: decidedAt.")
    publicity_until: dt.datetime | None = strawberry.field(
        default=None, description="The source's own end of publicity (公示截止期) or term."
    )
    legal_basis: str
    legal_basis_reference: str | None = None
    description: str | None = None
    removal: AuthorityRemoval | None = None

    def to_fields(self) -> domain_authority.DecisionFields:
        return domain_authority.DecisionFields(
            authority=self.authority,
            decision_number=self.decision_number,
            subject_name=self.subject_name,
            credit_code=self.credit_code,
            id_number=self.id_number,
            category=self.category,
            severity=self.severity,
            decided_at=self.decided_at,
            occurred_at=self.occurred_at,
            publicity_until=self.publicity_until,
            legal_basis=self.legal_basis,
            legal_basis_reference=self.legal_basis_reference,
            description=self.description,
            removal=self.removal,
        )


@strawberry.type(description="The record as kept after the decision, and what recording it did.")
class RecordAuthorityDecisionSuccess:
    record: CreditRecord
    outcome: DecisionOutcome
    subject_id: strawberry.ID


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
# `UnknownSubject`: an ID number the hub does not host; the plain `Conflict`: a decision already
# recorded about another subject; `TransitionNotAllowed`: a removal.
RECORD_AUTHORITY_DECISION_ERRORS: Final = (
    InvalidValueError,
    InvalidIdentifierError,
    UnknownSubjectError,
    NotFoundError,
    ConflictError,
    TransitionNotAllowedError,
    PermissionDeniedError,
)
RecordAuthorityDecisionResult = Annotated[
    RecordAuthorityDecisionSuccess
    | InvalidValueError
    | InvalidIdentifierError
    | UnknownSubjectError
    | NotFoundError
    | ConflictError
    | TransitionNotAllowedError
    | PermissionDeniedError,
    strawberry.union("RecordAuthorityDecisionResult"),
]
