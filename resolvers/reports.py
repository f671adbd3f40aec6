"""Platforms report over GraphQL, through the same handlers as their webhooks."""

from __future__ import annotations

import strawberry

from credithub.domain import events, ids
from credithub.services import reports
from schema import errors
from schema.accounts import Account
from schema.context import Info
from schema.credit_status import MeasureExecution
from schema.records import CreditRecord
from schema.reports import (
    CHANGE_RELATION_ERRORS,
    REPORT_MEASURE_EXECUTION_ERRORS,
    REPORT_VIOLATION_ERRORS,
    REVOKE_VIOLATION_ERRORS,
    UPDATE_ACCOUNT_ERRORS,
    ChangeRelationInput,
    ChangeRelationResult,
    ChangeRelationSuccess,
    ReportMeasureExecutionInput,
    ReportMeasureExecutionResult,
    ReportMeasureExecutionSuccess,
    ReportViolationInput,
    ReportViolationResult,
    ReportViolationSuccess,
    RevokeViolationInput,
    RevokeViolationResult,
    RevokeViolationSuccess,
    UpdateAccountInput,
    UpdateAccountResult,
    UpdateAccountSuccess,
)


def _subject_id(subject_id: int) -> strawberry.ID:
    return strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, subject_id))


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
        except errors.catchable(REPORT_VIOLATION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=REPORT_VIOLATION_ERRORS)
        return ReportViolationSuccess(
            record=CreditRecord.from_domain(record), subject_id=_subject_id(record.subject_id)
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
        except errors.catchable(REPORT_MEASURE_EXECUTION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=REPORT_MEASURE_EXECUTION_ERRORS)
        return ReportMeasureExecutionSuccess(
            execution=MeasureExecution.from_domain(execution),
            subject_id=_subject_id(execution.subject_id),
        )

    @strawberry.mutation(
        description="Take back a violation your platform reported (platform clients): the record becomes "
        "WITHDRAWN. Same fields and effect as the violation.revoked webhook."
    )
    async def revoke_violation(self, info: Info, input: RevokeViolationInput) -> RevokeViolationResult:
        deps, now = info.context.deps, info.context.now()
        try:
            event = events.parse_event(input.to_event_body(now), person_key=deps.person_key, now=now)
            record = await reports.revoke(deps, info.context.viewer, event)
        except errors.catchable(REVOKE_VIOLATION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=REVOKE_VIOLATION_ERRORS)
        return RevokeViolationSuccess(
            record=CreditRecord.from_domain(record), subject_id=_subject_id(record.subject_id)
        )

    @strawberry.mutation(
        description="Tell the hub an account's state on your platform (platform clients). Same fields and "
        "effect as the account.updated webhook."
    )
    async def update_account(self, info: Info, input: UpdateAccountInput) -> UpdateAccountResult:
        deps, now = info.context.deps, info.context.now()
        try:
            event = events.parse_event(input.to_event_body(now), person_key=deps.person_key, now=now)
            account = await reports.update(deps, info.context.viewer, event)
        except errors.catchable(UPDATE_ACCOUNT_ERRORS) as exc:
            return errors.from_domain(exc, allowed=UPDATE_ACCOUNT_ERRORS)
        return UpdateAccountSuccess(account=Account.from_domain(account), subject_id=_subject_id(account.subject_id))

    @strawberry.mutation(
        description="An MCN signing or a legal representation begins or ends (platform clients). Same fields "
        "and effect as the relation.changed webhook."
    )
    async def change_relation(self, info: Info, input: ChangeRelationInput) -> ChangeRelationResult:
        deps, now = info.context.deps, info.context.now()
        try:
            event = events.parse_event(input.to_event_body(now), person_key=deps.person_key, now=now)
            from_id, to_id = await reports.relate(deps, info.context.viewer, event)
        except errors.catchable(CHANGE_RELATION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=CHANGE_RELATION_ERRORS)
        command = event.command
        assert isinstance(command, events.RelationChanged)
        return ChangeRelationSuccess(
            relation=command.relation,
            from_subject_id=_subject_id(from_id) if from_id is not None else None,
            to_subject_id=_subject_id(to_id),
            valid_from=command.valid_from,
            valid_to=command.valid_to,
        )
