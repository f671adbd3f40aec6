"""Authority decisions recorded in bulk: arrays in, one statement per step, whatever the batch size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.authority import AuthorityDecision
from credithub.domain.records import RecordStatus, RecordVersion

SQL: Final = QUERIES["authority"]


@dataclass(frozen=True, slots=True)
class Kept:
    """A record already kept for a decision."""

    id: int
    subject_id: int
    digest: bytes | None
    status: RecordStatus


async def lock_importers(conn: Connection) -> None:
    """Serialise recorders for this transaction, and plan its batch statements as they come."""
    await conn.execute(SQL["lock_importers"])
    await conn.execute(SQL["use_custom_plans"])


async def ensure_organisations(conn: Connection, names_by_code: dict[str, str]) -> dict[str, int]:
    """{credit code: subject id}, registering unknown codes as merchants."""
    if not names_by_code:
        return {}
    codes = list(names_by_code)
    found = await conn.fetch(SQL["ensure_organisations"], codes, [names_by_code[code] for code in codes])
    return {row["credit_code"]: row["id"] for row in found}


async def find_people(conn: Executor, hashes: list[bytes]) -> dict[bytes, int]:
    """{person hash: anchor subject id} for the hashes the hub knows; nothing is stored."""
    if not hashes:
        return {}
    return {bytes(row["id_hash"]): row["id"] for row in await conn.fetch(SQL["find_people"], hashes)}


async def lock_existing(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Kept]:
    if not keys:
        return {}
    found = await conn.fetch(SQL["lock_existing"], [a for a, _ in keys], [n for _, n in keys])
    return {
        (row["source_authority"], row["source_ref"]): Kept(
            row["id"],
            row["subject_id"],
            bytes(row["source_digest"]) if row["source_digest"] is not None else None,
            RecordStatus(row["status"]),
        )
        for row in found
    }


def _columns(decisions: Sequence[AuthorityDecision]) -> list[list[Any]]:
    return [
        [d.category.value for d in decisions],
        [d.severity.value if d.severity else None for d in decisions],
        [d.occurred_at for d in decisions],
        [d.decided_at for d in decisions],
        [d.publicity_until for d in decisions],
        [d.description for d in decisions],
        [d.legal_basis.text for d in decisions],
        [d.legal_basis.reference for d in decisions],
        [d.digest() for d in decisions],
    ]


async def insert_many(
    conn: Connection, decisions: Sequence[tuple[int, AuthorityDecision]], at: dt.datetime, actor: str
) -> dict[tuple[str, str], int]:
    """New records for (subject id, decision) pairs; {key: record id}."""
    if not decisions:
        return {}
    chosen = [decision for _, decision in decisions]
    found = await conn.fetch(
        SQL["insert_many"],
        [subject_id for subject_id, _ in decisions],
        [d.authority for d in chosen],
        [d.decision_number for d in chosen],
        *_columns(chosen),
        at,
        actor,
    )
    return {(row["source_authority"], row["source_ref"]): row["id"] for row in found}


async def update_many(
    conn: Connection, decisions: Sequence[tuple[int, AuthorityDecision]], at: dt.datetime, actor: str
) -> None:
    """Changed re-publications of kept records, as (record id, decision) pairs."""
    if decisions:
        await conn.execute(
            SQL["update_many"],
            [record_id for record_id, _ in decisions],
            *_columns([decision for _, decision in decisions]),
            at,
            actor,
        )


async def list_versions_for_records(conn: Executor, record_ids: list[int]) -> dict[int, list[RecordVersion]]:
    grouped: dict[int, list[RecordVersion]] = {}
    for row in await conn.fetch(SQL["list_versions_for_records"], record_ids):
        grouped.setdefault(row["record_id"], []).append(
            RecordVersion(row["record_id"], row["version"], row["replaced_at"], row["replaced_by"], row["fields"])
        )
    return grouped
