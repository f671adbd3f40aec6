"""Platform accounts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.subjects import Account, AccountStatus, SubjectKind
from credithub.domain.violation_reports import KnownParty

SQL: Final = QUERIES["accounts"]
PLATFORM_EXTERNAL_ID_KEY: Final = "accounts_platform_external_id_key"


async def list_for_subjects(conn: Executor, subject_ids: list[int]) -> dict[int, list[Account]]:
    grouped: dict[int, list[Account]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_for_subjects"], subject_ids):
        grouped[row["subject_id"]].append(rows.account(row))
    return grouped


async def insert(
    conn: Connection,
    subject_id: int,
    platform: str,
    external_id: str,
    status: AccountStatus,
    display_name: str | None,
    opened_at: dt.datetime | None,
) -> Account:
    try:
        row = await conn.fetchrow(
            SQL["insert"], subject_id, platform, external_id, status.value, display_name, opened_at
        )
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == PLATFORM_EXTERNAL_ID_KEY:
            raise AlreadyExists(f"account {external_id!r} on platform {platform!r} already exists") from exc
        raise
    return rows.account(rows.required(row))


async def get_by_key(conn: Connection, platform: str, external_id: str) -> Account | None:
    row = await conn.fetchrow(SQL["get_by_key"], platform, external_id)
    return rows.account(row) if row is not None else None


async def update_state(
    conn: Connection, account_id: int, status: AccountStatus, display_name: str | None, opened_at: dt.datetime | None
) -> Account:
    row = await conn.fetchrow(SQL["update_state"], account_id, status.value, display_name, opened_at)
    return rows.account(rows.required(row))


async def insert_if_absent(
    conn: Connection, subject_id: int, platform: str, external_id: str, display_name: str | None
) -> Account | None:
    """The new (ACTIVE) account, or None when the platform's id is taken already."""
    row = await conn.fetchrow(
        SQL["insert_if_absent"], subject_id, platform, external_id, AccountStatus.ACTIVE.value, display_name, None
    )
    return rows.account(row) if row is not None else None


async def list_platforms_of_subject(conn: Executor, subject_id: int) -> frozenset[str]:
    return frozenset(row["platform"] for row in await conn.fetch(SQL["list_platforms_of_subject"], subject_id))


async def platform_known_since(conn: Executor, subject_id: int, platform: str) -> dt.datetime | None:
    since: dt.datetime | None = await conn.fetchval(SQL["platform_known_since"], subject_id, platform)
    return since


async def lock_known_parties(conn: Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], KnownParty]:
    """The accounts among (platform, external id) `keys` that exist, with what identifies their
    subjects, locked (in id order) for the caller's transaction."""
    found = await conn.fetch(
        SQL["lock_known_parties"], [platform for platform, _ in keys], [external_id for _, external_id in keys]
    )
    return {
        (row["platform"], row["external_id"]): KnownParty(
            row["id"], row["subject_id"], SubjectKind(row["kind"]), row["credit_code"], row["id_hash"]
        )
        for row in found
    }


async def insert_many_if_absent(
    conn: Connection, accounts: list[tuple[int, str, str, str | None]]
) -> dict[tuple[str, str], Account]:
    """Add (subject id, platform, external id, display name) as ACTIVE accounts; returns those
    added by (platform, external id) (one taken already, or meanwhile, is absent)."""
    found = await conn.fetch(
        SQL["insert_many_if_absent"],
        [subject_id for subject_id, _, _, _ in accounts],
        [platform for _, platform, _, _ in accounts],
        [external_id for _, _, external_id, _ in accounts],
        [name for _, _, _, name in accounts],
    )
    return {(row["platform"], row["external_id"]): rows.account(row) for row in found}
