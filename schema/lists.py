"""The SERIOUS_DISHONEST and RED lists."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from credithub.domain import ids, lists, pages
from credithub.domain.records import LegalBasis
from schema.context import Info, ListEntryFilterKey
from schema.errors import (
    ConflictError,
    InvalidIdError,
    InvalidListBasisError,
    InvalidValueError,
    NotFoundError,
    PermissionDeniedError,
    UnknownSubjectError,
)
from schema.pagination import PageInfo

if TYPE_CHECKING:
    from schema.subjects import Subject

CreditList = strawberry.enum(
    lists.ListKind, name="CreditList", description="The joint-constraint blacklist, or the red list."
)
LIST_ENTRY_CURSOR_SCOPE = "list_entries"


@strawberry.type(description="A subject on a list: who decided it, why, on what records, and how it ends.")
class ListEntry:
    id: strawberry.ID
    kind: CreditList = strawberry.field(name="list")  # type: ignore[valid-type]
    record_ids: list[strawberry.ID]
    authority: str = strawberry.field(description="The designating unit (认定单位).")
    listed_by: str
    listed_at: dt.datetime
    reason: str
    legal_basis: str
    legal_basis_reference: str | None
    exit_condition: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    removed_at: dt.datetime | None
    removed_by: str | None
    removal_reason: str | None
    entry: strawberry.Private[lists.ListEntry]

    @strawberry.field
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        from schema.subjects import subject_from_domain

        found = await info.context.loaders.subject.load(self.entry.subject_id)
        assert found is not None, "list_entries.subject_id references subjects"
        return subject_from_domain(found)

    @strawberry.field(description="Whether the entry is in force now.")
    def in_force(self, info: Info) -> bool:
        return self.entry.in_force_at(info.context.now())

    @classmethod
    def from_domain(cls, entry: lists.ListEntry) -> ListEntry:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.LIST_ENTRY, entry.id)),
            kind=entry.list,
            record_ids=[strawberry.ID(ids.format_id(ids.IdKind.RECORD, i)) for i in entry.record_ids],
            authority=entry.authority,
            listed_by=entry.listed_by,
            listed_at=entry.listed_at,
            reason=entry.reason,
            legal_basis=entry.legal_basis.text,
            legal_basis_reference=entry.legal_basis.reference,
            exit_condition=entry.exit_condition,
            valid_from=entry.valid_from,
            valid_until=entry.valid_until,
            removed_at=entry.removed_at,
            removed_by=entry.removed_by,
            removal_reason=entry.removal_reason,
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
        cls, page: pages.Page[lists.ListEntry], where: ListEntryFilterKey, *, has_previous: bool
    ) -> ListEntryConnection:
        edges = [
            ListEntryEdge(
                cursor=pages.encode_cursor(LIST_ENTRY_CURSOR_SCOPE, entry.id), node=ListEntry.from_domain(entry)
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
    kind: CreditList | None = strawberry.field(default=None, name="list")  # type: ignore[valid-type]
    subject_id: strawberry.ID | None = None
    in_force_at: dt.datetime | None = strawberry.field(default=None, description="Only entries in force then.")

    def to_key(self) -> ListEntryFilterKey:
        subject_id = ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId")
        return ListEntryFilterKey(kind=self.kind, subject_id=subject_id, in_force_at=self.in_force_at)


@strawberry.input(description="Put a subject on a list. The serious-dishonest list rests only on serious records.")
class AddListEntryInput:
    kind: CreditList = strawberry.field(name="list")  # type: ignore[valid-type]
    subject_id: strawberry.ID
    record_ids: list[strawberry.ID]
    authority: str
    reason: str
    legal_basis: str
    legal_basis_reference: str | None = None
    exit_condition: str
    valid_from: dt.datetime | None = strawberry.field(default=None, description="Default: now.")
    valid_until: dt.datetime | None = None

    def to_domain(self, now: dt.datetime) -> lists.NewEntry:
        return lists.NewEntry(
            list=self.kind,
            subject_id=ids.parse_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            record_ids=tuple(ids.parse_id(ids.IdKind.RECORD, raw, field_name="recordIds") for raw in self.record_ids),
            authority=self.authority.strip(),
            reason=self.reason.strip(),
            legal_basis=LegalBasis(self.legal_basis.strip(), (self.legal_basis_reference or "").strip() or None),
            exit_condition=self.exit_condition.strip(),
            valid_from=self.valid_from or now,
            valid_until=self.valid_until,
        )


@strawberry.type
class AddListEntrySuccess:
    entry: ListEntry


@strawberry.type
class RemoveListEntrySuccess:
    entry: ListEntry


AddListEntryResult = Annotated[
    AddListEntrySuccess
    | InvalidIdError
    | InvalidValueError
    | InvalidListBasisError
    | UnknownSubjectError
    | PermissionDeniedError,
    strawberry.union("AddListEntryResult"),
]
RemoveListEntryResult = Annotated[
    RemoveListEntrySuccess | InvalidIdError | InvalidValueError | NotFoundError | ConflictError | PermissionDeniedError,
    strawberry.union("RemoveListEntryResult"),
]
