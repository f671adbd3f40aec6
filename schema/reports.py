"""Reporting over GraphQL: the same fields and path as the webhooks (`violation.reported`,
`violation.revoked`, `account.updated`, `relation.changed`, `measure.executed`)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, Final

import strawberry

from schema.accounts import Account, AccountStatus
from schema.credit_status import ExecutionAction, MeasureExecution
from schema.enums import RelationKind
from schema.errors import (
    IdentityConflictError,
    InvalidIdentifierError,
    InvalidValueError,
    NoSuchFlagError,
    NotYetKnownError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    ViolationConflictError,
)
from schema.records import CreditRecord, RecordCategory, Severity


@strawberry.enum(description="The kind of subject a violation is reported against.")
class ReportedKind(StrEnum):
    MERCHANT = "MERCHANT"
    MCN_AGENCY = "MCN_AGENCY"
    ANCHOR = "ANCHOR"


@strawberry.input(
    description="The subject as the reporting platform knows it. Merchants and MCN agencies give "
    "`creditCode`, anchors `idNumber` (a resident ID, hashed at once and never stored)."
)
class PartyInput:
    kind: ReportedKind
    account_id: str = strawberry.field(description="The subject's account on the reporting platform.")
    name: str | None = strawberry.field(default=None, description="Needed when the hub has not seen the subject.")
    credit_code: str | None = None
    id_number: str | None = None

    def to_raw(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "account_id": self.account_id,
            "name": self.name,
            "credit_code": self.credit_code,
            "id_number": self.id_number,
        }


@strawberry.input(description="A violation, with the fields of the violation.reported webhook.")
class ReportViolationInput:
    violation_id: str = strawberry.field(
        description="The platform's own id for the violation; reporting it again changes nothing."
    )
    subject: PartyInput
    category: RecordCategory
    severity: Severity
    occurred_at: dt.datetime
    description: str
    legal_basis: str
    legal_basis_reference: str | None = None

    def to_event_body(self, now: dt.datetime) -> dict[str, Any]:
        """The webhook body this input stands for, so that both are validated the same way."""
        return {
            "type": "violation.reported",
            "timestamp": now.isoformat(),
            "data": {
                "violation_id": self.violation_id,
                "subject": self.subject.to_raw(),
                "category": str(self.category),
                "severity": str(self.severity),
                "occurred_at": self.occurred_at.isoformat(),
                "description": self.description,
                "legal_basis": self.legal_basis,
                "legal_basis_ref": self.legal_basis_reference,
            },
        }


@strawberry.type(description="The record as kept (the one already kept, if the violation id was reported before).")
class ReportViolationSuccess:
    record: CreditRecord
    subject_id: strawberry.ID


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
REPORT_VIOLATION_ERRORS: Final = (
    InvalidValueError,
    InvalidIdentifierError,
    IdentityConflictError,
    ViolationConflictError,
    PermissionDeniedError,
)
ReportViolationResult = Annotated[
    ReportViolationSuccess
    | InvalidValueError
    | InvalidIdentifierError
    | IdentityConflictError
    | ViolationConflictError
    | PermissionDeniedError,
    strawberry.union("ReportViolationResult"),
]


@strawberry.input(description="Execution feedback, with the fields of the measure.executed webhook.")
class ReportMeasureExecutionInput:
    subject: PartyInput
    measure: str = strawberry.field(description="A code of the measures catalog, e.g. LIVE_STREAM_BAN.")
    action: ExecutionAction
    executed_at: dt.datetime
    note: str | None = None

    def to_event_body(self, now: dt.datetime) -> dict[str, Any]:
        """The webhook body this input stands for, so that both are validated the same way."""
        return {
            "type": "measure.executed",
            "timestamp": now.isoformat(),
            "data": {
                "subject": self.subject.to_raw(),
                "measure": self.measure,
                "action": str(self.action),
                "executed_at": self.executed_at.isoformat(),
                "note": self.note,
            },
        }


@strawberry.type(description="The report as kept (reporting the same again changes nothing).")
class ReportMeasureExecutionSuccess:
    execution: MeasureExecution
    subject_id: strawberry.ID


REPORT_MEASURE_EXECUTION_ERRORS: Final = (
    InvalidValueError,
    InvalidIdentifierError,
    IdentityConflictError,
    PermissionDeniedError,
    NoSuchFlagError,
)
ReportMeasureExecutionResult = Annotated[
    ReportMeasureExecutionSuccess
    | InvalidValueError
    | InvalidIdentifierError
    | IdentityConflictError
    | PermissionDeniedError
    | NoSuchFlagError,
    strawberry.union("ReportMeasureExecutionResult"),
]


@strawberry.input(description="A violation the platform takes back, with the fields of the violation.revoked webhook.")
class RevokeViolationInput:
    violation_id: str = strawberry.field(description="The platform's own id of a violation it reported.")
    reason: str

    def to_event_body(self, now: dt.datetime) -> dict[str, Any]:
        """The webhook body this input stands for, so that both are validated the same way."""
        return {
            "type": "violation.revoked",
            "timestamp": now.isoformat(),
            "data": {"violation_id": self.violation_id, "reason": self.reason},
        }


@strawberry.type(description="The record, now WITHDRAWN (revoking it again changes nothing).")
class RevokeViolationSuccess:
    record: CreditRecord
    subject_id: strawberry.ID


REVOKE_VIOLATION_ERRORS: Final = (InvalidValueError, NotYetKnownError, TransitionNotAllowedError, PermissionDeniedError)
RevokeViolationResult = Annotated[
    RevokeViolationSuccess | InvalidValueError | NotYetKnownError | TransitionNotAllowedError | PermissionDeniedError,
    strawberry.union("RevokeViolationResult"),
]


@strawberry.input(description="An account's state, with the fields of the account.updated webhook.")
class UpdateAccountInput:
    subject: PartyInput
    status: AccountStatus
    opened_at: dt.datetime | None = None

    def to_event_body(self, now: dt.datetime) -> dict[str, Any]:
        """The webhook body this input stands for, so that both are validated the same way."""
        return {
            "type": "account.updated",
            "timestamp": now.isoformat(),
            "data": {
                "subject": self.subject.to_raw(),
                "status": str(self.status),
                "opened_at": self.opened_at.isoformat() if self.opened_at is not None else None,
            },
        }


@strawberry.type(description="The account as kept now.")
class UpdateAccountSuccess:
    account: Account
    subject_id: strawberry.ID


UPDATE_ACCOUNT_ERRORS: Final = (InvalidValueError, InvalidIdentifierError, IdentityConflictError, PermissionDeniedError)
UpdateAccountResult = Annotated[
    UpdateAccountSuccess | InvalidValueError | InvalidIdentifierError | IdentityConflictError | PermissionDeniedError,
    strawberry.union("UpdateAccountResult"),
]


@strawberry.enum(description="Who a relation can name: the three subject kinds, or a person (a legal representative).")
class RelationPartyKind(StrEnum):
    MERCHANT = "MERCHANT"
    MCN_AGENCY = "MCN_AGENCY"
    ANCHOR = "ANCHOR"
    PERSON = "PERSON"


@strawberry.input(
    description="One end of a relation. Merchants and MCN agencies give `creditCode`; anchors and persons "
    "`idNumber` (hashed at once, never stored). `accountId` is optional here."
)
class RelationPartyInput:
    kind: RelationPartyKind
    account_id: str | None = None
    name: str | None = strawberry.field(default=None, description="Needed when the hub has not seen the subject.")
    credit_code: str | None = None
    id_number: str | None = None

    def to_raw(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "account_id": self.account_id,
            "name": self.name,
            "credit_code": self.credit_code,
            "id_number": self.id_number,
        }


@strawberry.input(description="A relation begins or ends, with the fields of the relation.changed webhook.")
class ChangeRelationInput:
    relation: RelationKind
    from_party: RelationPartyInput = strawberry.field(name="from")
    to_party: RelationPartyInput = strawberry.field(name="to")
    valid_from: dt.datetime
    valid_to: dt.datetime | None = strawberry.field(
        default=None, description="Null while in force; the same relation and validFrom with a validTo ends it."
    )

    def to_event_body(self, now: dt.datetime) -> dict[str, Any]:
        """The webhook body this input stands for, so that both are validated the same way."""
        return {
            "type": "relation.changed",
            "timestamp": now.isoformat(),
            "data": {
                "relation": str(self.relation),
                "from": self.from_party.to_raw(),
                "to": self.to_party.to_raw(),
                "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat() if self.valid_to is not None else None,
            },
        }


@strawberry.type(description="The relation as kept now.")
class ChangeRelationSuccess:
    relation: RelationKind
    from_subject_id: strawberry.ID | None = strawberry.field(description="Null when the relation starts at a person.")
    to_subject_id: strawberry.ID
    valid_from: dt.datetime
    valid_to: dt.datetime | None


CHANGE_RELATION_ERRORS: Final = (
    InvalidValueError,
    InvalidIdentifierError,
    IdentityConflictError,
    PermissionDeniedError,
)
ChangeRelationResult = Annotated[
    ChangeRelationSuccess | InvalidValueError | InvalidIdentifierError | IdentityConflictError | PermissionDeniedError,
    strawberry.union("ChangeRelationResult"),
]
