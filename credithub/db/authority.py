"""Authority decisions recorded in bulk: the batch copied into a staging table, then one statement per
step whatever the batch size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.authority import AuthorityDecision
from credithub.domain.records import RecordStatus, RecordVersion

SQL: Final = QUERIES["authority"]


BATCH_TABLE: Final = "authority_batch"
BATCH_COLUMNS: Final = (
    "n",
    "authority",
    "ref",
    "subject_name",
    "credit_code",
    "person_hash",
    "category",
    "severity",
    "occurred",
    "decided",
    "until",
    "description",
    "basis",
    "basis_ref",
    "digest",
)


@dataclass(frozen=True, slots=True)
class Kept:
    """A record already kept for a decision, and whether the source still says the same."""

    id: int
    subject_id: int
    status: RecordStatus
    same: bool


async def begin_batch(conn: Connection, decisions: Sequence[AuthorityDecision]) -> None:
    """Serialise recorders for this transaction, plan its lookups for the data as it is, and copy
    the decisions into the staging table the other steps read (position in `decisions` = `n`)."""
    await conn.execute(
        "\n".join(SQL[name] for name in ("lock_importers", "plan_lookups", "create_batch_table", "clear_batch"))
    )
    await conn.copy_records_to_table(
        BATCH_TABLE,
        columns=BATCH_COLUMNS,
        records=[
            (
                n,
                d.authority,
                d.decision_number,
                d.subject_name,
                d.credit_code,
                d.person_hash,
                d.category.value,
                d.severity.value if d.severity else None,
                d.occurred_at,
                d.decided_at,
                d.publicity_until,
                d.description,
                d.legal_basis.text,
                d.legal_basis.reference,
                d.digest(),
            )
            for n, d in enumerate(decisions)
        ],
    )


async def find_existing(conn: Connection) -> dict[int, Kept]:
    """{position in the batch: record} for the decisions already kept, unlocked (see lock_records)."""
    return {
        row["n"]: Kept(row["id"], row["subject_id"], RecordStatus(row["status"]), row["same"])
        for row in await conn.fetch(SQL["find_existing"])
    }


async def lock_records(conn: Connection, record_ids: Sequence[int]) -> None:
    """Lock the records about to change, for the rest of the transaction."""
    if record_ids:
        await conn.execute(SQL["lock_records"], sorted(record_ids))


async def find_organisations(conn: Connection, left_out: Sequence[int]) -> dict[str, int]:
    """{credit code: subject id} for the batch's codes the hub knows (but those at positions
    `left_out`)."""
    found = await conn.fetch(SQL["find_organisations"], list(left_out))
    return {row["credit_code"]: row["id"] for row in found}


async def find_people(conn: Connection, left_out: Sequence[int]) -> dict[bytes, int]:
    """{person hash: anchor subject id} for the batch's hashes the hub knows; nothing is stored."""
    return {bytes(row["id_hash"]): row["id"] for row in await conn.fetch(SQL["find_people"], list(left_out))}


async def plan_writes(conn: Connection) -> None:
    """The lookups are done: plan the rest of the transaction generically (see the query)."""
    await conn.execute(SQL["plan_writes"])


async def register_organisations(conn: Connection, positions: Sequence[int]) -> dict[str, int]:
    """Register merchants from the batch's rows at `positions` (one per credit code); {credit
    code: subject id} of those registered now (a code another session registered meanwhile is
    absent)."""
    if not positions:
        return {}
    found = await conn.fetch(SQL["register_organisations"], list(positions))
    return {row["credit_code"]: row["id"] for row in found}


async def insert_many(
    conn: Connection, new: Sequence[tuple[int, int]], at: dt.datetime, actor: str
) -> dict[tuple[str, str], int]:
    """New records for (position in the batch, subject id) pairs; {key: record id}."""
    if not new:
        return {}
    found = await conn.fetch(SQL["insert_many"], [n for n, _ in new], [s for _, s in new], at, actor)
    return {(row["source_authority"], row["source_ref"]): row["id"] for row in found}


async def update_many(conn: Connection, changed: Sequence[tuple[int, int]], at: dt.datetime, actor: str) -> None:
    """Changed re-publications of kept records, as (position in the batch, record id) pairs."""
    if changed:
        await conn.execute(SQL["update_many"], [n for n, _ in changed], [r for _, r in changed], at, actor)


async def list_versions_for_records(conn: Executor, record_ids: list[int]) -> dict[int, list[RecordVersion]]:
    grouped: dict[int, list[RecordVersion]] = {}
    for row in await conn.fetch(SQL["list_versions_for_records"], record_ids):
        grouped.setdefault(row["record_id"], []).append(
            RecordVersion(row["record_id"], row["version"], row["replaced_at"], row["replaced_by"], row["fields"])
        )
    return grouped
