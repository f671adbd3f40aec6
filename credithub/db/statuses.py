"""The status store: computed credit statuses and the refresh queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.flags import CreditStatus
from credithub.domain.status_codec import decode_status, encode_status
from credithub.domain.texts import make_storable

SQL: Final = QUERIES["statuses"]


QueuePosition = tuple[dt.datetime, int]  # (queued_at, subject_id): the queue's order


async def claim_queued(
    conn: Connection, limit: int, after: QueuePosition | None = None
) -> list[tuple[int, QueuePosition]]:
    """Subjects taken off the queue, each with its position; from the head, or after `after`."""
    if after is None:
        rows = await conn.fetch(SQL["claim_queued"], limit)
    else:
        rows = await conn.fetch(SQL["claim_queued_after"], limit, *after)
    return [(row["subject_id"], (row["queued_at"], row["subject_id"])) for row in rows]


async def queue_refresh(conn: Connection, subject_ids: list[int]) -> None:
    await conn.execute(SQL["queue_refresh"], subject_ids)


async def list_expired(conn: Connection, at: dt.datetime, config_version: int, limit: int) -> list[int]:
    return [row["subject_id"] for row in await conn.fetch(SQL["list_expired"], at, config_version, limit)]


async def list_outdated(conn: Connection, config_version: int, limit: int) -> list[int]:
    return [row["subject_id"] for row in await conn.fetch(SQL["list_outdated"], config_version, limit)]


async def queue_missing(conn: Executor) -> int:
    queued: int = await conn.fetchval(SQL["queue_missing"])
    return queued


async def upsert_many(conn: Connection, computed: list[tuple[CreditStatus, int]], config_version: int) -> None:
    """Store (status, facts version) pairs computed under `config_version`."""
    statuses = [status for status, _ in computed]
    await conn.execute(
        SQL["upsert_many"],
        [status.subject_id for status in statuses],
        [facts_version for _, facts_version in computed],
        [config_version] * len(statuses),
        [status.as_of for status in statuses],
        [status.stable_until for status in statuses],
        [status.tier.value for status in statuses],
        [status.on_serious_dishonest_list for status in statuses],
        [status.on_red_list for status in statuses],
        [encode_status(status) for status in statuses],
    )


async def get_many_current(conn: Executor, versions: dict[int, int], config_version: int) -> dict[int, CreditStatus]:
    rows = await conn.fetch(SQL["get_many_current"], list(versions), list(versions.values()), config_version)
    found = {}
    for row in rows:
        status = decode_status(row["status"])
        if status is not None:
            found[row["subject_id"]] = status
    return found


@dataclass(frozen=True, slots=True)
class Stored:
    facts_version: int
    config_version: int
    status: CreditStatus | None  # None when stored by a version of the hub that encoded it otherwise


async def lock_many(conn: Connection, subject_ids: list[int]) -> dict[int, Stored]:
    await conn.execute(SQL["plan_locks"])
    rows = await conn.fetch(SQL["lock_many"], subject_ids)
    await conn.execute(SQL["plan_writes"])
    return {
        row["subject_id"]: Stored(row["facts_version"], row["config_version"], decode_status(row["status"]))
        for row in rows
    }


async def count_queued(conn: Executor) -> int:
    queued: int = await conn.fetchval(SQL["count_queued"])
    return queued


async def announce(conn: Connection, channel: str, payloads: list[str]) -> None:
    if payloads:
        await conn.execute(SQL["announce"], channel, payloads)


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A subject whose status could not be computed, and why (for the operator, not the client)."""

    subject_id: int
    facts_version: int
    error: str


async def park(conn: Executor, failed: list[Unavailable], config_version: int, at: dt.datetime) -> None:
    if failed:
        await conn.execute(
            SQL["park"],
            [item.subject_id for item in failed],
            [item.facts_version for item in failed],
            [make_storable(item.error) for item in failed],
            config_version,
            at,
        )


async def unpark(conn: Executor, subject_ids: list[int]) -> None:
    if subject_ids:
        await conn.execute(SQL["unpark"], subject_ids)


async def retry_parked(conn: Executor, subject_ids: list[int] | None) -> list[int]:
    return [row["subject_id"] for row in await conn.fetch(SQL["retry_parked"], subject_ids)]
