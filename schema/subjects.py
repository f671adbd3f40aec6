"""Credit subjects: the `Subject` interface and its three kinds."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

import strawberry

from credithub.domain import ids, pages, subjects
from credithub.domain import notices as domain_notices
from credithub.domain import records as domain_records
from schema.accounts import Account
from schema.commitments import Commitment
from schema.context import (
    Info,
    NoticePageKey,
    RecordCountKey,
    RecordPageKey,
    SigningCountKey,
    SigningPageKey,
    StatusKey,
)
from schema.credit_status import CreditStatus, CreditTier
from schema.enums import CreditList, SubjectKind
from schema.notices import NOTICE_CURSOR_SCOPE, NoticeConnection
from schema.pagination import PageInfo
from schema.records import RECORD_CURSOR_SCOPE, CreditRecordConnection, RecordFilter

SIGNING_CURSOR_SCOPE = "signings"
MAX_SIGNINGS_PAGE = 100


@strawberry.interface(description="A merchant, an anchor or an MCN agency.")
class Subject:
    id: strawberry.ID
    kind: SubjectKind
    name: str
    created_at: dt.datetime
    subject_id: strawberry.Private[int]
    facts_version: strawberry.Private[int]

    @strawberry.field(description="The subject's accounts on every platform.")
    async def accounts(self, info: Info) -> list[Account]:
        found = await info.context.loaders.accounts.load(self.subject_id)
        return [Account.from_domain(account) for account in found]

    @strawberry.field(
        description="Tier, list membership and joint restriction flags at `asOf` (default: now), "
        "computed when asked. Flags of ORIGIN_PLATFORM measures show only to their source platform."
    )
    async def credit_status(self, info: Info, as_of: dt.datetime | None = None) -> CreditStatus:
        return await read_credit_status(info, self, as_of)

    @strawberry.field(
        description="Notices to the subject (decisions on it, and its right to repair), newest first, with their "
        "delivery state. For regulators (and the subject itself); null with an error for others."
    )
    async def notices(
        self, info: Info, first: int | None = pages.DEFAULT_PAGE_SIZE, after: str | None = None
    ) -> NoticeConnection | None:
        domain_notices.check_may_read(info.context.viewer, self.subject_id)
        key = NoticePageKey(
            self.subject_id, pages.decode_int_cursor(NOTICE_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.notice_page.load(key)
        info.context.note_reads("notices", [self.subject_id])
        return NoticeConnection.from_page(page, self.subject_id, has_previous=after is not None)

    @strawberry.field(
        description="The subject's public credit commitments, newest first, each with where it stands now."
    )
    async def commitments(self, info: Info) -> list[Commitment]:
        found = await info.context.loaders.commitments.load(self.subject_id)
        return [Commitment.from_domain(standing) for standing in found]

    @strawberry.field(description="The subject's credit records, newest occurrence first.")
    async def records(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: RecordFilter | None = None,
    ) -> CreditRecordConnection:
        where = filter.to_domain() if filter is not None else domain_records.RecordFilter()
        key = RecordPageKey(
            subject_id=self.subject_id,
            where=where,
            after=pages.decode_time_cursor(RECORD_CURSOR_SCOPE, after),
            first=pages.parse_first(first),
        )
        page = await info.context.loaders.record_page.load(key)
        info.context.note_reads("records", [self.subject_id])
        return CreditRecordConnection.from_page(
            page, count_key=RecordCountKey(self.subject_id, where), has_previous=after is not None
        )


class _Common(TypedDict):
    """The fields every kind of subject has."""

    id: strawberry.ID
    kind: subjects.SubjectKind
    name: str
    created_at: dt.datetime
    subject_id: int
    facts_version: int


def _common(subject: subjects.Subject) -> _Common:
    return {
        "id": strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, subject.id)),
        "kind": subject.kind,
        "name": subject.name,
        "created_at": subject.created_at,
        "subject_id": subject.id,
        "facts_version": subject.facts_version,
    }


@strawberry.type(description="A shop or seller: an enterprise or an individual business.")
class Merchant(Subject):
    credit_code: str = strawberry.field(description="Unified Social Credit Code (GB 32100).")


@strawberry.type(
    description="A natural person who live-streams or sells as a creator. Identified by a keyed "
    "hash of the resident ID number, which the hub never stores or returns."
)
class Anchor(Subject):
    @strawberry.field(description="The MCN agencies that signed this anchor, every period, newest first.")
    async def signings(self, info: Info) -> list[McnSigning]:
        found = await info.context.loaders.anchor_signings.load(self.subject_id)
        return [McnSigning.from_domain(signing) for signing in found]


@strawberry.type(description="A multi-channel-network agency that signs and manages anchors.")
class McnAgency(Subject):
    credit_code: str = strawberry.field(description="Unified Social Credit Code (GB 32100).")

    @strawberry.field(
        description="The anchors this agency has signed. By default the signings in force now; "
        "`asOf` picks another instant, `includeEnded` lists every period."
    )
    async def anchors(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        as_of: dt.datetime | None = None,
        include_ended: bool = False,
    ) -> McnSigningConnection:
        in_force_at = None if include_ended else (as_of or info.context.now())
        key = SigningPageKey(
            agency_id=self.subject_id,
            in_force_at=in_force_at,
            before_id=pages.decode_int_cursor(SIGNING_CURSOR_SCOPE, after),
            first=pages.parse_first(first, maximum=MAX_SIGNINGS_PAGE),
        )
        page = await info.context.loaders.signing_page.load(key)
        info.context.note_reads("anchors", (signing.anchor_id for signing in page.items))
        edges = [
            McnSigningEdge(
                cursor=pages.encode_cursor(SIGNING_CURSOR_SCOPE, signing.id), node=McnSigning.from_domain(signing)
            )
            for signing in page.items
        ]
        return McnSigningConnection(
            edges=edges,
            page_info=PageInfo.of(
                [edge.cursor for edge in edges], has_next=page.has_next, has_previous=after is not None
            ),
            count_key=SigningCountKey(self.subject_id, in_force_at),
        )


@strawberry.type(description="An MCN agency signed an anchor for a period [validFrom, validTo).")
class McnSigning:
    id: strawberry.ID
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    source_platform: str | None
    agency_id: strawberry.Private[int]
    anchor_id: strawberry.Private[int]

    @strawberry.field(description="Null for a subject client asking about another subject: it sees only itself.")
    async def agency(self, info: Info) -> McnAgency | None:
        found = await info.context.loaders.subject.load(self.agency_id)
        return McnAgency(credit_code=found.credit_code or "", **_common(found)) if found else None

    @strawberry.field(description="Null for a subject client asking about another subject: it sees only itself.")
    async def anchor(self, info: Info) -> Anchor | None:
        found = await info.context.loaders.subject.load(self.anchor_id)
        return Anchor(**_common(found)) if found else None

    @classmethod
    def from_domain(cls, signing: subjects.Signing) -> McnSigning:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.SIGNING, signing.id)),
            valid_from=signing.validity.valid_from,
            valid_to=signing.validity.valid_to,
            source_platform=signing.source_platform,
            agency_id=signing.agency_id,
            anchor_id=signing.anchor_id,
        )


@strawberry.type
class McnSigningEdge:
    cursor: str
    node: McnSigning


@strawberry.type(description="A page of MCN signings, newest first.")
class McnSigningConnection:
    edges: list[McnSigningEdge]
    page_info: PageInfo
    count_key: strawberry.Private[SigningCountKey]

    @strawberry.field(description="How many signings match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.signing_count.load(self.count_key)


def subject_from_domain(subject: subjects.Subject) -> Subject:
    """The GraphQL type for a subject's kind."""
    common = _common(subject)
    match subject.kind:
        case subjects.SubjectKind.MERCHANT:
            return Merchant(credit_code=subject.credit_code or "", **common)
        case subjects.SubjectKind.MCN_AGENCY:
            return McnAgency(credit_code=subject.credit_code or "", **common)
        case subjects.SubjectKind.ANCHOR:
            return Anchor(**common)


async def read_credit_status(info: Info, subject: Subject, as_of: dt.datetime | None) -> CreditStatus:
    """The subject's status as the caller sees it (flags scoped to other platforms left out), noted
    for the audit trail."""
    key = StatusKey(subject.subject_id, subject.facts_version, as_of)
    status = await info.context.loaders.credit_status.load(key)
    assert status is not None, "a subject that was just read has a status"
    info.context.note_reads("creditStatus", [subject.subject_id])
    return CreditStatus.from_domain(status, getattr(subject, "credit_code", None))


SUBJECT_CURSOR_SCOPE = "subjects"


@strawberry.type
class SubjectEdge:
    cursor: str
    node: Subject


@strawberry.type(description="A page of subjects in registration order.")
class SubjectConnection:
    edges: list[SubjectEdge]
    page_info: PageInfo
    where: strawberry.Private[subjects.SubjectFilter]

    @strawberry.field(description="How many subjects match the filter (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.subject_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[subjects.Subject], where: subjects.SubjectFilter, *, has_previous: bool
    ) -> SubjectConnection:
        edges = [
            SubjectEdge(cursor=pages.encode_cursor(SUBJECT_CURSOR_SCOPE, subject.id), node=subject_from_domain(subject))
            for subject in page.items
        ]
        return cls(
            edges=edges,
            page_info=PageInfo.of([edge.cursor for edge in edges], has_next=page.has_next, has_previous=has_previous),
            where=where,
        )


@strawberry.input(description="Narrow a list of subjects; fields combine with AND.")
class SubjectFilter:
    kind: SubjectKind | None = None
    platform: str | None = strawberry.field(default=None, description="Only subjects with an account on this platform.")
    name_contains: str | None = strawberry.field(default=None, description="Case-insensitive substring of the name.")
    tier: CreditTier | None = strawberry.field(
        default=None, description="Stored credit tier, refreshed within seconds of any change."
    )
    on_list: CreditList | None = strawberry.field(default=None, description="Only subjects on this list now.")

    def to_domain(self, now: dt.datetime) -> subjects.SubjectFilter:
        return subjects.SubjectFilter(
            kind=self.kind,
            platform=self.platform,
            name_contains=subjects.parse_name_search(self.name_contains),
            tier=str(self.tier) if self.tier else None,
            on_list=str(self.on_list) if self.on_list else None,
            at=now,
        )
