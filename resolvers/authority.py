"""Regulators record public authorities' decisions."""

from __future__ import annotations

import strawberry

from credithub.domain import errors as domain_errors
from credithub.domain import ids
from credithub.services import authority
from schema import errors
from schema.authority import AuthorityDecisionInput, RecordAuthorityDecisionResult, RecordAuthorityDecisionSuccess
from schema.context import Info
from schema.records import CreditRecord

# `NotFound` includes `UnknownSubject` (an ID number the hub does not host); `Conflict` the plain
# one (a decision already recorded about another subject) and `TransitionNotAllowed` (a removal).
EXPECTED = (
    domain_errors.InvalidIdentifier,
    domain_errors.InvalidValue,
    domain_errors.NotFound,
    domain_errors.Conflict,
    domain_errors.PermissionDenied,
)


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
        except EXPECTED as exc:
            return errors.from_domain(
                exc,
                allowed=(
                    errors.InvalidValueError,
                    errors.InvalidIdentifierError,
                    errors.UnknownSubjectError,
                    errors.NotFoundError,
                    errors.ConflictError,
                    errors.TransitionNotAllowedError,
                    errors.PermissionDeniedError,
                ),
            )
        return RecordAuthorityDecisionSuccess(
            record=CreditRecord.from_domain(record),
            outcome=outcome,
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, record.subject_id)),
        )
