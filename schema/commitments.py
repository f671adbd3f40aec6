"""Public credit commitments, with where each stands."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import strawberry

from credithub.domain import commitments, ids
from schema.errors import InvalidIdError, InvalidValueError, PermissionDeniedError, UnknownSubjectError

CommitmentState = commitments.CommitmentState
strawberry.enum(
    CommitmentState,
    description="IN_TERM (the term runs, nothing broke it), KEPT (the term is over, nothing broke it), BROKEN "
    "(a general or serious record of the subject occurred within the term).",
)


@strawberry.type(description="A public credit commitment (信用承诺): the subject's own promise, with a term.")
class Commitment:
    id: strawberry.ID
    subject_id: strawberry.ID
    content: str
    purpose: str | None = strawberry.field(description="What it was made for (an application, a repair), if said.")
    term_from: dt.datetime
    term_until: dt.datetime
    made_by: str
    made_at: dt.datetime
    state: CommitmentState
    broken_by_record_id: strawberry.ID | None = strawberry.field(
        description="The earliest record within the term that broke it."
    )
    broken_at: dt.datetime | None = strawberry.field(description="When that record's fact occurred.")

    @classmethod
    def from_domain(cls, standing: commitments.Standing) -> Commitment:
        made = standing.commitment
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.COMMITMENT, made.id)),
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, made.subject_id)),
            content=made.content,
            purpose=made.purpose,
            term_from=made.term_from,
            term_until=made.term_until,
            made_by=made.made_by,
            made_at=made.made_at,
            state=standing.state,
            broken_by_record_id=(
                strawberry.ID(ids.format_id(ids.IdKind.RECORD, standing.broken_by))
                if standing.broken_by is not None
                else None
            ),
            broken_at=standing.broken_at,
        )


@strawberry.input(description="A commitment: by a subject client for itself, or recorded by a regulator.")
class MakeCommitmentInput:
    subject_id: strawberry.ID
    content: str = strawberry.field(description="What the subject promises, in its own words (at most 2,000).")
    term_until: dt.datetime = strawberry.field(description="The end of the term (at most five years after its start).")
    term_from: dt.datetime | None = strawberry.field(default=None, description="The start of the term; default now.")
    purpose: str | None = strawberry.field(default=None, description="What it is made for (at most 200).")


@strawberry.type
class MakeCommitmentSuccess:
    commitment: Commitment


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
MAKE_COMMITMENT_ERRORS: Final = (InvalidIdError, InvalidValueError, UnknownSubjectError, PermissionDeniedError)
MakeCommitmentResult = Annotated[
    MakeCommitmentSuccess | InvalidIdError | InvalidValueError | UnknownSubjectError | PermissionDeniedError,
    strawberry.union("MakeCommitmentResult"),
]
