"""Writing the audit trail: who did what, with the entity before and after; who read what.

Every service that changes credit information calls `write` inside its own transaction, so
the change and its audit row commit together or not at all. Before and after are kept in
`codec`'s form: dataclasses as objects of their fields, instants as ISO 8601, enums by value.

Reads are audited by `record_reads`, which returns once the rows are committed. Concurrent
requests' rows are committed together: while one INSERT is in flight, the rows of the requests
that finish meanwhile gather and go in the next one (at most MAX_BATCH_ROWS), so under load a
commit serves many requests instead of one, and a request alone waits for nobody. Each request
still waits for the commit of its own rows, and fails if they were not written.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import asyncpg

from credithub.db import audit as db_audit
from credithub.db.pool import OUTAGE, Connection, query_count
from credithub.domain import codec
from credithub.domain.clients import Client

if TYPE_CHECKING:
    from credithub.services.ports import Deps


async def write(
    conn: Connection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | str,
    subject_id: int | None,
    before: Any,
    after: Any,
) -> None:
    await db_audit.insert_write(
        conn, at, actor, action, entity, str(entity_id), subject_id, codec.encode(before), codec.encode(after)
    )


# A write to audit: actor, action, entity, entity id, subject id, before, after.
Write = tuple[str, str, str, int | str, int | None, Any, Any]


async def write_many(conn: Connection, *, at: dt.datetime, writes: Iterable[Write]) -> None:
    """`write` for many writes made at `at`, in one statement (a batch's)."""
    await db_audit.insert_writes(
        conn,
        at,
        [
            (actor, action, entity, str(entity_id), subject_id, codec.encode(before), codec.encode(after))
            for actor, action, entity, entity_id, subject_id, before, after in writes
        ],
    )


async def record_reads(
    deps: Deps, client: Client, reads: Iterable[tuple[str, int, str | None]], declared: str | None = None
) -> None:
    """Keep who read credit information about which subjects, through which operation, and why:
    the purpose stated for the read (a credit report's), else the one the request declared
    (`Credit-Purpose`), else the client's default purpose. Returns once the rows are committed;
    raises if they could not be."""
    fallback = declared or client.default_purpose
    ordered = sorted(
        ((operation, subject_id, purpose or fallback) for operation, subject_id, purpose in reads),
        key=lambda read: (read[0], read[1], read[2] or ""),
    )
    at = deps.clock.now()
    rows = [(at, client, operation, subject_id, purpose) for operation, subject_id, purpose in ordered]
    if rows:
        await _read_writer(deps.pool).write(rows)


MAX_BATCH_ROWS: Final = 5000


@dataclass(slots=True)
class _Waiting:
    rows: list[db_audit.ReadRow]
    written: asyncio.Future[None]
    statements: list[int] | None  # the request's SQL statement counter (db.pool.query_count)


class _ReadWriter:
    """The audit rows waiting to be written through one pool, and the task writing them."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.waiting: deque[_Waiting] = deque()
        self.task: asyncio.Task[None] | None = None

    async def write(self, rows: list[db_audit.ReadRow]) -> None:
        waiting = _Waiting(rows, asyncio.get_running_loop().create_future(), query_count.get())
        self.waiting.append(waiting)
        if self.task is None:
            # Its own context: the statements it runs belong to no one request's log line.
            self.task = asyncio.create_task(self._drain(), name="audit-reads", context=contextvars.Context())
        await waiting.written

    async def _drain(self) -> None:
        try:
            while self.waiting:
                await self._insert(self._take())
        finally:
            self.task = None
            for left in self.waiting:  # only if this task was cancelled: nobody must wait forever
                _settle(left, RuntimeError("the audit writer stopped"))
            self.waiting.clear()
            if _WRITERS.get(id(self.pool)) is self:
                del _WRITERS[id(self.pool)]

    def _take(self) -> list[_Waiting]:
        batch = [self.waiting.popleft()]
        rows = len(batch[0].rows)
        while self.waiting and rows + len(self.waiting[0].rows) <= MAX_BATCH_ROWS:
            rows += len(self.waiting[0].rows)
            batch.append(self.waiting.popleft())
        return batch

    async def _insert(self, batch: list[_Waiting]) -> None:
        try:
            await db_audit.insert_reads(self.pool, [row for waiting in batch for row in waiting.rows])
        except Exception as exc:
            if len(batch) > 1 and not isinstance(exc, OUTAGE):
                # Something in one request's rows? Each alone, so that no other answer is withheld for it.
                for waiting in batch:
                    await self._insert([waiting])
                return
            for waiting in batch:
                _settle(waiting, exc)
            return
        except BaseException:
            for waiting in batch:
                _settle(waiting, RuntimeError("the audit writer stopped"))
            raise
        for waiting in batch:
            _settle(waiting, None)


def _settle(waiting: _Waiting, error: BaseException | None) -> None:
    if waiting.written.done():  # the request was cancelled meanwhile
        return
    if error is not None:
        waiting.written.set_exception(error)
        return
    if waiting.statements is not None:
        waiting.statements[0] += 1  # the request's log line counts the statement that wrote its rows
    waiting.written.set_result(None)


# One writer per pool while it has rows to write; forgotten once it has written them all.
_WRITERS: dict[int, _ReadWriter] = {}


def _read_writer(pool: asyncpg.Pool) -> _ReadWriter:
    writer = _WRITERS.get(id(pool))
    if writer is None or writer.pool is not pool:
        writer = _WRITERS[id(pool)] = _ReadWriter(pool)
    return writer
