"""Making a public credit commitment."""

from __future__ import annotations

import strawberry

from credithub.domain import errors as domain_errors
from credithub.domain import ids
from credithub.services import commitments
from schema import errors
from schema.commitments import Commitment, MakeCommitmentInput, MakeCommitmentResult, MakeCommitmentSuccess
from schema.context import Info


@strawberry.type
class CommitmentMutations:
    @strawberry.mutation(
        description="Make a public credit commitment (subject clients, for themselves; regulators record one they "
        "received). A general or serious record within its term marks it BROKEN."
    )
    async def make_commitment(self, info: Info, input: MakeCommitmentInput) -> MakeCommitmentResult:
        try:
            standing = await commitments.make_commitment(
                info.context.deps,
                info.context.viewer,
                ids.parse_id(ids.IdKind.SUBJECT, input.subject_id, field_name="subjectId"),
                content=input.content,
                purpose=input.purpose,
                term_from=input.term_from,
                term_until=input.term_until,
            )
        except (
            domain_errors.InvalidId,
            domain_errors.InvalidValue,
            domain_errors.UnknownSubject,
            domain_errors.PermissionDenied,
        ) as exc:
            return errors.from_domain(
                exc,
                allowed=(
                    errors.InvalidIdError,
                    errors.InvalidValueError,
                    errors.UnknownSubjectError,
                    errors.PermissionDeniedError,
                ),
            )
        return MakeCommitmentSuccess(commitment=Commitment.from_domain(standing))
