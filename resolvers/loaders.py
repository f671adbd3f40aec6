"""DataLoader batch functions: one query per batch, results in key order, None when missing.

`RequestLoaders` is made fresh for each request (and each WebSocket operation), so nothing
cached outlives it or leaks between clients. Each DataLoader is made on first use: a request
pays only for the loaders its fields ask for.

Paged loaders group their keys by everything but the parent id (in practice one group per
field selection), so `subjects(first: 50) { records(first: 5) }` runs one LATERAL query for
all 50 subjects, not 50 queries. Top-level lists kept newest first (list entries, exit reviews,
objections, repair applications, the audit trail) share one paged loader and one count loader:
their filter key's fields are the keyword filters of their queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from functools import cached_property
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from credithub.db import accounts as db_accounts
from credithub.db import audit as db_audit
from credithub.db import authority as db_authority
from credithub.db import executions as db_executions
from credithub.db import lists as db_lists
from credithub.db import notices as db_notices
from credithub.db import objections as db_objections
from credithub.db import records as db_records
from credithub.db import repairs as db_repairs
from credithub.db import signings as db_signings
from credithub.db import subjects as db_subjects
from credithub.domain import lists, records, rules, subjects
from credithub.domain.audit import AuditRead, AuditWrite
from credithub.domain.clients import Client
from credithub.domain.commitments import Standing
from credithub.domain.errors import StatusUnavailable
from credithub.domain.executions import MeasureExecution
from credithub.domain.flags import CreditStatus
from credithub.domain.notices import Notice
from credithub.domain.objections import Objection
from credithub.domain.pages import Page
from credithub.domain.read_models import AccountView, DefenceView, ObjectionView, RecordView, RepairView, StatusView
from credithub.domain.repairs import RepairApplication
from credithub.domain.visibility import RecordScope, compute_enumeration_scope
from credithub.services import commitments as services_commitments
from credithub.services import credit_status, read_models
from credithub.services.ports import Deps
from schema.context import (
    AuditReadFilterKey,
    AuditWriteFilterKey,
    ExitReviewFilterKey,
    ListEntryFilterKey,
    NewestFirstPageKey,
    NoticePageKey,
    ObjectionFilterKey,
    RecordCountKey,
    RecordPageKey,
    RepairFilterKey,
    SigningCountKey,
    SigningPageKey,
    StatusKey,
    SubjectPageKey,
)

K = TypeVar("K")
G = TypeVar("G", bound=Hashable)
V = TypeVar("V")
R = TypeVar("R")


async def _grouped(
    keys: list[K], group_of: Callable[[K], G], load_group: Callable[[G, list[K]], Awaitable[dict[K, V]]]
) -> list[V]:
    """Run `load_group` once per distinct group of keys; answer in key order."""
    groups: dict[G, list[K]] = defaultdict(list)
    for key in keys:
        groups[group_of(key)].append(key)
    found: dict[K, V] = {}
    for group, members in groups.items():
        found.update(await load_group(group, members))
    return [found[key] for key in keys]


def _pages(
    items_by_parent: dict[int, list[V]], keys: list[K], parent_of: Callable[[K], int], first: int
) -> dict[K, Page[V]]:
    """One fetch asked for first+1 rows per parent: the extra row only says a next page exists."""
    return {
        key: Page(
            items=items_by_parent.get(parent_of(key), [])[:first],
            has_next=len(items_by_parent.get(parent_of(key), [])) > first,
        )
        for key in keys
    }


def _page(found: list[V], first: int) -> Page[V]:
    """A page from first+1 rows: the extra row only says a next page exists."""
    return Page(items=found[:first], has_next=len(found) > first)


def _each(load_one: Callable[[K], Awaitable[V]]) -> Callable[[list[K]], Awaitable[list[V]]]:
    """A batch function for keys that do not batch: one per top-level list field in an operation."""

    async def load(keys: list[K]) -> list[V]:
        return [await load_one(key) for key in keys]

    return load


class RequestLoaders:
    """The DataLoaders of one request for one viewer (`schema.context.Loaders`)."""

    def __init__(self, deps: Deps, viewer: Client) -> None:
        self.deps = deps
        self.pool = deps.pool
        self.viewer = viewer
        self.now = deps.clock.now()
        # A subject sees only itself; a platform lists only its own.
        self.scope = compute_enumeration_scope(viewer)
        self._record_scope: RecordScope | None = None

    async def record_scope(self) -> RecordScope:
        """What of each subject's records the viewer is shown, under the rules in force now."""
        if self._record_scope is None:
            self._record_scope = await read_models.record_scope(self.deps, self.viewer, self.now)
        return self._record_scope

    def _mine(self, found: subjects.Subject | None) -> subjects.Subject | None:
        return found if found is not None and self.scope.subject_id in (None, found.id) else None

    # Subjects

    @cached_property
    def subject(self) -> DataLoader[int, subjects.Subject | None]:
        return DataLoader(self.load_subjects)

    async def load_subjects(self, keys: list[int]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many(self.pool, keys)
        return [self._mine(found.get(key)) for key in keys]

    @cached_property
    def subject_by_credit_code(self) -> DataLoader[str, subjects.Subject | None]:
        return DataLoader(self.load_subjects_by_credit_code)

    async def load_subjects_by_credit_code(self, keys: list[str]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many_by_credit_code(self.pool, keys)
        return [self._mine(found.get(key)) for key in keys]

    @cached_property
    def subject_by_account(self) -> DataLoader[tuple[str, str], subjects.Subject | None]:
        return DataLoader(self.load_subjects_by_account)

    async def load_subjects_by_account(self, keys: list[tuple[str, str]]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many_by_account(self.pool, keys)
        return [self._mine(found.get(key)) for key in keys]

    @cached_property
    def subject_page(self) -> DataLoader[SubjectPageKey, Page[subjects.Subject]]:
        return DataLoader(_each(self.load_subject_page))

    async def load_subject_page(self, key: SubjectPageKey) -> Page[subjects.Subject]:
        found = await db_subjects.list_page(self.pool, key.where, key.after_id, key.first + 1)
        return _page(found, key.first)

    @cached_property
    def subject_count(self) -> DataLoader[subjects.SubjectFilter, int]:
        return DataLoader(_each(self.load_subject_count))

    async def load_subject_count(self, key: subjects.SubjectFilter) -> int:
        return await db_subjects.count(self.pool, key)

    @cached_property
    def accounts(self) -> DataLoader[int, list[AccountView]]:
        return DataLoader(self.load_accounts)

    async def load_accounts(self, keys: list[int]) -> list[list[AccountView]]:
        found = await db_accounts.list_for_subjects(self.pool, keys)
        return [[read_models.account_view(account, self.viewer) for account in found.get(key, [])] for key in keys]

    @cached_property
    def credit_status(self) -> DataLoader[StatusKey, StatusView | None]:
        """Raises StatusUnavailable for a subject whose status cannot be computed, and for it alone."""
        return DataLoader(self.load_credit_statuses)

    async def load_credit_statuses(self, keys: list[StatusKey]) -> list[StatusView | StatusUnavailable | None]:
        async def load_group(
            as_of: dt.datetime | None, members: list[StatusKey]
        ) -> dict[StatusKey, StatusView | StatusUnavailable | None]:
            versions = {key.subject_id: key.facts_version for key in members}
            found = await credit_status.statuses_of_subjects(self.deps, versions, as_of)
            return {key: self._status_view(found.get(key.subject_id)) for key in members}

        return await _grouped(keys, lambda key: key.as_of, load_group)

    def _status_view(self, found: CreditStatus | StatusUnavailable | None) -> StatusView | StatusUnavailable | None:
        if found is None or isinstance(found, StatusUnavailable):
            return found
        return read_models.status_view(found, self.viewer)

    @cached_property
    def rule_set(self) -> DataLoader[dt.datetime, rules.RuleSet]:
        return DataLoader(self.load_rule_sets)

    async def load_rule_sets(self, keys: list[dt.datetime]) -> list[rules.RuleSet]:
        config = await self.deps.engine.recent(self.pool)
        return [rules.select_rule_set(config.rule_sets, at) for at in keys]

    # Records

    @cached_property
    def record(self) -> DataLoader[int, RecordView | None]:
        """None for a record that does not exist or is hidden from the viewer."""
        return DataLoader(self.load_records)

    async def load_records(self, keys: list[int]) -> list[RecordView | None]:
        found = await db_records.get_many(self.pool, keys)
        scope = await self.record_scope()
        return [read_models.record_view(found[key], scope) if key in found else None for key in keys]

    @cached_property
    def record_page(self) -> DataLoader[RecordPageKey, Page[RecordView]]:
        return DataLoader(self.load_record_pages)

    async def load_record_pages(self, keys: list[RecordPageKey]) -> list[Page[RecordView]]:
        async def load_group(
            group: tuple[records.RecordFilter, tuple[dt.datetime, int] | None, int], members: list[RecordPageKey]
        ) -> dict[RecordPageKey, Page[RecordView]]:
            where, after, first = group
            scope = await self.record_scope()
            found = await db_records.list_page_for_subjects(
                self.pool, [key.subject_id for key in members], where, scope=scope, after=after, limit=first + 1
            )
            shown = {subject_id: read_models.record_views(items, scope) for subject_id, items in found.items()}
            return _pages(shown, members, lambda key: key.subject_id, first)

        return await _grouped(keys, lambda key: (key.where, key.after, key.first), load_group)

    @cached_property
    def record_count(self) -> DataLoader[RecordCountKey, int]:
        return DataLoader(self.load_record_counts)

    async def load_record_counts(self, keys: list[RecordCountKey]) -> list[int]:
        async def load_group(where: records.RecordFilter, members: list[RecordCountKey]) -> dict[RecordCountKey, int]:
            found = await db_records.count_for_subjects(
                self.pool, [key.subject_id for key in members], where, scope=await self.record_scope()
            )
            return {key: found.get(key.subject_id, 0) for key in members}

        return await _grouped(keys, lambda key: key.where, load_group)

    @cached_property
    def status_changes(self) -> DataLoader[int, list[records.StatusChange]]:
        return DataLoader(self.load_status_changes)

    async def load_status_changes(self, keys: list[int]) -> list[list[records.StatusChange]]:
        found = await db_records.list_status_changes_for_records(self.pool, keys)
        return [found.get(key, []) for key in keys]

    @cached_property
    def record_corrections(self) -> DataLoader[int, list[records.Correction]]:
        return DataLoader(self.load_record_corrections)

    async def load_record_corrections(self, keys: list[int]) -> list[list[records.Correction]]:
        found = await db_records.list_corrections_for_records(self.pool, keys)
        return [found.get(key, []) for key in keys]

    @cached_property
    def record_versions(self) -> DataLoader[int, list[records.RecordVersion]]:
        return DataLoader(self.load_record_versions)

    async def load_record_versions(self, keys: list[int]) -> list[list[records.RecordVersion]]:
        found = await db_authority.list_versions_for_records(self.pool, keys)
        return [found.get(key, []) for key in keys]

    # Notices, signings, executions, commitments

    @cached_property
    def notice_page(self) -> DataLoader[NoticePageKey, Page[Notice]]:
        return DataLoader(self.load_notice_pages)

    async def load_notice_pages(self, keys: list[NoticePageKey]) -> list[Page[Notice]]:
        async def load_group(
            group: tuple[int | None, int], members: list[NoticePageKey]
        ) -> dict[NoticePageKey, Page[Notice]]:
            before_id, first = group
            found = await db_notices.list_page_for_subjects(
                self.pool, [key.subject_id for key in members], before_id, first + 1
            )
            return _pages(found, members, lambda key: key.subject_id, first)

        return await _grouped(keys, lambda key: (key.before_id, key.first), load_group)

    @cached_property
    def notice_count(self) -> DataLoader[int, int]:
        return DataLoader(self.load_notice_counts)

    async def load_notice_counts(self, keys: list[int]) -> list[int]:
        found = await db_notices.count_for_subjects(self.pool, keys)
        return [found.get(key, 0) for key in keys]

    @cached_property
    def signing_page(self) -> DataLoader[SigningPageKey, Page[subjects.Signing]]:
        return DataLoader(self.load_signing_pages)

    async def load_signing_pages(self, keys: list[SigningPageKey]) -> list[Page[subjects.Signing]]:
        async def load_group(
            group: tuple[dt.datetime | None, int | None, int], members: list[SigningPageKey]
        ) -> dict[SigningPageKey, Page[subjects.Signing]]:
            in_force_at, before_id, first = group
            found = await db_signings.list_page_for_agencies(
                self.pool,
                [key.agency_id for key in members],
                in_force_at=in_force_at,
                before_id=before_id,
                limit=first + 1,
                platform=self.scope.platform,
            )
            return _pages(found, members, lambda key: key.agency_id, first)

        return await _grouped(keys, lambda key: (key.in_force_at, key.before_id, key.first), load_group)

    @cached_property
    def signing_count(self) -> DataLoader[SigningCountKey, int]:
        return DataLoader(self.load_signing_counts)

    async def load_signing_counts(self, keys: list[SigningCountKey]) -> list[int]:
        async def load_group(
            in_force_at: dt.datetime | None, members: list[SigningCountKey]
        ) -> dict[SigningCountKey, int]:
            found = await db_signings.count_for_agencies(
                self.pool, [key.agency_id for key in members], in_force_at=in_force_at, platform=self.scope.platform
            )
            return {key: found.get(key.agency_id, 0) for key in members}

        return await _grouped(keys, lambda key: key.in_force_at, load_group)

    @cached_property
    def anchor_signings(self) -> DataLoader[int, list[subjects.Signing]]:
        return DataLoader(self.load_anchor_signings)

    async def load_anchor_signings(self, keys: list[int]) -> list[list[subjects.Signing]]:
        found = await db_signings.list_for_anchors(self.pool, keys)
        return [found.get(key, []) for key in keys]

    @cached_property
    def executions(self) -> DataLoader[int, list[MeasureExecution]]:
        return DataLoader(self.load_executions)

    async def load_executions(self, keys: list[int]) -> list[list[MeasureExecution]]:
        found = await db_executions.list_for_subjects(self.pool, keys)
        return [found.get(key, []) for key in keys]

    @cached_property
    def commitments(self) -> DataLoader[int, list[Standing]]:
        return DataLoader(self.load_commitments)

    async def load_commitments(self, keys: list[int]) -> list[list[Standing]]:
        found = await services_commitments.standings_of_subjects(self.pool, keys, self.now)
        return [found.get(key, []) for key in keys]

    # Lists

    @cached_property
    def list_entry(self) -> DataLoader[int, lists.ListEntry | None]:
        return DataLoader(self.load_list_entries)

    async def load_list_entries(self, keys: list[int]) -> list[lists.ListEntry | None]:
        found = await db_lists.get_many(self.pool, keys)
        return [found.get(key) for key in keys]

    @cached_property
    def defences(self) -> DataLoader[int, list[DefenceView]]:
        return DataLoader(self.load_defences)

    async def load_defences(self, keys: list[int]) -> list[list[DefenceView]]:
        found = await db_lists.list_defences(self.pool, keys)
        return [[read_models.defence_view(defence, self.viewer) for defence in found.get(key, [])] for key in keys]

    @cached_property
    def list_entry_page(self) -> DataLoader[NewestFirstPageKey[ListEntryFilterKey], Page[lists.ListEntry]]:
        return self._newest_first_pages(db_lists.list_page, _as_read, state_at=self.now)

    @cached_property
    def list_entry_count(self) -> DataLoader[ListEntryFilterKey, int]:
        return self._newest_first_counts(db_lists.count, state_at=self.now)

    @cached_property
    def exit_review_page(self) -> DataLoader[NewestFirstPageKey[ExitReviewFilterKey], Page[lists.ExitReview]]:
        return self._newest_first_pages(db_lists.exit_review_page, _as_read)

    @cached_property
    def exit_review_count(self) -> DataLoader[ExitReviewFilterKey, int]:
        return self._newest_first_counts(db_lists.exit_review_count)

    # Workflows

    @cached_property
    def objection_page(self) -> DataLoader[NewestFirstPageKey[ObjectionFilterKey], Page[ObjectionView]]:
        return self._newest_first_pages(db_objections.list_page, self._objection_view)

    @cached_property
    def objection_count(self) -> DataLoader[ObjectionFilterKey, int]:
        return self._newest_first_counts(db_objections.count)

    def _objection_view(self, objection: Objection) -> ObjectionView:
        return read_models.objection_view(objection, self.viewer)

    @cached_property
    def repair_page(self) -> DataLoader[NewestFirstPageKey[RepairFilterKey], Page[RepairView]]:
        return self._newest_first_pages(db_repairs.list_page, self._repair_view)

    @cached_property
    def repair_count(self) -> DataLoader[RepairFilterKey, int]:
        return self._newest_first_counts(db_repairs.count)

    def _repair_view(self, application: RepairApplication) -> RepairView:
        return read_models.repair_view(application, self.viewer)

    # Audit

    @cached_property
    def audit_read_page(self) -> DataLoader[NewestFirstPageKey[AuditReadFilterKey], Page[AuditRead]]:
        return self._newest_first_pages(db_audit.list_reads, _as_read)

    @cached_property
    def audit_read_count(self) -> DataLoader[AuditReadFilterKey, int]:
        return self._newest_first_counts(db_audit.count_reads)

    @cached_property
    def audit_write_page(self) -> DataLoader[NewestFirstPageKey[AuditWriteFilterKey], Page[AuditWrite]]:
        return self._newest_first_pages(db_audit.list_writes, _as_read)

    @cached_property
    def audit_write_count(self) -> DataLoader[AuditWriteFilterKey, int]:
        return self._newest_first_counts(db_audit.count_writes)

    # Lists kept newest first

    def _newest_first_pages(
        self, list_page: Callable[..., Awaitable[list[R]]], show: Callable[[R], V], **fixed: object
    ) -> DataLoader[NewestFirstPageKey[Any], Page[V]]:
        """Pages of a list kept newest first by id: `list_page(conn, **filters, **fixed, before_id=,
        limit=)`, its filters the fields of the key's `where` (see `filters_of`), each row shown
        to the viewer by `show`."""

        async def load(key: NewestFirstPageKey[Any]) -> Page[V]:
            found = await list_page(
                self.pool, **filters_of(key.where), **fixed, before_id=key.before_id, limit=key.first + 1
            )
            return _page([show(row) for row in found], key.first)

        return DataLoader(_each(load))

    def _newest_first_counts(self, count: Callable[..., Awaitable[int]], **fixed: object) -> DataLoader[Any, int]:
        """How many rows a list kept newest first holds under a filter: `count(conn, **filters, **fixed)`."""

        async def load(where: Any) -> int:
            return await count(self.pool, **filters_of(where), **fixed)

        return DataLoader(_each(load))


def filters_of(where: Any) -> dict[str, Any]:
    """A filter key's fields by name: the keyword filters its list's queries take (a unit test holds
    each key's fields and its queries' keywords together)."""
    return {field.name: getattr(where, field.name) for field in dataclasses.fields(where)}


def _as_read(row: R) -> R:
    return row
