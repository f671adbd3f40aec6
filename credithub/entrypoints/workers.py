"""Background work inside `serve`: the inbox processor, the status refresher, the push
dispatcher, the platform puller and the audit partitioner."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from credithub.db.pool import OUTAGE
from credithub.domain.errors import Unavailable
from credithub.services import audit_archive, inbox, outbox, statuses, sync
from credithub.services.inbox_notices import LINGER, NOTIFY_INTERVAL
from credithub.services.ports import Deps

IDLE_SECONDS: Final = 1.0
# The fallback: webhooks accepted in this process, or in another, and pages pulled anywhere (a
# notice, services/inbox_notices) wake the inbox processor at once; polling finds what no wake-up
# announced (a retry come due, a notice lost with its connection).
INBOX_POLL_SECONDS: Final = 0.5
FAILURE_BACKOFF_SECONDS: Final = 5.0
AUDIT_PARTITIONS_SECONDS: Final = 3600.0  # partitions are made months ahead: hourly is plenty
AUDIT_PARTITIONS_RETRY_SECONDS: Final = 60.0

logger = logging.getLogger(__name__)


T = TypeVar("T")


async def _guarded(
    name: str, stop: asyncio.Event, work: Callable[[], Awaitable[T]], *, backoff: float = FAILURE_BACKOFF_SECONDS
) -> T | None:
    """One step of a worker loop. A database outage is logged and waited out; anything else is a
    bug, logged with its traceback and waited out too: a worker never ends before `stop`.
    None means the step failed (after the back-off)."""
    try:
        return await work()
    except OUTAGE as exc:
        logger.warning("%s: %s; retrying in %.0f s", name, exc, backoff)
    except Exception:
        logger.exception("%s failed; retrying in %.0f s", name, backoff)
    await _sleep_unless_stopped(stop, backoff)
    return None


async def _work_queue(
    name: str, stop: asyncio.Event, step: Callable[[], Awaitable[int]], idle: Callable[[], Awaitable[None]]
) -> None:
    """The loop every queue's worker runs until `stop` is set: `step` claims and works a batch and
    says how many it took; when it took none, `idle` waits for more. A failed step is logged and
    backed off (`_guarded`), never fatal."""
    while not stop.is_set():
        if await _guarded(name, stop, step) == 0:
            await idle()


async def run_status_refresher(deps: Deps, stop: asyncio.Event) -> None:
    """Refresh stale statuses until `stop` is set; sleep a second when there is nothing to do.
    A database outage is logged and retried, never fatal: reads compute what the store lacks.
    Statuses missing altogether are looked for once, at the start (a scan of every subject;
    each round after that costs what changed); if that fails, the refresher goes on without it:
    a missing status costs its readers a computation, never a wrong answer."""
    await _guarded("status refresher", stop, lambda: statuses.queue_missing(deps))

    async def refresh() -> int:
        refreshed = await statuses.refresh_due(deps)
        if refreshed:
            logger.debug("status refresher: %d statuses refreshed", refreshed)
        return refreshed

    await _work_queue("status refresher", stop, refresh, functools.partial(_sleep_unless_stopped, stop, IDLE_SECONDS))


async def run_inbox_processor(deps: Deps, stop: asyncio.Event, wakeup: asyncio.Event) -> None:
    """Apply inbox events until `stop` is set. A webhook accepted by this process sets `wakeup`;
    one accepted by another process or instance, and a page of new events pulled by any process
    (this one's puller included), set it through a notice (`inbox_notices`). Once woken, the
    processor looks again every NOTIFY_INTERVAL for LINGER seconds (the events a throttled notice
    stands for); events due for a retry, or announced by no notice, are found by polling every
    INBOX_POLL_SECONDS."""
    loop = asyncio.get_running_loop()
    linger_until = -math.inf

    async def process() -> int:
        nonlocal linger_until
        if wakeup.is_set():  # woken (while idle or busy): linger after this round
            wakeup.clear()
            linger_until = loop.time() + LINGER
        return await inbox.process_due(deps)

    async def idle() -> None:
        lingering = linger_until - loop.time()
        await _first_of(stop, wakeup, min(NOTIFY_INTERVAL, lingering) if lingering > 0 else INBOX_POLL_SECONDS)

    notices = deps.inbox_notices
    listener = asyncio.create_task(notices.listen(wakeup), name="inbox-listener") if notices is not None else None
    try:
        await _work_queue("inbox processor", stop, process, idle)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener


async def run_push_dispatcher(deps: Deps, stop: asyncio.Event) -> None:
    """Deliver due outbox messages until `stop` is set; poll every second when none are due."""
    await _work_queue(
        "push dispatcher",
        stop,
        functools.partial(outbox.dispatch_due, deps),
        functools.partial(_sleep_unless_stopped, stop, IDLE_SECONDS),
    )


async def run_platform_puller(deps: Deps, stop: asyncio.Event) -> None:
    """Every CREDITHUB_SYNC_INTERVAL seconds, pull every stream of every platform with an API.
    A platform that fails is logged (and its error kept on the stream) and tried next round;
    the others go on."""
    while not stop.is_set():
        platforms = await _guarded("platform puller", stop, lambda: sync.list_pulled_platforms(deps))
        if platforms is None:
            continue
        for platform in platforms:
            if stop.is_set():
                return
            # One platform's failure is retried next round; the others go on at once.
            await _guarded(
                f"platform puller: {platform}", stop, functools.partial(_pull, deps, platform, stop), backoff=0
            )
        await _sleep_unless_stopped(stop, deps.settings.sync_interval)


async def run_audit_partitioner(deps: Deps, stop: asyncio.Event) -> None:
    """At start and then hourly, create the audit tables' partitions of this month and the next
    two, and move rows that reached a DEFAULT partition into partitions of their months. The
    DEFAULT partition is the safety net: an audit insert never fails for want of a partition."""
    while not stop.is_set():
        done = await _guarded("audit partitioner", stop, functools.partial(_ensure_partitions, deps))
        if done is not None:
            await _sleep_unless_stopped(stop, AUDIT_PARTITIONS_SECONDS if done else AUDIT_PARTITIONS_RETRY_SECONDS)


async def _ensure_partitions(deps: Deps) -> bool:
    try:
        await audit_archive.ensure_partitions(deps)
    except Unavailable as exc:  # the table stayed busy: nothing changed, and the months ahead leave time
        logger.warning("audit partitioner: %s; retrying in %.0f s", exc, AUDIT_PARTITIONS_RETRY_SECONDS)
        return False
    return True


async def _pull(deps: Deps, platform: str, stop: asyncio.Event) -> None:
    try:
        progress_by_stream = await sync.pull_platform(deps, platform, stop=stop)
    except sync.PullFailed as exc:  # its error is kept on the stream; the next round tries again
        logger.warning("%s", exc)
        return
    for progress in progress_by_stream:
        if progress.new_events or progress.refused:
            logger.info(
                "pulled %s %s: %d new events, %d refused",
                platform,
                progress.stream,
                progress.new_events,
                progress.refused,
            )


async def _first_of(stop: asyncio.Event, wakeup: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(wakeup.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):  # the timeout is the normal way out
        await asyncio.wait_for(stop.wait(), timeout=seconds)
