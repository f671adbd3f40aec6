"""Public credit commitments, and the records that could break them."""

from __future__ import annotations

import datetime as dt
from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.commitments import Commitment, NewCommitment
from credithub.domain.records import CreditRecord

SQL: Final = QUERIES["commitments"]


def _commitment(row: asyncpg.Record) -> Commitment:
    return Commitment(
        id=row["id"],
        subject_id=row["subject_id"],
        content=row["content"],
        purpose=row["purpose"],
        term_from=row["term_from"],
        term_until=row["term_until"],
        made_by=row["made_by"],
        made_at=row["made_at"],
    )


async def insert(conn: Connection, new: NewCommitment, *, by: str, at: dt.datetime) -> Commitment:
    row = await conn.fetchrow(
        SQL["insert"], new.subject_id, new.content, new.purpose, new.term_from, new.term_until, by, at
    )
    return _commitment(rows.required(row))


async def list_for_subjects(conn: Executor, subject_ids: list[int]) -> dict[int, list[Commitment]]:
    found: dict[int, list[Commitment]] = {subject_id: [] for subject_id in subject_ids}
    for row in await conn.fetch(SQL["list_for_subjects"], subject_ids):
        found[row["subject_id"]].append(_commitment(row))
    return found


async def list_breach_candidates(conn: Executor, subject_ids: list[int]) -> dict[int, list[CreditRecord]]:
    found: dict[int, list[CreditRecord]] = {subject_id: [] for subject_id in subject_ids}
    for row in await conn.fetch(SQL["list_breach_candidates"], subject_ids):
        found[row["subject_id"]].append(rows.credit_record(row))
    return found
