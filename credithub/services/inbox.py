"""The inbox: webhooks are accepted into it durably, then applied by a worker.

Accepting stores the validated command keyed by (platform, webhook-id) and commits before the
sender gets its 2xx; the same id again is a no-op. The worker claims due events with a lease
(SKIP LOCKED, so several workers never take the same event), applies each in its own
transaction together with marking it done (fenced by the claim token), and on failure either
schedules a retry with full-jitter backoff or, for a permanent error or after the last
attempt, parks the event as DEAD with its error. A dead event blocks nothing; an operator can
requeue it. If the process dies mid-event, the lease runs out and another worker takes it.
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
from credithub.db.pool import transaction
from credithub.domain import event_codec, events, retries
from credithub.domain.errors import DomainError, NotYetKnown
from credithub.services import reports
from credithub.services.ports import Deps

CLAIM_BATCH: Final = 50
# Events applied at once: their transactions overlap round trips; two events about the same
# subject serialise on its row lock (a deadlock between them is retried like any transient error).
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
    await reports.check_acceptable(deps.pool, platform, event)
    stored = await db_inbox.insert(
        deps.pool, platform, event_id, event.type.value, event_codec.encode_event(event), deps.clock.now()
    )
    return Accepted(event_id, duplicate=not stored)


async def process_due(deps: Deps, *, limit: int = CLAIM_BATCH) -> int:
    """Claim and apply up to `limit` due events; returns how many were claimed."""
    token = uuid.uuid4()
    claimed = await db_inbox.claim(deps.pool, deps.clock.now(), limit, LEASE, token)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(item: db_inbox.Claimed) -> None:
        async with gate:
            await _process(deps, item, token)

    await asyncio.gather(*(one(item) for item in claimed))
    return len(claimed)


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


async def list_dead(deps: Deps, platform: str | None, *, limit: int = 100) -> list[db_inbox.InboxEvent]:
    return await db_inbox.list_page(deps.pool, platform=platform, status="DEAD", before_id=None, limit=limit)


async def requeue_dead(deps: Deps, platform: str | None) -> list[int]:
    """Give parked events another go (after the cause was fixed); returns their ids."""
    dead = await db_inbox.list_dead_ids(deps.pool, platform)
    return await work_queue.requeue(deps.pool, db_inbox.QUEUE, dead, deps.clock.now())
