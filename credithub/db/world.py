"""Writing a generated World (credithub.demo.world) with binary COPY, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Connection
from credithub.db.queries import QUERIES
from credithub.demo.world import World

SQL: Final = QUERIES["world"]


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


async def insert_world(conn: Connection, world: World) -> WorldIds:
    """Insert every row of `world`; platforms must exist already."""
    person_ids = await _reserve(conn, "persons_id_seq", len(world.person_hashes))
    subject_ids = await _reserve(conn, "subjects_id_seq", len(world.subjects))
    record_ids = await _reserve(conn, "credit_records_id_seq", len(world.records))
    await _copy(conn, "persons", ("id", "id_hash"), list(zip(person_ids, world.person_hashes, strict=True)))
    await _copy(
        conn,
        "subjects",
        ("id", "kind", "name", "credit_code", "person_id"),
        [
            (
                subject_ids[i],
                row.kind.value,
                row.name,
                row.credit_code,
                person_ids[row.person_index] if row.person_index is not None else None,
            )
            for i, row in enumerate(world.subjects)
        ],
    )
    await _copy(
        conn,
        "accounts",
        ("subject_id", "platform", "external_id", "status", "display_name", "opened_at"),
        [
            (
                subject_ids[row.subject_index],
                row.platform,
                row.external_id,
                row.status.value,
                row.display_name,
                row.opened_at,
            )
            for row in world.accounts
        ],
    )
    await _copy(
        conn,
        "mcn_signings",
        ("agency_id", "anchor_id", "valid_from", "valid_to", "source_platform"),
        [
            (
                subject_ids[row.from_index],
                subject_ids[row.subject_index],
                row.valid_from,
                row.valid_to,
                row.source_platform,
            )
            for row in world.signings
        ],
    )
    await _copy(
        conn,
        "legal_representatives",
        ("person_id", "subject_id", "valid_from", "valid_to", "source_platform"),
        [
            (
                person_ids[row.from_index],
                subject_ids[row.subject_index],
                row.valid_from,
                row.valid_to,
                row.source_platform,
            )
            for row in world.representations
        ],
    )
    await _copy(
        conn,
        "credit_records",
        (
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
        ),
        [
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
        ],
    )
    await _copy(
        conn,
        "record_status_changes",
        ("record_id", "from_status", "to_status", "actor", "reason", "at"),
        [
            (
                record_ids[row.record_index],
                row.from_status.value if row.from_status else None,
                row.to_status.value,
                row.actor,
                row.reason,
                row.at,
            )
            for row in world.status_changes
        ],
    )
    await _insert_entries(conn, world, subject_ids, record_ids)
    await _copy(
        conn,
        "objections",
        ("record_id", "filed_by", "filed_by_platform", "reason", "filed_at", "due_at"),
        [
            (
                record_ids[row.record_index],
                f"platform:{row.filed_by_platform}",
                row.filed_by_platform,
                row.reason,
                row.filed_at,
                row.due_at,
            )
            for row in world.objections
        ],
    )
    return WorldIds(subject_ids, record_ids)


async def _insert_entries(conn: Connection, world: World, subject_ids: list[int], record_ids: list[int]) -> None:
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
