"""`creditStatusChanged`: a live feed of credit status changes for dashboards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Final

import strawberry

from credithub.domain import identifiers, ids, status_feed, subjects, visibility
from credithub.domain.errors import BatchTooLarge, PermissionDenied, UnknownSubject
from credithub.services import clients
from credithub.services.status_feed import REVOKED
from credithub.services.statuses import OUTAGE
from schema.context import Context, Info
from schema.status_feed import CreditStatusChange
from schema.subjects import subject_from_domain

MAX_WATCHED: Final = 1000


@strawberry.type
class StatusFeedSubscriptions:
    @strawberry.subscription(
        description="Every change of a subject's credit standing as you see it, from now on: pass "
        "`subjectIds` and/or `creditCodes` (at most 1,000 in all) to watch only those subjects. "
        "Each event is read, and audited, when it reaches you. If the feed cannot promise every "
        "change any more (interrupted, or read too slowly) the subscription ends with the error "
        "LIVE_FEED_LOST: reload what you show, then subscribe again."
    )
    async def credit_status_changed(
        self, info: Info, subject_ids: list[strawberry.ID] | None = None, credit_codes: list[str] | None = None
    ) -> AsyncGenerator[CreditStatusChange, None]:
        context = info.context
        watched = await _watched_subjects(info, subject_ids, credit_codes)
        async with context.deps.feed.subscribe(context.viewer.id, context.viewer.platform, watched) as batches:
            # A revocation ends the subscription at once (a notice). These checks catch one whose
            # notice came before the subscription was registered, or was missed while not listening.
            await _check_not_revoked(info)
            async for batch in batches:
                await _check_not_revoked(info)
                context.drop_loaders()  # each batch reads the statuses as they are now, not as cached
                context.begin_delivery()
                deliver = await _deliverable(context, batch)
                # Noted for the audit together: the first event's audit covers the batch.
                context.note_reads("creditStatus", [subject.id for _, subject in deliver])
                for announced, subject in deliver:
                    yield CreditStatusChange(subject=subject_from_domain(subject), changed_at=announced.at)


async def _deliverable(
    context: Context, batch: list[status_feed.StatusChanged]
) -> list[tuple[status_feed.StatusChanged, subjects.Subject]]:
    """The announced subjects read now, those the viewer may follow. A subject that cannot be
    read is noted and left out (it must not end the feed); an outage ends it."""
    found = await asyncio.gather(
        *(context.loaders.subject.load(announced.subject_id) for announced in batch), return_exceptions=True
    )
    deliver = []
    for announced, subject in zip(batch, found, strict=True):
        if isinstance(subject, OUTAGE):
            raise subject
        if isinstance(subject, BaseException):
            context.deps.feed.note_undeliverable(announced.subject_id, subject)
            continue
        if subject is not None and await _may_follow(context, subject.id):
            deliver.append((announced, subject))
    return deliver


async def _check_not_revoked(info: Info) -> None:
    context = info.context
    if context.token is not None and await clients.authenticate(context.deps, context.token) is None:
        raise PermissionDenied(REVOKED)


async def _may_follow(context: Context, subject_id: int) -> bool:
    """Minimal disclosure: a platform follows only subjects that hold an account on it."""
    platform = visibility.compute_enumeration_scope(context.viewer).platform
    if platform is None:
        return True
    return any(account.platform == platform for account in await context.loaders.accounts.load(subject_id))


async def _watched_subjects(
    info: Info, subject_ids: list[strawberry.ID] | None, credit_codes: list[str] | None
) -> frozenset[int] | None:
    """The subjects named, or None for all; every one must be valid and known."""
    if subject_ids is None and credit_codes is None:
        return None
    size = len(subject_ids or ()) + len(credit_codes or ())
    if size > MAX_WATCHED:
        raise BatchTooLarge(size, MAX_WATCHED, field="subjectIds")
    watched = {ids.parse_id(ids.IdKind.SUBJECT, raw, field_name="subjectIds") for raw in subject_ids or ()}
    return frozenset(watched | await _subjects_by_code(info, credit_codes or []))


async def _subjects_by_code(info: Info, credit_codes: list[str]) -> set[int]:
    """The subjects of these credit codes; each must be valid and known."""
    codes = [identifiers.parse_credit_code(raw, field_name="creditCodes").value for raw in credit_codes]
    found = await info.context.loaders.subject_by_credit_code.load_many(codes)
    unknown = next((code for code, subject in zip(codes, found, strict=True) if subject is None), None)
    if unknown is not None:
        raise UnknownSubject(unknown)
    return {subject.id for subject in found if subject is not None}
