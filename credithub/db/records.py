"""Credit records and their status history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain import events, records, violation_reports
from credithub.domain.errors import AlreadyExists
from credithub.domain.visibility import RecordScope

SQL: Final = QUERIES["records"]
PLATFORM_REF_KEY: Final = "credit_records_platform_ref_key"
AUTHORITY_REF_KEY: Final = "credit_records_authority_ref_key"


def scope_args(scope: RecordScope) -> tuple[Any, ...]:
    """The viewer's scope as the SQL function `record_visibility` takes it (after the record's own
    fields): include repaired, sees all, own platform, own subject, the published severities and
    their maximum publicity months (pairwise), the instant."""
    published = [severity for severity in records.Severity if scope.published(severity)]
    return (
        scope.include_repaired,
        scope.sees_all,
        scope.own_platform,
        scope.own_subject,
        [severity.value for severity in published],
        [scope.rules.window(severity).max_months for severity in published],
        scope.at,
    )


def _filter_args(where: records.RecordFilter, scope: RecordScope) -> tuple[Any, ...]:
    def values(items: tuple[Any, ...] | None) -> list[str] | None:
        return [item.value for item in items] if items is not None else None

    return (
        values(where.categories),
        values(where.severities),
        values(where.statuses),
        where.source_platform,
        where.occurred_from,
        where.occurred_before,
        *scope_args(scope),
    )


async def list_page_for_subjects(
    conn: Executor,
    subject_ids: list[int],
    where: records.RecordFilter,
    *,
    scope: RecordScope,
    after: tuple[dt.datetime, int] | None,
    limit: int,
) -> dict[int, list[records.CreditRecord]]:
    cursor_at, cursor_id = after if after is not None else (None, None)
    found = await conn.fetch(
        SQL["list_page_for_subjects"], subject_ids, limit, cursor_at, cursor_id, *_filter_args(where, scope)
    )
    grouped: dict[int, list[records.CreditRecord]] = defaultdict(list)
    for row in found:
        grouped[row["subject_id"]].append(rows.credit_record(row))
    return grouped


async def count_for_subjects(
    conn: Executor, subject_ids: list[int], where: records.RecordFilter, *, scope: RecordScope
) -> dict[int, int]:
    found = await conn.fetch(SQL["count_for_subjects"], subject_ids, *_filter_args(where, scope))
    return {row["subject_id"]: row["total"] for row in found}


async def list_status_changes_for_records(
    conn: Executor, record_ids: list[int]
) -> dict[int, list[records.StatusChange]]:
    grouped: dict[int, list[records.StatusChange]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_status_changes_for_records"], record_ids):
        grouped[row["record_id"]].append(rows.status_change(row))
    return grouped


async def insert(
    conn: Connection,
    *,
    subject_id: int,
    source: records.Source,
    account_id: int | None,
    category: records.Category,
    severity: records.Severity | None,
    occurred_at: dt.datetime,
    reported_at: dt.datetime,
    description: str | None,
    legal_basis: records.LegalBasis,
    valid_until: dt.datetime | None = None,
    report_digest: bytes | None = None,
    decided_at: dt.datetime | None = None,
) -> records.CreditRecord:
    try:
        row = await conn.fetchrow(
            SQL["insert"],
            subject_id,
            source.type.value,
            source.platform,
            source.authority,
            source.ref,
            account_id,
            category.value,
            severity.value if severity is not None else None,
            occurred_at,
            reported_at,
            description,
            legal_basis.text,
            legal_basis.reference,
            valid_until,
            report_digest,
            decided_at,
        )
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name in (PLATFORM_REF_KEY, AUTHORITY_REF_KEY):
            raise AlreadyExists(f"the source already reported a record with id {source.ref!r}") from exc
        raise
    return rows.credit_record(rows.required(row))


async def get_report_digest(conn: Executor, platform: str, violation_id: str) -> tuple[int, bytes | None] | None:
    """(record id, digest of what was reported) for a platform's violation id, or None if none."""
    row = await conn.fetchrow(SQL["get_report_digest"], platform, violation_id)
    return (row["id"], row["report_digest"]) if row is not None else None


async def insert_status_change(conn: Connection, change: records.StatusChange) -> None:
    await conn.execute(
        SQL["insert_status_change"],
        change.record_id,
        change.from_status.value if change.from_status is not None else None,
        change.to_status.value,
        change.actor,
        change.reason,
        change.at,
    )


async def update_status(
    conn: Connection, record_id: int, expected: records.RecordStatus, new: records.RecordStatus
) -> bool:
    """Compare-and-set the stored status; False when the record was no longer in `expected`."""
    return await conn.fetchval(SQL["update_status"], record_id, expected.value, new.value) is not None


async def get_many(conn: Executor, ids: list[int]) -> dict[int, records.CreditRecord]:
    return {row["id"]: rows.credit_record(row) for row in await conn.fetch(SQL["get_many"], ids)}


async def list_of_subject(conn: Executor, subject_id: int) -> list[records.CreditRecord]:
    return [rows.credit_record(row) for row in await conn.fetch(SQL["list_of_subject"], subject_id)]


async def get_by_source_ref(conn: Connection, platform: str, ref: str) -> records.CreditRecord | None:
    row = await conn.fetchrow(SQL["get_by_source_ref"], platform, ref)
    return rows.credit_record(row) if row is not None else None


async def get_for_update(conn: Connection, record_id: int) -> records.CreditRecord | None:
    row = await conn.fetchrow(SQL["get_for_update"], record_id)
    return rows.credit_record(row) if row is not None else None


async def correct(
    conn: Connection,
    record: records.CreditRecord,
    correction: records.Reclassification,
    *,
    objection_id: int | None,
    actor: str,
    reason: str,
    at: dt.datetime,
) -> None:
    """Change a locked record's category and severity, keeping what it said before."""
    severity = correction.severity.value if correction.severity is not None else None
    assert await conn.fetchval(SQL["correct"], record.id, correction.category.value, severity) is not None
    await conn.execute(
        SQL["insert_correction"],
        record.id,
        objection_id,
        record.category.value,
        record.severity.value if record.severity is not None else None,
        correction.category.value,
        severity,
        actor,
        reason,
        at,
    )


async def list_corrections_for_records(conn: Executor, record_ids: list[int]) -> dict[int, list[records.Correction]]:
    grouped: dict[int, list[records.Correction]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_corrections_for_records"], record_ids):
        grouped[row["record_id"]].append(
            records.Correction(
                record_id=row["record_id"],
                from_category=records.Category(row["from_category"]),
                from_severity=records.Severity(row["from_severity"]) if row["from_severity"] else None,
                to_category=records.Category(row["to_category"]),
                to_severity=records.Severity(row["to_severity"]) if row["to_severity"] else None,
                actor=row["actor"],
                reason=row["reason"],
                at=row["at"],
            )
        )
    return grouped


async def lock_platform_reports(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
    """{(platform, violation id): digest of what was reported} for the `keys` the hub holds a
    record of (None: kept before digests were), those records locked for the caller's transaction
    in the order of `keys`."""
    found = await conn.fetch(SQL["lock_platform_reports"], [platform for platform, _ in keys], [ref for _, ref in keys])
    return {(row["platform"], row["ref"]): row["report_digest"] for row in found}


# A new record a platform reported: the platform, its report, what was decided about it, the actor.
Reported = tuple[str, events.ViolationReported, violation_reports.NewReport, str]


async def insert_reported(
    conn: Connection, reported: list[Reported], reported_at: dt.datetime
) -> list[records.CreditRecord]:
    """Insert new platform records, each with its first status change (ACTIVE, "reported"), in one
    statement; returns them in id order (the order given)."""
    commands = [command for _, command, _, _ in reported]
    decided = [decision for _, _, decision, _ in reported]
    found = await conn.fetch(
        SQL["insert_reported"],
        [decision.subject_id for decision in decided],
        [platform for platform, _, _, _ in reported],
        [command.violation_id for command in commands],
        [decision.account_id for decision in decided],
        [command.category.value for command in commands],
        [command.severity.value for command in commands],
        [command.occurred_at for command in commands],
        [command.description for command in commands],
        [command.legal_basis.text for command in commands],
        [command.legal_basis.reference for command in commands],
        [decision.digest for decision in decided],
        [actor for _, _, _, actor in reported],
        reported_at,
    )
    return [rows.credit_record(row) for row in found]
