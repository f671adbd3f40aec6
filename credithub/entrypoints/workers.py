"""Background work inside `serve`: the inbox processor, the status refresher, the push
dispatcher and the platform puller."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from credithub.db.pool import OUTAGE
from credithub.services import inbox, outbox, statuses, sync
from credithub.services.ports import Deps

IDLE_SECONDS: Final = 1.0
INBOX_POLL_SECONDS: Final = 0.5  # other instances' webhooks are found by polling; ours wake us at once
FAILURE_BACKOFF_SECONDS: Final = 5.0

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


async def run_status_refresher(deps: Deps, stop: asyncio.Event) -> None:
    """Refresh stale statuses until `stop` is set; sleep a second when there is nothing to do.
    A database outage is logged and retried, never fatal: reads compute what the store lacks.
    Statuses missing altogether are looked for once, at the start (a scan of every subject;
    each round after that costs what changed); if that fails, the refresher goes on without it:
    a missing status costs its readers a computation, never a wrong answer."""
    await _guarded("status refresher", stop, lambda: statuses.queue_missing(deps))
    while not stop.is_set():
        refreshed = await _guarded("status refresher", stop, lambda: statuses.refresh_due(deps))
        if refreshed is None:
            continue
        if refreshed:
            logger.debug("status refresher: %d statuses refreshed", refreshed)
        else:
            await _sleep_unless_stopped(stop, IDLE_SECONDS)


async def run_inbox_processor(deps: Deps, stop: asyncio.Event, wakeup: asyncio.Event) -> None:
    """Apply inbox events until `stop` is set. A webhook accepted by this instance sets `wakeup`;
    events accepted elsewhere (or due for a retry) are found by polling."""
    while not stop.is_set():
        wakeup.clear()
        claimed = await _guarded("inbox processor", stop, lambda: inbox.process_due(deps))
        if claimed == 0:
            await _first_of(stop, wakeup, INBOX_POLL_SECONDS)


async def run_push_dispatcher(deps: Deps, stop: asyncio.Event) -> None:
    """Deliver due outbox messages until `stop` is set; poll every second when none are due."""
    while not stop.is_set():
        claimed = await _guarded("push dispatcher", stop, lambda: outbox.dispatch_due(deps))
        if claimed == 0:
            await _sleep_unless_stopped(stop, IDLE_SECONDS)


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
