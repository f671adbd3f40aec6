"""Platforms report violations over GraphQL, through the same handler as the webhook."""

from __future__ import annotations

import strawberry

from credithub.domain import errors as domain_errors
from credithub.domain import events, ids
from credithub.domain.rules import compute_shown_record_status
from credithub.domain.visibility import RecordVisibility
from credithub.services import catalog, reports
from schema import errors
from schema.context import Info
from schema.credit_status import MeasureExecution
from schema.records import CreditRecord
from schema.reports import (
    ReportMeasureExecutionInput,
    ReportMeasureExecutionResult,
    ReportMeasureExecutionSuccess,
    ReportViolationInput,
    ReportViolationResult,
    ReportViolationSuccess,
)


@strawberry.type
class ReportMutations:
    @strawberry.mutation(
        description="Report a violation (platform clients, for their own platform). Same fields "
        "and effect as the violation.reported webhook."
    )
    async def report_violation(self, info: Info, input: ReportViolationInput) -> ReportViolationResult:
        deps, now = info.context.deps, info.context.now()
        try:
            event = events.parse_event(input.to_event_body(now), person_key=deps.person_key, now=now)
            record = await reports.report(deps, info.context.viewer, event)
        except (
            domain_errors.InvalidIdentifier,
            domain_errors.InvalidValue,
            domain_errors.IdentityConflict,
            domain_errors.ViolationConflict,
            domain_errors.PermissionDenied,
        ) as exc:
            return errors.from_domain(exc)  # type: ignore[return-value]
        shown = compute_shown_record_status(record, await catalog.rules_now(deps), now)
        return ReportViolationSuccess(
            record=CreditRecord.from_domain(record, RecordVisibility.FULL, shown),
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, record.subject_id)),
        )

    @strawberry.mutation(
        description="Report that your platform applied or lifted a measure for a subject (execution "
        "feedback; platform clients, for their own platform). Same fields and effect as the "
        "measure.executed webhook."
    )
    async def report_measure_execution(
        self, info: Info, input: ReportMeasureExecutionInput
    ) -> ReportMeasureExecutionResult:
        deps, now = info.context.deps, info.context.now()
        try:
            event = events.parse_event(input.to_event_body(now), person_key=deps.person_key, now=now)
            execution = await reports.report_execution(deps, info.context.viewer, event)
        except (
            domain_errors.InvalidIdentifier,
            domain_errors.InvalidValue,
            domain_errors.IdentityConflict,
            domain_errors.PermissionDenied,
        ) as exc:
            return errors.from_domain(exc)  # type: ignore[return-value]
        return ReportMeasureExecutionSuccess(
            execution=MeasureExecution.from_domain(execution),
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, execution.subject_id)),
        )
