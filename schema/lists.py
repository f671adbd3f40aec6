"""The lists and the designation procedure: proposals, defences, decisions, ends, exit reviews."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final

import strawberry

from credithub.domain import ids, lists, pages
from credithub.domain.read_models import DefenceView
from credithub.domain.records import LegalBasis
from credithub.domain.texts import parse_text
from schema.context import ExitReviewFilterKey, Info, ListEntryFilterKey
from schema.enums import CreditList, LegalBasisLevel
from schema.errors import (
    ConflictError,
    DefenceWindowClosedError,
    DefenceWindowOpenError,
    InvalidIdError,
    InvalidListBasisError,
    InvalidValueError,
    LegalBasisInsufficientError,
    ListingConflictError,
    NotFoundError,
    PermissionDeniedError,
    TransitionNotAllowedError,
    UnknownSubjectError,
    ValidityTooLongError,
)
from schema.pagination import PageInfo
from schema.subjects import Subject, subject_from_domain

ListEntryState = lists.ListEntryState
strawberry.enum(
    ListEntryState,
    description="PROPOSED (notice sent, defence window open; yields no measure), IN_FORCE, DROPPED (decided "
    "against), ENDED (its validUntil passed, or its authority ended it).",
)
EndCause = lists.EndCause
strawberry.enum(EndCause, description="Why an entry stopped being in force.")
ExitCause = lists.ExitCause
strawberry.enum(ExitCause, description="What happened to a record under someone else's listing.")
ExitReviewStatus = lists.ExitReviewStatus
strawberry.enum(
    ExitReviewStatus, description="OPEN until the entry's authority ends the listing (ENDED) or keeps it (KEPT)."
)
LIST_ENTRY_CURSOR_SCOPE = "list_entries"
EXIT_REVIEW_CURSOR_SCOPE = "exit_reviews"

DEFAULT_EXIT_CONDITION = (
    "the entry ends at validUntil, or earlier when its authority finds the obligations performed and the harm "
    "remedied (or repairs the record it rests on)"
)


@strawberry.type(description="What the subject (or a platform for it) said against a proposal before the decision.")
class Defence:
    id: strawberry.ID
    submitted_by: str
    submitted_at: dt.datetime
    statement: str | None = strawberry.field(
        description="Null for dashboards (viewers): the parties' own words may name people."
    )

    @classmethod
    def from_domain(cls, defence: DefenceView) -> Defence:
        """`defence` as the viewer is shown it: its statement is None already if it may not read it."""
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.DEFENCE, defence.id)),
            submitted_by=defence.submitted_by,
            submitted_at=defence.submitted_at,
            statement=defence.statement,
        )


@strawberry.type(description="A subject proposed for, on, or once on a list: the whole procedure behind it.")
class ListEntry:
    id: strawberry.ID
    kind: CreditList = strawberry.field(name="list")
    state: ListEntryState
    record_ids: list[strawberry.ID]
    authority: str = strawberry.field(description="The designating body (认定单位): only its regulators decide.")
    proposed_by: str
    proposed_at: dt.datetime
    reason: str
    legal_basis: str
    legal_basis_reference: str | None
    legal_basis_level: LegalBasisLevel
    exit_condition: str
    notice_sent_at: dt.datetime | None = strawberry.field(description="When the subject was notified of the proposal.")
    defence_deadline: dt.datetime | None = strawberry.field(
        description="The subject may state its defence until then; the entry is decided only after it."
    )
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str | None
    decision_ref: str | None = strawberry.field(description="The decision document's number (决定书文号).")
    valid_from: dt.datetime | None = strawberry.field(description="When it came into force (null: never did).")
    valid_until: dt.datetime | None
    ended_at: dt.datetime | None
    ended_by: str | None
    end_reason: str | None
    end_cause: EndCause | None
    entry: strawberry.Private[lists.ListEntry]

    @strawberry.field
    async def subject(self, info: Info) -> Subject:
        found = await info.context.loaders.subject.load(self.entry.subject_id)
        assert found is not None, "list_entries.subject_id references subjects"
        return subject_from_domain(found)

    @strawberry.field(description="Whether the entry is in force now.")
    def in_force(self, info: Info) -> bool:
        return self.entry.in_force_at(info.context.now())

    @strawberry.field(description="The defences stated against the proposal, oldest first.")
    async def defences(self, info: Info) -> list[Defence]:
        found = await info.context.loaders.defences.load(self.entry.id)
        return [Defence.from_domain(defence) for defence in found]

    @strawberry.field(deprecation_reason="Use proposedBy.")
    def listed_by(self) -> str:
        return self.proposed_by

    @strawberry.field(deprecation_reason="Use proposedAt.")
    def listed_at(self) -> dt.datetime:
        return self.proposed_at

    @strawberry.field(deprecation_reason="Use endedAt.")
    def removed_at(self) -> dt.datetime | None:
        return self.ended_at

    @strawberry.field(deprecation_reason="Use endedBy.")
    def removed_by(self) -> str | None:
        return self.ended_by

    @strawberry.field(deprecation_reason="Use endReason.")
    def removal_reason(self) -> str | None:
        return self.end_reason

    @classmethod
    def from_domain(cls, entry: lists.ListEntry, now: dt.datetime) -> ListEntry:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.LIST_ENTRY, entry.id)),
            kind=entry.list,
            state=entry.state_at(now),
            record_ids=[strawberry.ID(ids.format_id(ids.IdKind.RECORD, i)) for i in entry.record_ids],
            authority=entry.authority,
            proposed_by=entry.proposed_by,
            proposed_at=entry.proposed_at,
            reason=entry.reason,
            legal_basis=entry.legal_basis.text,
            legal_basis_reference=entry.legal_basis.reference,
            legal_basis_level=entry.legal_basis_level,
            exit_condition=entry.exit_condition,
            notice_sent_at=entry.notice_sent_at,
            defence_deadline=entry.defence_deadline,
            decided_by=entry.decided_by,
            decided_at=entry.decided_at,
            decision_note=entry.decision_note,
            decision_ref=entry.decision_ref,
            valid_from=entry.valid_from,
            valid_until=entry.valid_until,
            ended_at=entry.ended_at,
            ended_by=entry.ended_by,
            end_reason=entry.end_reason,
            end_cause=entry.cause_of_end_at(now),
            entry=entry,
        )


@strawberry.type
class ListEntryEdge:
    cursor: str
    node: ListEntry


@strawberry.type(description="A page of list entries, newest first.")
class ListEntryConnection:
    edges: list[ListEntryEdge]
    page_info: PageInfo
    where: strawberry.Private[ListEntryFilterKey]

    @strawberry.field(description="How many entries match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.list_entry_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[lists.ListEntry], where: ListEntryFilterKey, now: dt.datetime, *, has_previous: bool
    ) -> ListEntryConnection:
        edges = [
            ListEntryEdge(
                cursor=pages.encode_cursor(LIST_ENTRY_CURSOR_SCOPE, entry.id), node=ListEntry.from_domain(entry, now)
            )
            for entry in page.items
        ]
        return cls(
            edges=edges,
            where=where,
            page_info=PageInfo.of([e.cursor for e in edges], has_next=page.has_next, has_previous=has_previous),
        )


@strawberry.input(description="Narrow a list of entries; fields combine with AND.")
class ListEntryFilter:
    kind: CreditList | None = strawberry.field(default=None, name="list")
    subject_id: strawberry.ID | None = None
    in_force_at: dt.datetime | None = strawberry.field(default=None, description="Only entries in force then.")
    state: ListEntryState | None = strawberry.field(
        default=None,
        description="Only entries in this state now, as `state` shows it (an entry past its validUntil is ENDED; "
        "PROPOSED: the work queue of decisions).",
    )

    def to_key(self) -> ListEntryFilterKey:
        subject_id = ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId")
        return ListEntryFilterKey(
            kind=self.kind, subject_id=subject_id, in_force_at=self.in_force_at, state=self.state, platform=None
        )


@strawberry.type(
    description="A record under an authority's listing was withdrawn, repaired or corrected by someone "
    "else: the authority ends the listing or keeps it."
)
class ExitReview:
    id: strawberry.ID
    entry_id: strawberry.ID
    record_id: strawberry.ID
    cause: ExitCause
    opened_by: str
    opened_at: dt.datetime
    status: ExitReviewStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str | None
    review: strawberry.Private[lists.ExitReview]

    @strawberry.field(description="The listing under review.")
    async def entry(self, info: Info) -> ListEntry:
        found = await info.context.loaders.list_entry.load(self.review.entry_id)
        assert found is not None, "exit_reviews.entry_id references list_entries"
        return ListEntry.from_domain(found, info.context.now())

    @classmethod
    def from_domain(cls, review: lists.ExitReview) -> ExitReview:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.EXIT_REVIEW, review.id)),
            entry_id=strawberry.ID(ids.format_id(ids.IdKind.LIST_ENTRY, review.entry_id)),
            record_id=strawberry.ID(ids.format_id(ids.IdKind.RECORD, review.record_id)),
            cause=review.cause,
            opened_by=review.opened_by,
            opened_at=review.opened_at,
            status=review.status,
            decided_by=review.decided_by,
            decided_at=review.decided_at,
            note=review.note,
            review=review,
        )


@strawberry.type
class ExitReviewEdge:
    cursor: str
    node: ExitReview


@strawberry.type(description="A page of exit reviews, newest first.")
class ExitReviewConnection:
    edges: list[ExitReviewEdge]
    page_info: PageInfo
    where: strawberry.Private[ExitReviewFilterKey]

    @strawberry.field(description="How many reviews match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.exit_review_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[lists.ExitReview], where: ExitReviewFilterKey, *, has_previous: bool
    ) -> ExitReviewConnection:
        edges = [
            ExitReviewEdge(
                cursor=pages.encode_cursor(EXIT_REVIEW_CURSOR_SCOPE, review.id), node=ExitReview.from_domain(review)
            )
            for review in page.items
        ]
        return cls(
            edges=edges,
            where=where,
            page_info=PageInfo.of([e.cursor for e in edges], has_next=page.has_next, has_previous=has_previous),
        )


@strawberry.input(description="Narrow a list of exit reviews; fields combine with AND.")
class ExitReviewFilter:
    status: ExitReviewStatus | None = None
    subject_id: strawberry.ID | None = None
    authority: str | None = strawberry.field(default=None, description="Only reviews for this authority's listings.")

    def to_key(self) -> ExitReviewFilterKey:
        subject_id = ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId")
        return ExitReviewFilterKey(status=self.status, authority=self.authority, subject_id=subject_id)


@strawberry.input(
    description="Propose a subject for a list. It is notified, may state its defence, and the entry "
    "yields nothing until the designating authority decides it."
)
class ProposeListingInput:
    subject_id: strawberry.ID
    kind: CreditList = strawberry.field(name="list")
    record_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The records it rests on: a blacklist rests on serious records in force."
    )
    reason: str
    legal_basis: str
    legal_basis_reference: str | None = None
    legal_basis_level: LegalBasisLevel
    exit_condition: str | None = strawberry.field(default=None, description="How the subject may leave the list.")

    def to_domain(self) -> lists.Proposal:
        return lists.Proposal(
            list=self.kind,
            subject_id=ids.parse_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            record_ids=tuple(
                ids.parse_id(ids.IdKind.RECORD, raw, field_name="recordIds") for raw in self.record_ids or ()
            ),
            reason=parse_text(self.reason, "reason"),
            legal_basis=LegalBasis(
                parse_text(self.legal_basis, "legalBasis"),
                parse_text(self.legal_basis_reference, "legalBasisReference", limit=200)
                if self.legal_basis_reference and self.legal_basis_reference.strip()
                else None,
            ),
            legal_basis_level=self.legal_basis_level,
            exit_condition=parse_text(self.exit_condition, "exitCondition")
            if self.exit_condition and self.exit_condition.strip()
            else DEFAULT_EXIT_CONDITION,
        )


@strawberry.type
class ProposeListingSuccess:
    entry: ListEntry


@strawberry.type
class SubmitDefenceSuccess:
    entry: ListEntry
    defence: Defence


@strawberry.type
class DecideListingSuccess:
    entry: ListEntry


@strawberry.type
class EndListingSuccess:
    entry: ListEntry


@strawberry.type
class DecideExitReviewSuccess:
    review: ExitReview


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
PROPOSE_LISTING_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    InvalidListBasisError,
    LegalBasisInsufficientError,
    UnknownSubjectError,
    ListingConflictError,
    PermissionDeniedError,
)
ProposeListingResult = Annotated[
    ProposeListingSuccess
    | InvalidIdError
    | InvalidValueError
    | InvalidListBasisError
    | LegalBasisInsufficientError
    | UnknownSubjectError
    | ListingConflictError
    | PermissionDeniedError,
    strawberry.union("ProposeListingResult"),
]
SUBMIT_DEFENCE_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    DefenceWindowClosedError,
    PermissionDeniedError,
)
SubmitDefenceResult = Annotated[
    SubmitDefenceSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | DefenceWindowClosedError
    | PermissionDeniedError,
    strawberry.union("SubmitDefenceResult"),
]
DECIDE_LISTING_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    InvalidListBasisError,
    ValidityTooLongError,
    NotFoundError,
    DefenceWindowOpenError,
    TransitionNotAllowedError,
    ListingConflictError,
    PermissionDeniedError,
)
DecideListingResult = Annotated[
    DecideListingSuccess
    | InvalidIdError
    | InvalidValueError
    | InvalidListBasisError
    | ValidityTooLongError
    | NotFoundError
    | DefenceWindowOpenError
    | TransitionNotAllowedError
    | ListingConflictError
    | PermissionDeniedError,
    strawberry.union("DecideListingResult"),
]
END_LISTING_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    TransitionNotAllowedError,
    PermissionDeniedError,
)
EndListingResult = Annotated[
    EndListingSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | TransitionNotAllowedError
    | PermissionDeniedError,
    strawberry.union("EndListingResult"),
]
DECIDE_EXIT_REVIEW_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    TransitionNotAllowedError,
    ConflictError,  # listed, though the service raises no plain Conflict (TransitionNotAllowed is its own)
    PermissionDeniedError,
)
DecideExitReviewResult = Annotated[
    DecideExitReviewSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | TransitionNotAllowedError
    | ConflictError
    | PermissionDeniedError,
    strawberry.union("DecideExitReviewResult"),
]
