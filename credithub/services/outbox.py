"""The push outbox: telling platforms that a subject's flags or tier changed.

`queue_changes` runs inside the status refresher's transaction: the new statuses and the
messages about them commit together, so no change is stored without its messages, nor a message
sent about a change that was not stored. (The refresher itself is fed by the refresh queue,
which the database fills in the transaction of every fact change: nothing is missed between
a change and its message either.)

`dispatch_due` delivers them: messages are claimed with a lease (SKIP LOCKED: several workers
never take the same one; a worker that dies mid-push loses its lease and the message is sent
again, with the same idempotency key). Each attempt gets a log row. A failure is retried on the
configured schedule with jitter; a 429/503 waits as long as the platform asks without using up
an attempt; a 4xx, or the last failed attempt, parks the message as DEAD for `replay`. Claim,
lease, fence, retry and park are the work queue's (`db/work_queue.py`); the waits are
`retry_policy(settings)`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Sequence
from typing import Any, Final

from credithub.db import notices as db_notices
from credithub.db import outbox as db_outbox
from credithub.db import platforms as db_platforms
from credithub.db import subjects as db_subjects
from credithub.db import work_queue
from credithub.db.pool import OUTAGE, Connection, transaction
from credithub.domain import deliveries, ids, retries
from credithub.domain.errors import NotFound
from credithub.domain.flags import StatusReplaced
from credithub.domain.platforms import PlatformLink
from credithub.services import read_models
from credithub.services.ports import Deps
from credithub.settings import Settings
from platform_adapters.errors import PlatformContractError, PlatformError, PlatformRejected, PlatformThrottled

# Failures that say nothing about the message: the database is away. The claim runs out and
# the message goes again later; anything else parks the message.
CLAIM_BATCH: Final = 100
CONCURRENCY: Final = 8
# Longer than the HTTP timeout, so a slow push finishes before anyone else may take it over.
LEASE: Final = dt.timedelta(minutes=2)
MAX_THROTTLED: Final = 50  # a platform that throttles us this often for one message is not coming back

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


async def queue_changes(conn: Connection, replaced: Sequence[StatusReplaced], at: dt.datetime) -> int:
    """Queue a message for every platform that sees a subject's tier or flags change between the
    stored status and the one replacing it. Returns how many were queued."""
    recipients = await db_outbox.list_recipients(conn, [item.after.subject_id for item in replaced])
    if not recipients:
        return 0
    subjects = await db_subjects.get_many(conn, list(recipients))
    messages: list[tuple[str, int, dict[str, Any]]] = []
    for item in replaced:
        status = item.after
        subject = subjects.get(status.subject_id)
        if subject is None:
            continue
        pushed = deliveries.Pushed(subject.id, subject.kind, subject.credit_code)
        for recipient in recipients.get(status.subject_id, []):
            before = read_models.platform_status_view(item.before, recipient.platform) if item.before else None
            after = read_models.platform_status_view(status, recipient.platform)
            changes = deliveries.compute_changes(before, after)
            if changes:
                payload = deliveries.encode_push(deliveries.compute_message(pushed, after, recipient, changes))
                messages.append((recipient.platform, status.subject_id, payload))
    await db_outbox.insert_many(conn, messages, deliveries.MESSAGE_TYPE, at)
    return len(messages)


async def dispatch_due(deps: Deps, *, limit: int = CLAIM_BATCH) -> int:
    """Claim and try to deliver up to `limit` due messages; returns how many were claimed."""
    token = uuid.uuid4()
    claimed = await db_outbox.claim(deps.pool, deps.clock.now(), limit, LEASE, token)
    if not claimed:
        return 0
    links = {}
    for code in {message.platform for message in claimed}:
        links[code] = await db_platforms.get_link(deps.pool, code)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(message: deliveries.Message) -> None:
        async with gate:
            try:
                await _deliver(deps, links[message.platform], message, token)
            except OUTAGE:
                raise
            except Exception as exc:  # the message itself cannot be handled: park it, never loop on it
                logger.exception("outbox: message %d could not be handled; parked as DEAD", message.id)
                error = f"{type(exc).__name__}: {exc}"
                await work_queue.park(deps.pool, db_outbox.QUEUE, message.id, token, error, deps.clock.now())

    await asyncio.gather(*(one(message) for message in claimed))
    return len(claimed)


async def _deliver(deps: Deps, link: PlatformLink | None, message: deliveries.Message, token: uuid.UUID) -> None:
    started_at, started = deps.clock.now(), time.monotonic()
    status: int | None = None
    error: PlatformError | None = None
    if link is None:
        error = PlatformRejected(f"platform {message.platform} is no longer registered")
    else:
        try:
            status = await deps.adapters[link.family].push_status(deps.http, link, message, started_at)
        except PlatformError as exc:
            error = exc
        except Exception as exc:  # an adapter bug fails this attempt (retried, logged), never the dispatcher
            logger.exception("outbox: pushing message %d to %s failed unexpectedly", message.id, message.platform)
            error = PlatformContractError(f"push to {message.platform} failed: {type(exc).__name__}: {exc}")
    duration_ms = round((time.monotonic() - started) * 1000)
    await _record(deps, message, token, started_at, duration_ms, status, error)


def retry_policy(settings: Settings) -> retries.RetryPolicy:
    """The configured schedule, with equal jitter: retries of messages that failed together
    spread out, but never come sooner than half the scheduled wait."""
    return retries.RetryPolicy(settings.push_schedule, jitter=0.5)


async def _record(
    deps: Deps,
    message: deliveries.Message,
    token: uuid.UUID,
    started_at: dt.datetime,
    duration_ms: int,
    status: int | None,
    error: PlatformError | None,
) -> None:
    """The attempt's log row and the message's new state, in one transaction fenced by the claim."""
    now = deps.clock.now()
    outcome, retry_at = _decide(deps.settings, message, error, now)
    text = error.message if error is not None else None
    async with transaction(deps.pool) as conn:
        if not await _settle(conn, message, token, error, retry_at, now):
            logger.warning("outbox: lost the lease on message %d; another worker delivers it", message.id)
            return
        if outcome == "THROTTLED":
            await db_outbox.give_back_attempt(conn, message.id)
        if error is None and "notice_id" in message.payload:
            await db_notices.mark_delivered(conn, ids.parse_id(ids.IdKind.NOTICE, message.payload["notice_id"]), now)
        http_status = status if error is None else error.status
        await db_outbox.insert_attempt(
            conn, message.id, message.attempts, started_at, duration_ms, outcome, http_status, text
        )
    if outcome == "DEAD":
        logger.error(
            "outbox: message %d to %s is dead after %d attempts: %s",
            message.id,
            message.platform,
            message.attempts,
            text,
        )


def _decide(
    settings: Settings, message: deliveries.Message, error: PlatformError | None, now: dt.datetime
) -> tuple[str, dt.datetime | None]:
    """The attempt's outcome (DELIVERED, THROTTLED, RETRY or DEAD) and when to try again."""
    policy = retry_policy(settings)
    if error is None:
        return "DELIVERED", None
    # A platform that keeps throttling one message eventually uses up its attempts like any failure.
    if isinstance(error, PlatformThrottled) and message.throttled < MAX_THROTTLED:
        return "THROTTLED", now + deliveries.compute_throttle_wait(error.retry_after, policy.waits)
    wait = None if isinstance(error, PlatformRejected) else policy.compute_delay(message.attempts, _random.random)
    return ("RETRY", now + wait) if wait is not None else ("DEAD", None)


async def _settle(
    conn: Connection,
    message: deliveries.Message,
    token: uuid.UUID,
    error: PlatformError | None,
    retry_at: dt.datetime | None,
    now: dt.datetime,
) -> bool:
    """Delivered, due again at `retry_at`, or parked: False if this worker no longer holds the message."""
    if error is None:
        return await work_queue.complete(conn, db_outbox.QUEUE, message.id, token, now)
    if retry_at is None:
        return await work_queue.park(conn, db_outbox.QUEUE, message.id, token, error.message, now)
    return await work_queue.fail(conn, db_outbox.QUEUE, message.id, token, error.message, retry_at)


async def list_dead(deps: Deps, platform: str | None, limit: int = 1000) -> list[db_outbox.DeadMessage]:
    return await db_outbox.list_dead(deps.pool, platform, limit)


async def replay(deps: Deps, *, platform: str | None = None, ids: list[int] | None = None) -> list[int]:
    """Give dead messages a fresh round of attempts, starting now."""
    dead = await db_outbox.list_replayable(deps.pool, platform, ids)
    return await work_queue.requeue(deps.pool, db_outbox.QUEUE, dead, deps.clock.now())


async def check_messages_exist(deps: Deps, message_ids: list[int]) -> None:
    """Refuse ids of messages that do not exist, naming them, before acting on the others."""
    missing = sorted(set(message_ids) - set(await db_outbox.list_existing(deps.pool, message_ids)))
    if missing:
        raise NotFound(f"no outbox message with id {', '.join(map(str, missing))}")


async def count_by_status(deps: Deps) -> list[tuple[str, str, int]]:
    """(platform, status, messages) for every platform and status that has any."""
    return await db_outbox.count_by_status(deps.pool)


async def list_messages(deps: Deps, status: str, platform: str | None, limit: int) -> list[db_outbox.ListedMessage]:
    return await db_outbox.list_by_status(deps.pool, status, platform, limit)


async def list_attempts(deps: Deps, message_id: int) -> list[db_outbox.Attempt]:
    """Every delivery attempt of a message, first first; NotFound for a message that does not exist."""
    await check_messages_exist(deps, [message_id])
    return await db_outbox.list_attempts(deps.pool, message_id)
