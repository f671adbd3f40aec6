"""Browsing and managing the SERIOUS_DISHONEST and RED lists."""

from __future__ import annotations

import strawberry

from credithub.domain import errors as domain_errors
from credithub.domain import ids, pages
from credithub.services import lists
from schema import errors
from schema.context import Info, ListEntryFilterKey, NewestFirstPageKey
from schema.lists import (
    LIST_ENTRY_CURSOR_SCOPE,
    AddListEntryInput,
    AddListEntryResult,
    AddListEntrySuccess,
    ListEntry,
    ListEntryConnection,
    ListEntryFilter,
    RemoveListEntryResult,
    RemoveListEntrySuccess,
)


@strawberry.type
class ListQueries:
    @strawberry.field(description="List entries, newest first, filtered by list, subject and instant.")
    async def list_entries(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ListEntryFilter | None = None,
    ) -> ListEntryConnection:
        where = filter.to_key() if filter is not None else ListEntryFilterKey(None, None, None)
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(LIST_ENTRY_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.list_entry_page.load(key)
        info.context.note_reads("listEntries", (entry.subject_id for entry in page.items))
        return ListEntryConnection.from_page(page, where, has_previous=after is not None)


@strawberry.type
class ListMutations:
    @strawberry.mutation(description="Put a subject on a list (regulators and admins).")
    async def add_list_entry(self, info: Info, input: AddListEntryInput) -> AddListEntryResult:
        try:
            entry = await lists.add_entry(info.context.deps, info.context.viewer, input.to_domain(info.context.now()))
        except (
            domain_errors.InvalidId,
            domain_errors.InvalidListBasis,
            domain_errors.InvalidValue,
            domain_errors.UnknownSubject,
            domain_errors.PermissionDenied,
        ) as exc:
            return errors.from_domain(exc)  # type: ignore[return-value]
        return AddListEntrySuccess(entry=ListEntry.from_domain(entry))

    @strawberry.mutation(description="Take a subject off a list; the entry is kept with who, when and why.")
    async def remove_list_entry(self, info: Info, entry_id: strawberry.ID, reason: str) -> RemoveListEntryResult:
        try:
            entry_number = ids.parse_id(ids.IdKind.LIST_ENTRY, entry_id, field_name="entryId")
            entry = await lists.remove_entry(info.context.deps, info.context.viewer, entry_number, reason)
        except (
            domain_errors.InvalidId,
            domain_errors.InvalidValue,
            domain_errors.NotFound,
            domain_errors.Conflict,
            domain_errors.PermissionDenied,
        ) as exc:
            return errors.from_domain(exc)  # type: ignore[return-value]
        return RemoveListEntrySuccess(entry=ListEntry.from_domain(entry))
