"""Screening before onboarding: names and credit codes, and anchors by ID number."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import visibility
from credithub.services import credit_status, screening
from resolvers.credit_status import status_result
from schema.context import Info
from schema.credit_status import CreditStatusResult
from schema.screening import ScreeningQueryInput, ScreeningResult


@strawberry.type
class ScreeningQueries:
    @strawberry.field(
        description="For each query (up to 100), the known subjects it may be, scored 0-1 on normalised names "
        "(full/half width, spaces, punctuation and legal-form suffixes ignored) or matched by credit code; "
        "those at or above `threshold` (default 0.8), best first. Not for subject clients: they see only themselves."
    )
    async def screen_subjects(
        self,
        info: Info,
        queries: list[ScreeningQueryInput],
        threshold: float | None = None,
        max_candidates: int | None = None,
    ) -> list[ScreeningResult]:
        raw = [(query.name, query.credit_code) for query in queries]
        scope = visibility.compute_enumeration_scope(info.context.viewer)
        screened = await screening.screen(
            info.context.reading, raw, threshold, max_candidates, only_subject=scope.subject_id
        )
        return [
            ScreeningResult.from_screened(item, query.credit_code)
            for item, query in zip(screened, queries, strict=True)
        ]

    @strawberry.field(
        description="Credit status of anchors by resident ID number, before onboarding: up to 1,000, one result "
        "per input in input order. Numbers are hashed at once, never stored, logged or echoed; an unknown "
        "number is an UnknownSubjectError and stays unknown. Not for subject clients."
    )
    async def credit_statuses_by_id_number(
        self, info: Info, id_numbers: list[str], as_of: dt.datetime | None = None
    ) -> list[CreditStatusResult]:
        scope = visibility.compute_enumeration_scope(info.context.viewer)
        lookups = await credit_status.statuses_by_id_number(
            info.context.reading, id_numbers, as_of, only_subject=scope.subject_id
        )
        found = (lookup.subject.id for lookup in lookups if lookup.subject is not None)
        info.context.note_reads("creditStatusesByIdNumber", found)
        return [status_result(lookup, info.context.viewer) for lookup in lookups]
