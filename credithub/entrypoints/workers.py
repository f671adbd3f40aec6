"""Background work inside `serve`: the status refresher."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

import asyncpg

from credithub.services import statuses
from credithub.services.ports import Deps

IDLE_SECONDS: Final = 1.0
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
        if refreshed:
            logger.debug("status refresher: %d statuses refreshed", refreshed)
        else:
            await _sleep_unless_stopped(stop, IDLE_SECONDS)


async def _sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):  # the timeout is the normal way out
        await asyncio.wait_for(stop.wait(), timeout=seconds)
