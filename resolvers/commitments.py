"""Making a public credit commitment."""

from __future__ import annotations

import strawberry

from credithub.domain import ids
from credithub.services import commitments
from schema import errors
from schema.commitments import (
    MAKE_COMMITMENT_ERRORS,
    Commitment,
    MakeCommitmentInput,
    MakeCommitmentResult,
    MakeCommitmentSuccess,
)
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
        except errors.catchable(MAKE_COMMITMENT_ERRORS) as exc:
            return errors.from_domain(exc, allowed=MAKE_COMMITMENT_ERRORS)
        return MakeCommitmentSuccess(commitment=Commitment.from_domain(standing))
