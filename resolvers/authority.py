"""Regulators record public authorities' decisions."""

from __future__ import annotations

import strawberry

from credithub.domain import ids
from credithub.services import authority
from schema import errors
from schema.authority import (
    RECORD_AUTHORITY_DECISION_ERRORS,
    AuthorityDecisionInput,
    RecordAuthorityDecisionResult,
    RecordAuthorityDecisionSuccess,
)
from schema.context import Info
from schema.records import CreditRecord


@strawberry.type
class AuthorityMutations:
    @strawberry.mutation(
        description="Record a public authority's decision, or its removal notice (regulators). Same path "
        "as `python -m credithub import authority`."
    )
    async def record_authority_decision(
        self, info: Info, input: AuthorityDecisionInput
    ) -> RecordAuthorityDecisionResult:
        deps = info.context.deps
        try:
            record, outcome = await authority.record_decision(deps, info.context.viewer, input.to_fields())
        except errors.catchable(RECORD_AUTHORITY_DECISION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=RECORD_AUTHORITY_DECISION_ERRORS)
        return RecordAuthorityDecisionSuccess(
            record=CreditRecord.from_domain(record),
            outcome=outcome,
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, record.subject_id)),
        )
