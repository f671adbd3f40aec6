"""The inbox: webhooks are accepted into it durably, then applied by a worker.

Accepting stores the validated command keyed by (platform, webhook-id) and commits before the
sender gets its 2xx; the same id again is a no-op. A new event wakes the worker, in another
process too (a throttled NOTIFY in the same statement: `inbox_notices`). The worker claims due
events with a lease (SKIP LOCKED, so several workers never take the same event) and applies the
whole batch in one transaction, in the order the events arrived, together with marking them done
(fenced by the claim token): runs of violation reports set-based (`report_batches`), any other
event alone in a savepoint. An event refused there is retried later (NotYetKnown) or parked as
DEAD with its error in the same transaction, and the rest of the batch goes on. If the batch's
transaction fails as a whole (a statement the database refused, a deadlock, an event that cannot
be read), its events are applied again one by one, each in its own transaction, so whatever
failed fails alone: a retry with full-jitter backoff, or for a permanent error or after the last
attempt, DEAD. A dead event blocks nothing; an operator can requeue it. If the process dies
mid-batch, nothing of the batch is committed; the lease runs out and another worker takes its
events.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass
from typing import Final

import asyncpg

from credithub.db import inbox as db_inbox
from credithub.db import work_queue
from credithub.db.pool import Connection, transaction
from credithub.domain import event_codec, events, retries, violation_reports
from credithub.domain.errors import DomainError, NotYetKnown
from credithub.services import report_batches, reports
from credithub.services.ports import Deps

CLAIM_BATCH: Final = 200  # events applied in one transaction
# Events applied at once when a batch falls back to one by one: their transactions overlap round
# trips; two events about the same subject serialise on its row lock (a deadlock between them is
# retried like any transient error).
CONCURRENCY: Final = 4
LEASE: Final = dt.timedelta(seconds=60)
# Full jitter (AWS Architecture Blog): a random wait up to 2 s·2^attempts, capped at an hour;
# the 8th failed attempt parks the event.
RETRIES: Final = retries.RetryPolicy.exponential(
    first=dt.timedelta(seconds=4), factor=2, cap=dt.timedelta(hours=1), attempts=8, jitter=1.0
)
# Failures worth another try: the event may arrive before what it refers to; the database may blip.
RETRYABLE: Final = (
    NotYetKnown,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
    OSError,
)

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class Accepted:
    """The event is safely stored (`duplicate`: it had been delivered before)."""

    event_id: str
    duplicate: bool


async def accept(deps: Deps, platform: str, event_id: str, event: events.Event) -> Accepted:
    """Store a validated event for processing; committed when this returns. An event that can
    be seen to fail already (a violation id reused with other content, an unknown measure) is
    refused instead (ViolationConflict, InvalidValue)."""
    stored_form, now = event_codec.encode_event(event), deps.clock.now()
    command = event.command
    if isinstance(command, events.ViolationReported):  # nearly every event: one round trip if new
        notify = _notice_due(deps)
        stored, reported, digest = await db_inbox.insert_unless_reported(
            deps.pool, platform, event_id, event.type.value, stored_form, now, command.violation_id, notify=notify
        )
        if not reported:
            return _accepted(deps, event_id, stored=stored, notify=notify)
        _notice_unsent(deps, notify)
        violation_reports.check_same_report(command, digest)  # the same report again: kept, a no-op
    else:
        await reports.check_acceptable(deps.pool, platform, event)
    notify = _notice_due(deps)
    stored = await db_inbox.insert(deps.pool, platform, event_id, event.type.value, stored_form, now, notify=notify)
    return _accepted(deps, event_id, stored=stored, notify=notify)


def _notice_due(deps: Deps) -> bool:
    """Whether storing this event should wake the inbox processors of other processes (NOTIFY on
    commit, throttled: `inbox_notices`). Not when this process runs its own: the caller wakes it
    in memory."""
    notices = deps.inbox_notices
    return notices is not None and not deps.settings.runs_workers and notices.due()


def _notice_unsent(deps: Deps, notify: bool) -> None:
    if notify and deps.inbox_notices is not None:
        deps.inbox_notices.unsent()


def _accepted(deps: Deps, event_id: str, *, stored: bool, notify: bool) -> Accepted:
    if not stored:  # a repeat: no row, no notice (the statement sends it for a new row only)
        _notice_unsent(deps, notify)
    return Accepted(event_id, duplicate=not stored)


async def process_due(deps: Deps, *, limit: int = CLAIM_BATCH) -> int:
    """Claim and apply up to `limit` due events; returns how many were claimed."""
    token = uuid.uuid4()
    claimed = await db_inbox.claim(deps.pool, deps.clock.now(), limit, LEASE, token)
    if not claimed:
        return 0
    claimed.sort(key=lambda item: item.id)  # the order they arrived in
    try:
        await _apply_batch(deps, claimed, token)
    except work_queue.LeaseLost:
        logger.warning("inbox batch of %d: lease lost to another worker; its work was rolled back", len(claimed))
    except Exception as exc:  # not dropped: each event is applied again alone, and fails alone
        logger.warning(
            "inbox batch of %d failed as a whole (%s: %s); one by one", len(claimed), type(exc).__name__, exc
        )
        await _process_one_by_one(deps, claimed, token)
    return len(claimed)


async def _apply_batch(deps: Deps, claimed: list[db_inbox.Claimed], token: uuid.UUID) -> None:
    """Apply the batch in one transaction: the events applied are marked done, those refused are
    scheduled again or parked, all fenced by the claim token (LeaseLost rolls it all back)."""
    now = deps.clock.now()
    async with transaction(deps.pool) as conn:
        refused = await _apply_in_order(conn, claimed, now)
        for item in claimed:
            error = refused.get(item.id)
            if error is not None:
                await _refused_in_batch(conn, item, token, error, now)
        done = [item.id for item in claimed if item.id not in refused]
        await work_queue.complete_all_or_roll_back(conn, db_inbox.QUEUE, done, token, now)


async def _apply_in_order(
    conn: Connection, claimed: list[db_inbox.Claimed], now: dt.datetime
) -> dict[int, DomainError]:
    """Apply the events in order: each run of violation reports as one set, any other event alone
    (in a savepoint). Returns the events refused, by id, with their errors."""
    refused: dict[int, DomainError] = {}
    run: list[tuple[db_inbox.Claimed, events.ViolationReported]] = []

    async def report_run() -> None:
        outcomes = await report_batches.report_violations(
            conn, [(item.platform, command) for item, command in run], now
        )
        refused.update((item.id, error) for (item, _), error in zip(run, outcomes, strict=True) if error is not None)
        run.clear()

    for item in claimed:
        event = event_codec.decode_event(item.event)
        if isinstance(event.command, events.ViolationReported):
            run.append((item, event.command))
            continue
        await report_run()
        try:
            async with conn.transaction():
                await reports.handle(conn, item.platform, event, now)
        except DomainError as exc:
            refused[item.id] = exc
    await report_run()
    return refused


async def _refused_in_batch(
    conn: Connection, item: db_inbox.Claimed, token: uuid.UUID, error: DomainError, now: dt.datetime
) -> None:
    """An event its batch could not apply: due again later if it may succeed then (NotYetKnown),
    else parked. In the batch's transaction, fenced like its completion."""
    wait = RETRIES.compute_delay(item.attempts, _random.random) if isinstance(error, RETRYABLE) else None
    message = f"{type(error).__name__}: {error}"
    if wait is not None:
        kept = await work_queue.fail(conn, db_inbox.QUEUE, item.id, token, message, now + wait)
    else:
        logger.warning("inbox event %d (%s/%s) parked as DEAD: %s", item.id, item.platform, item.event_id, message)
        kept = await work_queue.park(conn, db_inbox.QUEUE, item.id, token, message, now)
    if not kept:
        raise work_queue.LeaseLost(db_inbox.QUEUE, item.id)


async def _process_one_by_one(deps: Deps, claimed: list[db_inbox.Claimed], token: uuid.UUID) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: db_inbox.Claimed) -> None:
        async with gate:
            await _process(deps, item, token)

    await asyncio.gather(*(one(item) for item in claimed))


async def _process(deps: Deps, item: db_inbox.Claimed, token: uuid.UUID) -> None:
    try:
        async with transaction(deps.pool) as conn:
            await reports.handle(conn, item.platform, event_codec.decode_event(item.event), deps.clock.now())
            await work_queue.complete_or_roll_back(conn, db_inbox.QUEUE, item.id, token, deps.clock.now())
    except work_queue.LeaseLost:
        logger.warning("inbox event %d: lease lost to another worker; its work was rolled back", item.id)
    except RETRYABLE as exc:
        await _failed(deps, item, token, exc, retry=True)
    except DomainError as exc:
        await _failed(deps, item, token, exc, retry=False)  # the same event will fail the same way
    except Exception as exc:  # a poison event is parked with its error, never dropped or looped
        logger.exception("inbox event %d from %s failed unexpectedly", item.id, item.platform)
        await _failed(deps, item, token, exc, retry=True)


async def _failed(deps: Deps, item: db_inbox.Claimed, token: uuid.UUID, exc: BaseException, *, retry: bool) -> None:
    """Try the event again after RETRIES' wait, or park it when it may not (or may no more)."""
    error = f"{type(exc).__name__}: {exc}"
    now = deps.clock.now()
    wait = RETRIES.compute_delay(item.attempts, _random.random) if retry else None
    if wait is not None:
        await work_queue.fail(deps.pool, db_inbox.QUEUE, item.id, token, error, now + wait)
        return
    logger.warning("inbox event %d (%s/%s) parked as DEAD: %s", item.id, item.platform, item.event_id, error)
    await work_queue.park(deps.pool, db_inbox.QUEUE, item.id, token, error, now)


async def find_accepted(deps: Deps, platform: str, event_id: str) -> Accepted | None:
    """The answer given when this webhook-id was first accepted, if it was: a repeat gets the
    same answer whatever its body (the first delivery is the one kept)."""
    found = await db_inbox.get_by_key(deps.pool, platform, event_id)
    return Accepted(found.event_id, duplicate=True) if found is not None else None


async def count_waiting(deps: Deps, up_to: int) -> int:
    """Events accepted and not applied yet (pending, retrying or being applied), counted up to
    `up_to`: the cost of the count stays bounded however far behind the inbox is."""
    return await db_inbox.count_waiting(deps.pool, up_to)


async def is_full(deps: Deps) -> bool:
    """Whether the inbox holds CREDITHUB_INBOX_BACKLOG_LIMIT events not applied yet (0: never
    full): pulls take no further page then, as webhooks are answered 429 (`InboxGate`)."""
    limit = deps.settings.inbox_backlog_limit
    return limit > 0 and await count_waiting(deps, limit) >= limit


async def list_dead(deps: Deps, platform: str | None, *, limit: int = 100) -> list[db_inbox.InboxEvent]:
    return await db_inbox.list_page(deps.pool, platform=platform, status="DEAD", before_id=None, limit=limit)


async def requeue_dead(deps: Deps, platform: str | None) -> list[int]:
    """Give parked events another go (after the cause was fixed); returns their ids."""
    dead = await db_inbox.list_dead_ids(deps.pool, platform)
    return await work_queue.requeue(deps.pool, db_inbox.QUEUE, dead, deps.clock.now())
