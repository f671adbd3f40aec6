"""Screening names and codes before onboarding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from credithub.domain import screening
from credithub.services.screening import Screened
from schema.context import Info
from schema.errors import InvalidIdentifierError, from_domain

if TYPE_CHECKING:
    from schema.subjects import Subject

ScreeningMatch = screening.MatchedOn
strawberry.enum(ScreeningMatch, name="ScreeningMatch", description="What matched.")


@strawberry.input(description="A name, a credit code, or both, to screen.")
class ScreeningQueryInput:
    name: str | None = None
    credit_code: str | None = None


@strawberry.type(description="A known subject that may be the one asked about.")
class ScreeningCandidate:
    score: float = strawberry.field(
        description="1 for the same normalised name or credit code; the normalised Indel similarity of the names "
        "otherwise."
    )
    matched_on: list[ScreeningMatch]
    subject_number: strawberry.Private[int]

    @strawberry.field
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        from schema.subjects import subject_from_domain

        found = await info.context.loaders.subject.load(self.subject_number)
        assert found is not None, "candidates are subjects that exist"
        return subject_from_domain(found)


@strawberry.type(description="The candidates for one query, best first.")
class ScreeningResult:
    name: str | None
    credit_code: str | None
    normalized_name: str | None = strawberry.field(description="The name as compared: widths, spaces, suffixes gone.")
    credit_code_error: InvalidIdentifierError | None = strawberry.field(
        description="Why the credit code was not used (the name is still screened)."
    )
    candidates: list[ScreeningCandidate]

    @classmethod
    def from_screened(cls, screened: Screened, given_code: str | None) -> ScreeningResult:
        error = screened.query.credit_code_error
        shown = from_domain(error, given=given_code or "") if error is not None else None
        assert shown is None or isinstance(shown, InvalidIdentifierError)
        return cls(
            name=screened.query.name,
            credit_code=screened.query.credit_code,
            normalized_name=screened.name_key,
            credit_code_error=shown,
            candidates=[
                ScreeningCandidate(score=m.score, matched_on=list(m.matched_on), subject_number=m.subject_id)
                for m in screened.matches
            ],
        )
