"""Signed credit reports."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Final

import strawberry

from credithub.domain import credit_reports
from credithub.services.credit_reports import IssuedReport
from schema.context import Info
from schema.errors import (
    InvalidIdError,
    InvalidValueError,
    PermissionDeniedError,
    PurposeRequiredError,
    StatusUnavailableError,
    UnknownSubjectError,
)

if TYPE_CHECKING:
    from schema.subjects import Subject


@strawberry.type(
    description="A dated credit report the hub signed (Ed25519): anyone verifies `signed` offline with "
    "the key at /.well-known/credithub-report-key, or with `python -m credithub verify-report FILE`."
)
class CreditReport:
    report_id: str
    issued_at: dt.datetime
    purpose: str | None
    key_id: str = strawberry.field(description="The signing key's id, as published.")
    signed: str = strawberry.field(
        description="The whole signed document as one JSON text: {document, signature}; exactly what "
        "verify-report reads."
    )
    subject_number: strawberry.Private[int]
    document: strawberry.Private[dict[str, Any]]
    signature: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="The subject reported on.")
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        from schema.subjects import subject_from_domain

        found = await info.context.loaders.subject.load(self.subject_number)
        assert found is not None, "a report is about a subject that exists"
        return subject_from_domain(found)

    @strawberry.field(description="A printable HTML page of the report, with its signature.")
    def html(self) -> str:
        return credit_reports.render_html(self.document, self.signature)

    @classmethod
    def from_issued(cls, issued: IssuedReport) -> CreditReport:
        return cls(
            report_id=issued.document["reportId"],
            issued_at=issued.issued_at,
            purpose=issued.purpose,
            key_id=issued.signature["keyId"],
            signed=issued.signed,
            subject_number=issued.subject.id,
            document=issued.document,
            signature=issued.signature,
        )


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
CREDIT_REPORT_ERRORS: Final = (
    PurposeRequiredError,
    PermissionDeniedError,
    UnknownSubjectError,
    InvalidIdError,
    InvalidValueError,
    StatusUnavailableError,
)
CreditReportResult = Annotated[
    CreditReport
    | PurposeRequiredError
    | PermissionDeniedError
    | UnknownSubjectError
    | InvalidIdError
    | InvalidValueError
    | StatusUnavailableError,
    strawberry.union("CreditReportResult"),
]
