"""Bulk loading of generated rows (the demo world, benchmark datasets) with binary COPY, in the
caller's transaction.

Rows refer to each other by their position in their list (`subject_index`, `person_index`,
`record_index`); `insert_world` reserves database ids and swaps positions for them. The
generators (`credithub.demo.world`, bench/) build these rows; this module knows only the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from credithub.db.pool import Connection
from credithub.db.queries import QUERIES
from credithub.domain.lists import ListKind
from credithub.domain.records import Category, LegalBasisLevel, RecordStatus, Severity, SourceType
from credithub.domain.subjects import AccountStatus, SubjectKind

SQL: Final = QUERIES["world"]


class SubjectRow(NamedTuple):
    kind: SubjectKind
    name: str
    credit_code: str | None
    person_index: int | None


class AccountRow(NamedTuple):
    subject_index: int
    platform: str
    external_id: str
    status: AccountStatus
    display_name: str
    opened_at: dt.datetime


class PeriodRow(NamedTuple):
    """An MCN signing (from = agency) or a legal representation (from = person)."""

    from_index: int
    subject_index: int
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    source_platform: str


class RecordRow(NamedTuple):
    subject_index: int
    source_type: SourceType
    source_platform: str | None
    source_authority: str | None
    source_ref: str
    category: Category
    severity: Severity | None
    occurred_at: dt.datetime
    reported_at: dt.datetime
    description: str
    legal_basis: str
    legal_basis_ref: str | None
    status: RecordStatus
    valid_until: dt.datetime | None
    decided_at: dt.datetime | None = None  # authorities' decisions: the decision date


class StatusChangeRow(NamedTuple):
    record_index: int
    from_status: RecordStatus | None
    to_status: RecordStatus
    actor: str
    reason: str
    at: dt.datetime


class ObjectionRow(NamedTuple):
    """An open objection behind an OBJECTION_PENDING record, filed by a platform of the subject."""

    record_index: int
    filed_by_platform: str
    reason: str
    filed_at: dt.datetime
    due_at: dt.datetime


class EntryRow(NamedTuple):
    """A listing already decided and in force. The demo's other states (proposed, dropped, ended,
    under exit review) are acted out through the services afterwards: `services.demo_procedures`."""

    subject_index: int
    list: ListKind
    record_indices: tuple[int, ...]
    authority: str
    decided_by: str
    reason: str
    legal_basis: str
    legal_basis_level: LegalBasisLevel
    exit_condition: str
    valid_from: dt.datetime
    valid_until: dt.datetime


@dataclass
class WorldRows:
    """Everything `insert_world` writes, table by table."""

    person_hashes: list[bytes] = field(default_factory=list)
    subjects: list[SubjectRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    signings: list[PeriodRow] = field(default_factory=list)
    representations: list[PeriodRow] = field(default_factory=list)
    records: list[RecordRow] = field(default_factory=list)
    status_changes: list[StatusChangeRow] = field(default_factory=list)
    entries: list[EntryRow] = field(default_factory=list)
    objections: list[ObjectionRow] = field(default_factory=list)


async def _reserve(conn: Connection, sequence: str, count: int) -> list[int]:
    if count == 0:
        return []
    return [row["id"] for row in await conn.fetch(SQL["reserve_ids"], sequence, count)]


async def _copy(conn: Connection, table: str, columns: Sequence[str], rows: list[tuple[object, ...]]) -> None:
    if rows:
        await conn.copy_records_to_table(table, records=rows, columns=list(columns))


@dataclass(frozen=True, slots=True)
class WorldIds:
    """The database ids the rows of a World were given, by their position in its lists."""

    subjects: list[int]
    records: list[int]


async def insert_world(conn: Connection, world: WorldRows) -> WorldIds:
    """Insert every row of `world`; platforms must exist already."""
    person_ids = await _reserve(conn, "persons_id_seq", len(world.person_hashes))
    subject_ids = await _reserve(conn, "subjects_id_seq", len(world.subjects))
    record_ids = await _reserve(conn, "credit_records_id_seq", len(world.records))
    await _copy(conn, "persons", ("id", "id_hash"), list(zip(person_ids, world.person_hashes, strict=True)))
    await _copy(conn, "subjects", SUBJECT_COLUMNS, _subject_rows(world, person_ids, subject_ids))
    await _copy(conn, "accounts", ACCOUNT_COLUMNS, _account_rows(world, subject_ids))
    await _copy(conn, "mcn_signings", SIGNING_COLUMNS, _signing_rows(world, subject_ids))
    await _copy(
        conn, "legal_representatives", REPRESENTATION_COLUMNS, _representation_rows(world, person_ids, subject_ids)
    )
    await _copy(conn, "credit_records", RECORD_COLUMNS, _record_rows(world, subject_ids, record_ids))
    await _copy(conn, "record_status_changes", STATUS_CHANGE_COLUMNS, _status_change_rows(world, record_ids))
    await _insert_entries(conn, world, subject_ids, record_ids)
    await _copy(conn, "objections", OBJECTION_COLUMNS, _objection_rows(world, record_ids))
    return WorldIds(subject_ids, record_ids)


Rows = list[tuple[object, ...]]

SUBJECT_COLUMNS: Final = ("id", "kind", "name", "credit_code", "person_id")
ACCOUNT_COLUMNS: Final = ("subject_id", "platform", "external_id", "status", "display_name", "opened_at")
SIGNING_COLUMNS: Final = ("agency_id", "anchor_id", "valid_from", "valid_to", "source_platform")
REPRESENTATION_COLUMNS: Final = ("person_id", "subject_id", "valid_from", "valid_to", "source_platform")
RECORD_COLUMNS: Final = (
    "id",
    "subject_id",
    "source_type",
    "source_platform",
    "source_authority",
    "source_ref",
    "category",
    "severity",
    "occurred_at",
    "reported_at",
    "description",
    "legal_basis",
    "legal_basis_ref",
    "status",
    "valid_until",
    "decided_at",
)
STATUS_CHANGE_COLUMNS: Final = ("record_id", "from_status", "to_status", "actor", "reason", "at")
OBJECTION_COLUMNS: Final = ("record_id", "filed_by", "filed_by_platform", "reason", "filed_at", "due_at")


def _subject_rows(world: WorldRows, person_ids: list[int], subject_ids: list[int]) -> Rows:
    return [
        (
            subject_ids[i],
            row.kind.value,
            row.name,
            row.credit_code,
            person_ids[row.person_index] if row.person_index is not None else None,
        )
        for i, row in enumerate(world.subjects)
    ]


def _account_rows(world: WorldRows, subject_ids: list[int]) -> Rows:
    return [
        (
            subject_ids[row.subject_index],
            row.platform,
            row.external_id,
            row.status.value,
            row.display_name,
            row.opened_at,
        )
        for row in world.accounts
    ]


def _signing_rows(world: WorldRows, subject_ids: list[int]) -> Rows:
    return [
        (subject_ids[row.from_index], subject_ids[row.subject_index], row.valid_from, row.valid_to, row.source_platform)
        for row in world.signings
    ]


def _representation_rows(world: WorldRows, person_ids: list[int], subject_ids: list[int]) -> Rows:
    return [
        (person_ids[row.from_index], subject_ids[row.subject_index], row.valid_from, row.valid_to, row.source_platform)
        for row in world.representations
    ]


def _record_rows(world: WorldRows, subject_ids: list[int], record_ids: list[int]) -> Rows:
    return [
        (
            record_ids[i],
            subject_ids[row.subject_index],
            row.source_type.value,
            row.source_platform,
            row.source_authority,
            row.source_ref,
            row.category.value,
            row.severity.value if row.severity else None,
            row.occurred_at,
            row.reported_at,
            row.description,
            row.legal_basis,
            row.legal_basis_ref,
            row.status.value,
            row.valid_until,
            row.decided_at,
        )
        for i, row in enumerate(world.records)
    ]


def _status_change_rows(world: WorldRows, record_ids: list[int]) -> Rows:
    return [
        (
            record_ids[row.record_index],
            row.from_status.value if row.from_status else None,
            row.to_status.value,
            row.actor,
            row.reason,
            row.at,
        )
        for row in world.status_changes
    ]


def _objection_rows(world: WorldRows, record_ids: list[int]) -> Rows:
    return [
        (
            record_ids[row.record_index],
            f"platform:{row.filed_by_platform}",
            row.filed_by_platform,
            row.reason,
            row.filed_at,
            row.due_at,
        )
        for row in world.objections
    ]


async def _insert_entries(conn: Connection, world: WorldRows, subject_ids: list[int], record_ids: list[int]) -> None:
    entry_ids = await _reserve(conn, "list_entries_id_seq", len(world.entries))
    await _copy(
        conn,
        "list_entries",
        (
            "id",
            "list",
            "subject_id",
            "authority",
            "proposed_by",
            "proposed_at",
            "reason",
            "legal_basis",
            "legal_basis_level",
            "exit_condition",
            "state",
            "decided_by",
            "decided_at",
            "decision_note",
            "valid_from",
            "valid_until",
        ),
        [
            (
                entry_ids[i],
                row.list.value,
                subject_ids[row.subject_index],
                row.authority,
                row.decided_by,
                row.valid_from,
                row.reason,
                row.legal_basis,
                row.legal_basis_level.value,
                row.exit_condition,
                "IN_FORCE",
                row.decided_by,
                row.valid_from,
                "designated when the demo world was loaded",
                row.valid_from,
                row.valid_until,
            )
            for i, row in enumerate(world.entries)
        ],
    )
    await _copy(
        conn,
        "list_entry_records",
        ("entry_id", "record_id"),
        [
            (entry_ids[i], record_ids[record_index])
            for i, row in enumerate(world.entries)
            for record_index in row.record_indices
        ],
    )
