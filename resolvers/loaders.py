"""DataLoader batch functions: one query per batch, results in key order, None when missing.

Paged loaders group their keys by everything but the parent id (in practice one group per
field selection), so `subjects(first: 50) { records(first: 5) }` runs one LATERAL query for
all 50 subjects, not 50 queries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
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
from credithub.domain import commitments, flags, lists, objections, records, repairs, rules, subjects
from credithub.domain.audit import AuditRead, AuditWrite
from credithub.domain.clients import Client
from credithub.domain.errors import StatusUnavailable
from credithub.domain.executions import MeasureExecution
from credithub.domain.notices import Notice
from credithub.domain.pages import Page
from credithub.domain.visibility import RecordScope, compute_enumeration_scope, compute_record_scope
from credithub.services import commitments as services_commitments
from credithub.services import credit_status
from credithub.services.ports import Deps
from schema.context import (
    AuditReadFilterKey,
    AuditWriteFilterKey,
    ExitReviewFilterKey,
    ListEntryFilterKey,
    Loaders,
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


def _each(load_one: Callable[[K], Awaitable[V]]) -> Callable[[list[K]], Awaitable[list[V]]]:
    """A batch function for keys that do not batch: one per top-level list field in an operation."""

    async def load(keys: list[K]) -> list[V]:
        return [await load_one(key) for key in keys]

    return load


def _fields(key: object) -> dict[str, Any]:
    """A filter key's fields as keyword arguments of the db function it mirrors."""
    return {field.name: getattr(key, field.name) for field in dataclasses.fields(key)}  # type: ignore[arg-type]


def make_loaders(deps: Deps, viewer: Client) -> Loaders:
    """Fresh loaders for one request, so nothing cached outlives it or leaks between clients."""
    pool = deps.pool
    now = deps.clock.now()
    scopes: list[RecordScope] = []
    scope = compute_enumeration_scope(viewer)  # a subject sees only itself; a platform lists only its own

    def mine(found: subjects.Subject | None) -> subjects.Subject | None:
        return found if found is not None and scope.subject_id in (None, found.id) else None

    async def record_scope() -> RecordScope:
        """What of each subject's records the viewer is shown, under the rules in force now."""
        if not scopes:
            config = await deps.engine.recent(pool)
            scopes.append(compute_record_scope(viewer, rules.select_rule_set(config.rule_sets, now), now))
        return scopes[0]

    async def load_subjects(keys: list[int]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many(pool, keys)
        return [mine(found.get(key)) for key in keys]

    async def load_subjects_by_credit_code(keys: list[str]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many_by_credit_code(pool, keys)
        return [mine(found.get(key)) for key in keys]

    async def load_subjects_by_account(keys: list[tuple[str, str]]) -> list[subjects.Subject | None]:
        found = await db_subjects.get_many_by_account(pool, keys)
        return [mine(found.get(key)) for key in keys]

    async def load_subject_pages(keys: list[SubjectPageKey]) -> list[Page[subjects.Subject]]:
        pages_found = []
        for key in keys:  # one key per `subjects` field in the operation
            found = await db_subjects.list_page(pool, key.where, key.after_id, key.first + 1)
            pages_found.append(Page(items=found[: key.first], has_next=len(found) > key.first))
        return pages_found

    async def load_subject_counts(keys: list[subjects.SubjectFilter]) -> list[int]:
        return [await db_subjects.count(pool, key) for key in keys]

    async def load_accounts(keys: list[int]) -> list[list[subjects.Account]]:
        found = await db_accounts.list_for_subjects(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_record_pages(keys: list[RecordPageKey]) -> list[Page[records.CreditRecord]]:
        async def load_group(
            group: tuple[records.RecordFilter, tuple[dt.datetime, int] | None, int], members: list[RecordPageKey]
        ) -> dict[RecordPageKey, Page[records.CreditRecord]]:
            where, after, first = group
            found = await db_records.list_page_for_subjects(
                pool,
                [key.subject_id for key in members],
                where,
                scope=await record_scope(),
                after=after,
                limit=first + 1,
            )
            return _pages(found, members, lambda key: key.subject_id, first)

        return await _grouped(keys, lambda key: (key.where, key.after, key.first), load_group)

    async def load_record_counts(keys: list[RecordCountKey]) -> list[int]:
        async def load_group(where: records.RecordFilter, members: list[RecordCountKey]) -> dict[RecordCountKey, int]:
            found = await db_records.count_for_subjects(
                pool, [key.subject_id for key in members], where, scope=await record_scope()
            )
            return {key: found.get(key.subject_id, 0) for key in members}

        return await _grouped(keys, lambda key: key.where, load_group)

    async def load_status_changes(keys: list[int]) -> list[list[records.StatusChange]]:
        found = await db_records.list_status_changes_for_records(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_notice_pages(keys: list[NoticePageKey]) -> list[Page[Notice]]:
        async def load_group(
            group: tuple[int | None, int], members: list[NoticePageKey]
        ) -> dict[NoticePageKey, Page[Notice]]:
            before_id, first = group
            found = await db_notices.list_page_for_subjects(
                pool, [key.subject_id for key in members], before_id, first + 1
            )
            return _pages(found, members, lambda key: key.subject_id, first)

        return await _grouped(keys, lambda key: (key.before_id, key.first), load_group)

    async def load_notice_counts(keys: list[int]) -> list[int]:
        found = await db_notices.count_for_subjects(pool, keys)
        return [found.get(key, 0) for key in keys]

    async def load_record_corrections(keys: list[int]) -> list[list[records.Correction]]:
        found = await db_records.list_corrections_for_records(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_record_versions(keys: list[int]) -> list[list[records.RecordVersion]]:
        found = await db_authority.list_versions_for_records(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_signing_pages(keys: list[SigningPageKey]) -> list[Page[subjects.Signing]]:
        async def load_group(
            group: tuple[dt.datetime | None, int | None, int], members: list[SigningPageKey]
        ) -> dict[SigningPageKey, Page[subjects.Signing]]:
            in_force_at, before_id, first = group
            found = await db_signings.list_page_for_agencies(
                pool,
                [key.agency_id for key in members],
                in_force_at=in_force_at,
                before_id=before_id,
                limit=first + 1,
                platform=scope.platform,
            )
            return _pages(found, members, lambda key: key.agency_id, first)

        return await _grouped(keys, lambda key: (key.in_force_at, key.before_id, key.first), load_group)

    async def load_signing_counts(keys: list[SigningCountKey]) -> list[int]:
        async def load_group(
            in_force_at: dt.datetime | None, members: list[SigningCountKey]
        ) -> dict[SigningCountKey, int]:
            found = await db_signings.count_for_agencies(
                pool, [key.agency_id for key in members], in_force_at=in_force_at, platform=scope.platform
            )
            return {key: found.get(key.agency_id, 0) for key in members}

        return await _grouped(keys, lambda key: key.in_force_at, load_group)

    async def load_anchor_signings(keys: list[int]) -> list[list[subjects.Signing]]:
        found = await db_signings.list_for_anchors(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_credit_statuses(keys: list[StatusKey]) -> list[flags.CreditStatus | StatusUnavailable | None]:
        """A StatusUnavailable in place of a status is raised by `load` for that subject alone."""

        async def load_group(
            as_of: dt.datetime | None, members: list[StatusKey]
        ) -> dict[StatusKey, flags.CreditStatus | StatusUnavailable | None]:
            versions = {key.subject_id: key.facts_version for key in members}
            found = await credit_status.statuses_of_subjects(deps, versions, as_of)
            return {key: found.get(key.subject_id) for key in members}

        return await _grouped(keys, lambda key: key.as_of, load_group)

    async def load_list_entry_page(key: NewestFirstPageKey[ListEntryFilterKey]) -> Page[lists.ListEntry]:
        found = await db_lists.list_page(
            pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1, state_at=now
        )
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_list_entry_count(key: ListEntryFilterKey) -> int:
        return await db_lists.count(pool, **_fields(key), state_at=now)

    async def load_list_entries(keys: list[int]) -> list[lists.ListEntry | None]:
        found = await db_lists.get_many(pool, keys)
        return [found.get(key) for key in keys]

    async def load_defences(keys: list[int]) -> list[list[lists.Defence]]:
        found = await db_lists.list_defences(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_exit_review_page(key: NewestFirstPageKey[ExitReviewFilterKey]) -> Page[lists.ExitReview]:
        found = await db_lists.exit_review_page(
            pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1
        )
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_exit_review_count(key: ExitReviewFilterKey) -> int:
        return await db_lists.exit_review_count(pool, **_fields(key))

    async def load_records(keys: list[int]) -> list[records.CreditRecord | None]:
        found = await db_records.get_many(pool, keys)
        return [found.get(key) for key in keys]

    async def load_objection_page(key: NewestFirstPageKey[ObjectionFilterKey]) -> Page[objections.Objection]:
        found = await db_objections.list_page(pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1)
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_objection_count(key: ObjectionFilterKey) -> int:
        return await db_objections.count(pool, **_fields(key))

    async def load_repair_page(key: NewestFirstPageKey[RepairFilterKey]) -> Page[repairs.RepairApplication]:
        found = await db_repairs.list_page(pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1)
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_repair_count(key: RepairFilterKey) -> int:
        return await db_repairs.count(pool, **_fields(key))

    async def load_audit_read_page(key: NewestFirstPageKey[AuditReadFilterKey]) -> Page[AuditRead]:
        found = await db_audit.list_reads(pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1)
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_audit_read_count(key: AuditReadFilterKey) -> int:
        return await db_audit.count_reads(pool, **_fields(key))

    async def load_audit_write_page(key: NewestFirstPageKey[AuditWriteFilterKey]) -> Page[AuditWrite]:
        found = await db_audit.list_writes(pool, **_fields(key.where), before_id=key.before_id, limit=key.first + 1)
        return Page(items=found[: key.first], has_next=len(found) > key.first)

    async def load_audit_write_count(key: AuditWriteFilterKey) -> int:
        return await db_audit.count_writes(pool, **_fields(key))

    async def load_executions(keys: list[int]) -> list[list[MeasureExecution]]:
        found = await db_executions.list_for_subjects(pool, keys)
        return [found.get(key, []) for key in keys]

    async def load_commitments(keys: list[int]) -> list[list[commitments.Standing]]:
        found = await services_commitments.standings_of_subjects(pool, keys, now)
        return [found.get(key, []) for key in keys]

    async def load_rule_sets(keys: list[dt.datetime]) -> list[rules.RuleSet]:
        config = await deps.engine.recent(pool)
        return [rules.select_rule_set(config.rule_sets, at) for at in keys]

    return Loaders(
        subject=DataLoader(load_subjects),
        subject_by_credit_code=DataLoader(load_subjects_by_credit_code),
        subject_by_account=DataLoader(load_subjects_by_account),
        subject_page=DataLoader(load_subject_pages),
        subject_count=DataLoader(load_subject_counts),
        accounts=DataLoader(load_accounts),
        record_page=DataLoader(load_record_pages),
        record_count=DataLoader(load_record_counts),
        status_changes=DataLoader(load_status_changes),
        record_versions=DataLoader(load_record_versions),
        record_corrections=DataLoader(load_record_corrections),
        notice_page=DataLoader(load_notice_pages),
        notice_count=DataLoader(load_notice_counts),
        signing_page=DataLoader(load_signing_pages),
        signing_count=DataLoader(load_signing_counts),
        anchor_signings=DataLoader(load_anchor_signings),
        credit_status=DataLoader(load_credit_statuses),
        rule_set=DataLoader(load_rule_sets),
        list_entry_page=DataLoader(_each(load_list_entry_page)),
        list_entry_count=DataLoader(_each(load_list_entry_count)),
        list_entry=DataLoader(load_list_entries),
        defences=DataLoader(load_defences),
        exit_review_page=DataLoader(_each(load_exit_review_page)),
        exit_review_count=DataLoader(_each(load_exit_review_count)),
        record=DataLoader(load_records),
        objection_page=DataLoader(_each(load_objection_page)),
        objection_count=DataLoader(_each(load_objection_count)),
        repair_page=DataLoader(_each(load_repair_page)),
        repair_count=DataLoader(_each(load_repair_count)),
        audit_read_page=DataLoader(_each(load_audit_read_page)),
        audit_read_count=DataLoader(_each(load_audit_read_count)),
        audit_write_page=DataLoader(_each(load_audit_write_page)),
        audit_write_count=DataLoader(_each(load_audit_write_count)),
        executions=DataLoader(load_executions),
        commitments=DataLoader(load_commitments),
        record_scope=record_scope,
    )
