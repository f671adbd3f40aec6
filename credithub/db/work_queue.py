"""One mechanism for the leased work queues: the webhook inbox and the push outbox (ADR 0013).

A worker claims due rows with a lease (FOR UPDATE SKIP LOCKED: workers never take the same row)
under a claim token of its own, works each one, and then completes it, fails it with a time to
try again, or parks it DEAD. Every one of those is fenced by the token: a worker whose lease ran
out and whose row another worker claimed changes nothing, learns so (False), and rolls its work
back. An operator requeues parked rows.

The SQL is written once, in migration 0027: `define_work_queue` creates each queue's functions
from its configuration (the names of its states, the columns they stamp, the rows that go in
order), which is where that configuration lives. A `WorkQueue` here is the queue's file of named
queries calling them; its claim selects the columns its workers read.

The status refresh queue is not one of these: it is a set of subject ids taken inside the
transaction that refreshes them, so the row lock is its lease and the commit its completion.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import asyncpg

from credithub.db.pool import Executor
from credithub.domain.texts import make_storable

OPERATIONS: Final = frozenset({"claim", "complete", "fail", "park", "requeue"})


@dataclass(frozen=True, slots=True)
class WorkQueue:
    """A table worked as a leased queue, and its named queries over migration 0027's functions."""

    table: str
    queries: Mapping[str, str]

    def __post_init__(self) -> None:
        missing = OPERATIONS - set(self.queries)
        if missing:
            raise LookupError(f"the {self.table} queue's queries lack {', '.join(sorted(missing))}")


class LeaseLost(Exception):
    """Another worker took the row over (our lease ran out): what we did must roll back."""

    def __init__(self, queue: WorkQueue, item_id: int) -> None:
        super().__init__(f"lease on {queue.table} row {item_id} was lost")
        self.item_id = item_id


async def claim(
    conn: Executor, queue: WorkQueue, now: dt.datetime, limit: int, lease: dt.timedelta, token: uuid.UUID
) -> list[asyncpg.Record]:
    """Lease up to `limit` rows due at `now` to `token`, oldest due first; their attempts grow by one."""
    return await conn.fetch(queue.queries["claim"], now, limit, now + lease, token)


async def complete(conn: Executor, queue: WorkQueue, item_id: int, token: uuid.UUID, at: dt.datetime) -> bool:
    """The row is done. False when the lease was lost: change nothing else, roll back."""
    kept: bool = await conn.fetchval(queue.queries["complete"], item_id, token, at)
    return kept


async def complete_or_roll_back(
    conn: Executor, queue: WorkQueue, item_id: int, token: uuid.UUID, at: dt.datetime
) -> None:
    """`complete` inside the transaction that did the work, which LeaseLost rolls back."""
    if not await complete(conn, queue, item_id, token, at):
        raise LeaseLost(queue, item_id)


async def complete_all_or_roll_back(
    conn: Executor, queue: WorkQueue, item_ids: Sequence[int], token: uuid.UUID, at: dt.datetime
) -> None:
    """`complete` for rows worked together in the transaction that did the work, in one
    statement (the queue's `complete_many`); LeaseLost, which rolls it back, if any lease was lost."""
    if not item_ids:
        return
    lost = await conn.fetch(queue.queries["complete_many"], list(item_ids), token, at)
    if lost:
        raise LeaseLost(queue, lost[0]["id"])


async def fail(
    conn: Executor, queue: WorkQueue, item_id: int, token: uuid.UUID, error: str, retry_at: dt.datetime
) -> bool:
    """The attempt failed; the row is due again at `retry_at`. False when the lease was lost."""
    kept: bool = await conn.fetchval(queue.queries["fail"], item_id, token, make_storable(error), retry_at)
    return kept


async def park(conn: Executor, queue: WorkQueue, item_id: int, token: uuid.UUID, error: str, at: dt.datetime) -> bool:
    """Set the row aside as DEAD with its error, for an operator. False when the lease was lost."""
    kept: bool = await conn.fetchval(queue.queries["park"], item_id, token, make_storable(error), at)
    return kept


async def requeue(conn: Executor, queue: WorkQueue, item_ids: Sequence[int], at: dt.datetime) -> list[int]:
    """Give these parked rows a fresh round of attempts from `at`; returns those that were still parked."""
    return [row["id"] for row in await conn.fetch(queue.queries["requeue"], list(item_ids), at)]
