"""`creditReport`: a signed report on one subject, audited with its purpose."""

from __future__ import annotations

import strawberry

from credithub.domain import ids
from credithub.services import credit_reports
from schema import errors
from schema.context import Info
from schema.credit_reports import CREDIT_REPORT_ERRORS, CreditReport, CreditReportResult


@strawberry.type
class CreditReportQueries:
    @strawberry.field(
        description="A signed credit report on a subject: records in their publicity window, lists, flags "
        "with their legal bases and the rule set in force. Regulators, platforms stating `purpose` (kept in "
        "the audit trail with the read), and a subject client about itself."
    )
    async def credit_report(
        self, info: Info, subject_id: strawberry.ID, purpose: str | None = None
    ) -> CreditReportResult:
        try:
            number = ids.parse_id(ids.IdKind.SUBJECT, subject_id, field_name="subjectId")
            # On the primary, never the replica: a signed report states the standing at its issue instant.
            issued = await credit_reports.issue(info.context.deps, info.context.viewer, number, purpose)
        except errors.catchable(CREDIT_REPORT_ERRORS) as exc:
            return errors.from_domain(exc, given=subject_id, allowed=CREDIT_REPORT_ERRORS)
        info.context.note_reads("creditReport", [issued.subject.id], purpose=issued.purpose)
        return CreditReport.from_issued(issued)
