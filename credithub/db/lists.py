"""List entries, the defences stated against proposals, and exit reviews."""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.lists import (
    Defence,
    EndCause,
    ExitCause,
    ExitReview,
    ExitReviewStatus,
    ListEntry,
    ListEntryState,
    ListKind,
    Proposal,
)

SQL: Final = QUERIES["lists"]


async def insert_proposal(
    conn: Connection,
    proposal: Proposal,
    *,
    authority: str,
    proposed_by: str,
    proposed_by_platform: str | None,
    at: dt.datetime,
    defence_deadline: dt.datetime,
) -> int:
    entry_id: int = await conn.fetchval(
        SQL["insert_proposal"],
        proposal.list.value,
        proposal.subject_id,
        authority,
        proposed_by,
        proposed_by_platform,
        at,
        proposal.reason,
        proposal.legal_basis.text,
        proposal.legal_basis.reference,
        proposal.legal_basis_level.value,
        proposal.exit_condition,
        at,
        defence_deadline,
    )
    if proposal.record_ids:
        await conn.execute(SQL["insert_records"], entry_id, list(proposal.record_ids))
    return entry_id


async def get_many(conn: Executor, ids: list[int]) -> dict[int, ListEntry]:
    return {row["id"]: rows.list_entry(row) for row in await conn.fetch(SQL["get_many"], ids)}


async def lock(conn: Connection, entry_id: int) -> ListEntry | None:
    """The entry, locked for a change (None: no such entry)."""
    if await conn.fetchval(SQL["lock"], entry_id) is None:
        return None
    return (await get_many(conn, [entry_id]))[entry_id]


async def decide(
    conn: Connection,
    entry_id: int,
    state: ListEntryState,
    *,
    by: str,
    at: dt.datetime,
    note: str,
    decision_ref: str | None,
    valid_until: dt.datetime | None,
) -> bool:
    """False when the entry is no longer a proposal."""
    found = await conn.fetchval(SQL["decide"], entry_id, state.value, by, at, note, decision_ref, valid_until)
    return found is not None


async def end(conn: Connection, entry_id: int, *, at: dt.datetime, by: str, reason: str, cause: EndCause) -> bool:
    """False when the entry was not in force."""
    return await conn.fetchval(SQL["end"], entry_id, at, by, reason, cause.value) is not None


async def list_page(
    conn: Executor,
    *,
    kind: ListKind | None,
    subject_id: int | None,
    in_force_at: dt.datetime | None,
    state: ListEntryState | None,
    platform: str | None,
    before_id: int | None,
    limit: int,
    state_at: dt.datetime,
) -> list[ListEntry]:
    """`state` is the state shown at `state_at` (an entry past its valid_until is ENDED)."""
    found = await conn.fetch(
        SQL["list_page"],
        kind.value if kind else None,
        subject_id,
        in_force_at,
        state.value if state else None,
        before_id,
        limit,
        platform,
        state_at,
    )
    return [rows.list_entry(row) for row in found]


async def count(
    conn: Executor,
    *,
    kind: ListKind | None,
    subject_id: int | None,
    in_force_at: dt.datetime | None,
    state: ListEntryState | None,
    platform: str | None,
    state_at: dt.datetime,
) -> int:
    total: int = await conn.fetchval(
        SQL["count"],
        kind.value if kind else None,
        subject_id,
        in_force_at,
        state.value if state else None,
        platform,
        state_at,
    )
    return total


async def list_resting_on(conn: Connection, record_id: int, at: dt.datetime) -> list[ListEntry]:
    """The entries in force resting on a record, locked."""
    return [rows.list_entry(row) for row in await conn.fetch(SQL["list_resting_on"], record_id, at)]


async def list_in_force_of_subject(conn: Connection, subject_id: int, at: dt.datetime) -> list[ListEntry]:
    """The subject's entries in force, locked."""
    return [rows.list_entry(row) for row in await conn.fetch(SQL["list_in_force_of_subject"], subject_id, at)]


async def list_red_in_force_of_subjects(conn: Connection, subject_ids: list[int], at: dt.datetime) -> list[ListEntry]:
    """The red entries in force of these subjects, locked."""
    return [rows.list_entry(row) for row in await conn.fetch(SQL["list_red_in_force_of_subjects"], subject_ids, at)]


async def insert_defence(conn: Connection, entry_id: int, by: str, statement: str, at: dt.datetime) -> Defence:
    return rows.defence(rows.required(await conn.fetchrow(SQL["insert_defence"], entry_id, by, statement, at)))


async def list_defences(conn: Executor, entry_ids: list[int]) -> dict[int, list[Defence]]:
    found: dict[int, list[Defence]] = {entry_id: [] for entry_id in entry_ids}
    for row in await conn.fetch(SQL["list_defences"], entry_ids):
        found[row["entry_id"]].append(rows.defence(row))
    return found


async def open_exit_review(
    conn: Connection, entry_id: int, record_id: int, cause: ExitCause, by: str, at: dt.datetime
) -> ExitReview | None:
    """None when one is already open for the same entry and record."""
    row = await conn.fetchrow(SQL["open_exit_review"], entry_id, record_id, cause.value, by, at)
    return rows.exit_review(row) if row is not None else None


async def get_exit_review_for_update(conn: Connection, review_id: int) -> ExitReview | None:
    row = await conn.fetchrow(SQL["get_exit_review_for_update"], review_id)
    return rows.exit_review(row) if row is not None else None


async def close_exit_reviews(
    conn: Connection, entry_id: int, status: ExitReviewStatus, *, by: str, at: dt.datetime, note: str
) -> list[ExitReview]:
    found = await conn.fetch(SQL["close_exit_reviews"], entry_id, status.value, by, at, note)
    return [rows.exit_review(row) for row in found]


async def exit_review_page(
    conn: Executor,
    *,
    status: ExitReviewStatus | None,
    authority: str | None,
    subject_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[ExitReview]:
    found = await conn.fetch(
        SQL["exit_review_page"], status.value if status else None, authority, subject_id, before_id, limit
    )
    return [rows.exit_review(row) for row in found]


async def exit_review_count(
    conn: Executor, *, status: ExitReviewStatus | None, authority: str | None, subject_id: int | None
) -> int:
    total: int = await conn.fetchval(SQL["exit_review_count"], status.value if status else None, authority, subject_id)
    return total
