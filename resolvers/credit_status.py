"""Batch credit status by credit code: the hot path of onboarding, campaign and payout checks."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import visibility
from credithub.domain.clients import Client
from credithub.domain.status_codec import StoredStatus
from credithub.services import credit_status, read_models
from schema import errors
from schema.context import Info
from schema.credit_status import CREDIT_STATUS_ERRORS, CreditStatus, CreditStatusResult


@strawberry.type
class CreditStatusQueries:
    @strawberry.field(
        description="Credit status for up to 1,000 credit codes at `asOf` (default: now): one result "
        "per input, in input order, each a status or an error; one bad code never fails the batch."
    )
    async def credit_statuses(
        self, info: Info, credit_codes: list[str], as_of: dt.datetime | None = None
    ) -> list[CreditStatusResult]:
        viewer = info.context.viewer
        scope = visibility.compute_enumeration_scope(viewer)
        lookups = await credit_status.statuses_by_credit_code(
            info.context.reading, credit_codes, as_of, only_subject=scope.subject_id
        )
        info.context.note_reads("creditStatuses", (found.subject.id for found in lookups if found.subject is not None))
        return [status_result(lookup, viewer) for lookup in lookups]


def status_result(lookup: credit_status.StatusLookup, viewer: Client) -> CreditStatusResult:
    """One lookup's answer: the status as `viewer` sees it, or its typed error."""
    status = lookup.status
    if lookup.subject is not None and status is not None:
        if isinstance(status, StoredStatus):  # spliced as stored where the selection allows it
            return CreditStatus.from_stored(read_models.stored_status_view(status, viewer), lookup.subject.credit_code)
        return CreditStatus.from_domain(read_models.status_view(status, viewer), lookup.subject.credit_code)
    assert lookup.error is not None
    return errors.from_domain(
        lookup.error,
        given=lookup.input,
        allowed=CREDIT_STATUS_ERRORS,
    )
