"""Reporting violations over GraphQL (the same path as the `violation.reported` webhook)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import strawberry

from schema.credit_status import ExecutionAction, MeasureExecution
from schema.errors import (
    IdentityConflictError,
    InvalidIdentifierError,
    InvalidValueError,
    PermissionDeniedError,
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
    category: RecordCategory  # type: ignore[valid-type]
    severity: Severity  # type: ignore[valid-type]
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
    action: ExecutionAction  # type: ignore[valid-type]
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


ReportMeasureExecutionResult = Annotated[
    ReportMeasureExecutionSuccess
    | InvalidValueError
    | InvalidIdentifierError
    | IdentityConflictError
    | PermissionDeniedError,
    strawberry.union("ReportMeasureExecutionResult"),
]
