"""MCN signings and legal representations."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.subjects import Signing

SQL: Final = QUERIES["signings"]
PERIOD_KEY: Final = "mcn_signings_period_key"


async def list_page_for_agencies(
    conn: Executor,
    agency_ids: list[int],
    *,
    in_force_at: dt.datetime | None,
    before_id: int | None,
    limit: int,
    platform: str | None = None,
) -> dict[int, list[Signing]]:
    grouped: dict[int, list[Signing]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_page_for_agencies"], agency_ids, limit, before_id, in_force_at, platform):
        grouped[row["agency_id"]].append(rows.signing(row))
    return grouped


async def count_for_agencies(
    conn: Executor, agency_ids: list[int], *, in_force_at: dt.datetime | None, platform: str | None = None
) -> dict[int, int]:
    found = await conn.fetch(SQL["count_for_agencies"], agency_ids, in_force_at, platform)
    return {row["agency_id"]: row["total"] for row in found}


async def list_for_anchors(conn: Executor, anchor_ids: list[int]) -> dict[int, list[Signing]]:
    grouped: dict[int, list[Signing]] = defaultdict(list)
    for row in await conn.fetch(SQL["list_for_anchors"], anchor_ids):
        grouped[row["anchor_id"]].append(rows.signing(row))
    return grouped


async def insert(
    conn: Connection,
    agency_id: int,
    anchor_id: int,
    valid_from: dt.datetime,
    valid_to: dt.datetime | None,
    source_platform: str | None,
) -> Signing:
    try:
        row = await conn.fetchrow(SQL["insert"], agency_id, anchor_id, valid_from, valid_to, source_platform)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == PERIOD_KEY:
            raise AlreadyExists("this agency already signed this anchor from that date") from exc
        raise
    return rows.signing(rows.required(row))


async def upsert(
    conn: Connection,
    agency_id: int,
    anchor_id: int,
    valid_from: dt.datetime,
    valid_to: dt.datetime | None,
    source_platform: str | None,
) -> Signing:
    row = await conn.fetchrow(SQL["upsert"], agency_id, anchor_id, valid_from, valid_to, source_platform)
    return rows.signing(rows.required(row))


async def upsert_representation(
    conn: Connection,
    person_id: int,
    subject_id: int,
    valid_from: dt.datetime,
    valid_to: dt.datetime | None,
    source_platform: str | None,
) -> int:
    representation_id: int = await conn.fetchval(
        SQL["upsert_representation"], person_id, subject_id, valid_from, valid_to, source_platform
    )
    return representation_id
