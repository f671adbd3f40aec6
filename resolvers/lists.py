"""The lists: browse entries and exit reviews; propose, defend, decide and end listings."""

from __future__ import annotations

import dataclasses
import datetime as dt

import strawberry

from credithub.domain import ids, pages, visibility
from credithub.services import lists
from schema import errors
from schema.context import ExitReviewFilterKey, Info, ListEntryFilterKey, NewestFirstPageKey
from schema.lists import (
    DECIDE_EXIT_REVIEW_ERRORS,
    DECIDE_LISTING_ERRORS,
    END_LISTING_ERRORS,
    EXIT_REVIEW_CURSOR_SCOPE,
    LIST_ENTRY_CURSOR_SCOPE,
    PROPOSE_LISTING_ERRORS,
    SUBMIT_DEFENCE_ERRORS,
    DecideExitReviewResult,
    DecideExitReviewSuccess,
    DecideListingResult,
    DecideListingSuccess,
    Defence,
    EndListingResult,
    EndListingSuccess,
    ExitReview,
    ExitReviewConnection,
    ExitReviewFilter,
    ListEntry,
    ListEntryConnection,
    ListEntryFilter,
    ProposeListingInput,
    ProposeListingResult,
    ProposeListingSuccess,
    SubmitDefenceResult,
    SubmitDefenceSuccess,
)


@strawberry.type
class ListQueries:
    @strawberry.field(
        description="List entries, newest first, filtered by list, subject, state and instant. A platform sees the "
        "entries of subjects that hold an account on it; a subject its own."
    )
    async def list_entries(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ListEntryFilter | None = None,
    ) -> ListEntryConnection:
        asked = filter.to_key() if filter is not None else ListEntryFilterKey(None, None, None, None, None)
        scope = visibility.compute_enumeration_scope(info.context.viewer)
        subject_id = visibility.compute_subject_filter(info.context.viewer, asked.subject_id)
        where = dataclasses.replace(asked, subject_id=subject_id, platform=scope.platform)
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(LIST_ENTRY_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.list_entry_page.load(key)
        info.context.note_reads("listEntries", (entry.subject_id for entry in page.items))
        return ListEntryConnection.from_page(page, where, info.context.now(), has_previous=after is not None)

    @strawberry.field(
        description="Exit reviews: records under an authority's listing that someone else withdrew, repaired or "
        "corrected. Regulators, admins and dashboards."
    )
    async def exit_reviews(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ExitReviewFilter | None = None,
    ) -> ExitReviewConnection:
        visibility.check_may_oversee(info.context.viewer)
        where = filter.to_key() if filter is not None else ExitReviewFilterKey(None, None, None)
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(EXIT_REVIEW_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.exit_review_page.load(key)
        return ExitReviewConnection.from_page(page, where, has_previous=after is not None)


def _entry_id(raw: strawberry.ID) -> int:
    return ids.parse_id(ids.IdKind.LIST_ENTRY, raw, field_name="entryId")


@strawberry.type
class ListMutations:
    @strawberry.mutation(
        description="Propose a subject for a list: SERIOUS_DISHONEST and RED by a regulator for its own authority, "
        "JOINT_CONSTRAINT by a platform (for a subject with an account on it) or a regulator. The subject is "
        "notified and may state its defence until `defenceDeadline`; the entry yields no measure until decided."
    )
    async def propose_listing(self, info: Info, input: ProposeListingInput) -> ProposeListingResult:
        try:
            entry = await lists.propose_listing(info.context.deps, info.context.viewer, input.to_domain())
        except errors.catchable(PROPOSE_LISTING_ERRORS) as exc:
            return errors.from_domain(exc, allowed=PROPOSE_LISTING_ERRORS)
        return ProposeListingSuccess(entry=ListEntry.from_domain(entry, info.context.now()))

    @strawberry.mutation(
        description="State the subject's defence (陈述申辩) against a proposal, before its deadline: the subject "
        "itself, or a platform where it has an account."
    )
    async def submit_defence(self, info: Info, entry_id: strawberry.ID, statement: str) -> SubmitDefenceResult:
        deps, viewer = info.context.deps, info.context.viewer
        try:
            defence = await lists.submit_defence(deps, viewer, _entry_id(entry_id), statement)
        except errors.catchable(SUBMIT_DEFENCE_ERRORS) as exc:
            return errors.from_domain(exc, allowed=SUBMIT_DEFENCE_ERRORS)
        entry = await info.context.loaders.list_entry.load(defence.entry_id)
        assert entry is not None
        return SubmitDefenceSuccess(
            entry=ListEntry.from_domain(entry, info.context.now()),
            defence=Defence.from_domain(defence),
        )

    @strawberry.mutation(
        description="Decide a proposal (a regulator of its authority, never the one who proposed it): `listed` puts "
        "it in force — after the defence deadline, with `validUntil` no later than its records' publicity windows — "
        "or drops it."
    )
    async def decide_listing(
        self,
        info: Info,
        entry_id: strawberry.ID,
        listed: bool,
        note: str,
        decision_ref: str | None = None,
        valid_until: dt.datetime | None = None,
    ) -> DecideListingResult:
        try:
            entry = await lists.decide_listing(
                info.context.deps,
                info.context.viewer,
                _entry_id(entry_id),
                listed=listed,
                note=note,
                decision_ref=decision_ref,
                valid_until=valid_until,
            )
        except errors.catchable(DECIDE_LISTING_ERRORS) as exc:
            return errors.from_domain(exc, allowed=DECIDE_LISTING_ERRORS)
        return DecideListingSuccess(entry=ListEntry.from_domain(entry, info.context.now()))

    @strawberry.mutation(
        description="End an entry in force (a regulator of its authority): the exit condition was met."
    )
    async def end_listing(self, info: Info, entry_id: strawberry.ID, reason: str) -> EndListingResult:
        try:
            entry = await lists.end_listing(info.context.deps, info.context.viewer, _entry_id(entry_id), reason)
        except errors.catchable(END_LISTING_ERRORS) as exc:
            return errors.from_domain(exc, allowed=END_LISTING_ERRORS)
        return EndListingSuccess(entry=ListEntry.from_domain(entry, info.context.now()))

    @strawberry.mutation(
        description="Answer an exit review (a regulator of the entry's authority): end the listing, or keep it."
    )
    async def decide_exit_review(
        self, info: Info, review_id: strawberry.ID, end_listing: bool, note: str
    ) -> DecideExitReviewResult:
        try:
            review_number = ids.parse_id(ids.IdKind.EXIT_REVIEW, review_id, field_name="reviewId")
            review = await lists.decide_exit_review(
                info.context.deps, info.context.viewer, review_number, end_listing=end_listing, note=note
            )
        except errors.catchable(DECIDE_EXIT_REVIEW_ERRORS) as exc:
            return errors.from_domain(exc, allowed=DECIDE_EXIT_REVIEW_ERRORS)
        return DecideExitReviewSuccess(review=ExitReview.from_domain(review))
