"""Background work inside `serve`: the inbox processor, the status refresher, the push
dispatcher and the platform puller."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

import asyncpg

from credithub.services import inbox, outbox, statuses, sync
from credithub.services.ports import Deps

IDLE_SECONDS: Final = 1.0
INBOX_POLL_SECONDS: Final = 0.5  # other instances' webhooks are found by polling; ours wake us at once
FAILURE_BACKOFF_SECONDS: Final = 5.0

logger = logging.getLogger(__name__)


async def run_status_refresher(deps: Deps, stop: asyncio.Event) -> None:
    """Refresh stale statuses until `stop` is set; sleep a second when there is nothing to do.
    A database outage is logged and retried, never fatal: reads compute what the store lacks."""
    while not stop.is_set():
        try:
            refreshed = await statuses.refresh_due(deps)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.warning("status refresher: %s; retrying in %.0f s", exc, FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        except Exception:  # a bug must not end the loop for good: log it loudly, back off, go on
            logger.exception("status refresher failed; retrying in %.0f s", FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
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
        try:
            claimed = await inbox.process_due(deps)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.warning("inbox processor: %s; retrying in %.0f s", exc, FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        except Exception:  # a bug must not end the loop for good: log it loudly, back off, go on
            logger.exception("inbox processor failed; retrying in %.0f s", FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        if not claimed:
            await _first_of(stop, wakeup, INBOX_POLL_SECONDS)


async def run_push_dispatcher(deps: Deps, stop: asyncio.Event) -> None:
    """Deliver due outbox messages until `stop` is set; poll every second when none are due."""
    while not stop.is_set():
        try:
            claimed = await outbox.dispatch_due(deps)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.warning("push dispatcher: %s; retrying in %.0f s", exc, FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        except Exception:  # a bug must not end the loop for good: log it loudly, back off, go on
            logger.exception("push dispatcher failed; retrying in %.0f s", FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        if not claimed:
            await _sleep_unless_stopped(stop, IDLE_SECONDS)


async def run_platform_puller(deps: Deps, stop: asyncio.Event) -> None:
    """Every CREDITHUB_SYNC_INTERVAL seconds, pull every stream of every platform with an API.
    A platform that fails is logged (and its error kept on the stream) and tried next round;
    the others go on."""
    while not stop.is_set():
        try:
            platforms = await sync.list_pulled_platforms(deps)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.warning("platform puller: %s; retrying in %.0f s", exc, FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        except Exception:
            logger.exception("platform puller failed; retrying in %.0f s", FAILURE_BACKOFF_SECONDS)
            await _sleep_unless_stopped(stop, FAILURE_BACKOFF_SECONDS)
            continue
        for platform in platforms:
            if stop.is_set():
                return
            try:
                for progress in await sync.pull_platform(deps, platform, stop=stop):
                    if progress.new_events or progress.refused:
                        logger.info(
                            "pulled %s %s: %d new events, %d refused",
                            platform,
                            progress.stream,
                            progress.new_events,
                            progress.refused,
                        )
            except sync.PullFailed as exc:
                logger.warning("%s", exc)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("platform puller: %s: %s", platform, exc)
            except Exception:  # one platform's bug must not stop the others, nor later rounds
                logger.exception("platform puller: pulling %s failed", platform)
        await _sleep_unless_stopped(stop, deps.settings.sync_interval)


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
