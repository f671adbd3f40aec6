"""Pulling platforms' feeds: incrementally from a stored cursor per platform and stream.

Each page is taken in one transaction: its events go into the inbox (keyed by the item's id, so
pulling the same page again changes nothing), the items the hub cannot take are kept with why,
and the cursor moves past the page. A crash mid-page leaves the cursor before it; the next pull
takes the page again. The inbox worker then applies the events exactly as it applies webhooks,
and is woken for them as for webhooks: a page that stored new events sends one
`NOTIFY credithub_inbox` on commit (`inbox_notices`), heard by every inbox processor, this
process's own included, so a page pulled by `credithub sync` or by another instance's puller
is applied at once rather than at the processor's next poll. A page is one notice at most, and
pages come no faster than the platform answers, so it needs no throttle.

A page that cannot be fetched is retried a few times (honouring Retry-After; the waits are
`fetch_retries(settings)`); after that the pull stops with `PullFailed` and the error is kept on
the stream. A failing feed never reads as an empty one.

Pulling honours the inbox's backlog limit as webhooks do (CREDITHUB_INBOX_BACKLOG_LIMIT): while
the inbox holds that many events not applied yet, no further page is fetched and the stream is
`held_back`; the platform keeps the events and the next pull goes on from the cursor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from credithub.db import inbox as db_inbox
from credithub.db import platforms as db_platforms
from credithub.db import sync as db_sync
from credithub.db.pool import transaction
from credithub.domain import event_codec, events, retries
from credithub.domain.errors import InvalidInput, InvalidValue, UnknownPlatform
from credithub.domain.platforms import PlatformLink
from credithub.services import inbox
from credithub.services.ports import Deps
from credithub.settings import Settings
from platform_adapters.errors import PlatformError, PlatformThrottled, PlatformUnavailable
from platform_adapters.protocol import FeedPage, PlatformAdapter, RefusedItem

FETCH_ATTEMPTS: Final = 5
FETCH_WAIT_CAP: Final = dt.timedelta(seconds=30)
# A platform asking us to come back later than this is left until the next pull.
MAX_INLINE_WAIT: Final = dt.timedelta(seconds=60)
EVENT_ID_PREFIX: Final = "pull"

logger = logging.getLogger(__name__)
_random = random.SystemRandom()


class PullFailed(Exception):
    """A stream's page could not be fetched after retrying; its cursor did not move."""

    def __init__(self, platform: str, stream: str, reason: str) -> None:
        super().__init__(f"pulling {platform} {stream} failed: {reason}")
        self.platform = platform
        self.stream = stream
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a stream's pull has come (reported after every page)."""

    platform: str
    stream: str
    pages: int
    items: int
    new_events: int
    refused: int
    caught_up: bool
    held_back: bool = False  # stopped before a page because the inbox was full


async def load_link(deps: Deps, platform: str) -> tuple[PlatformLink, PlatformAdapter]:
    link = await db_platforms.get_link(deps.pool, platform)
    if link is None:
        raise UnknownPlatform(platform)
    return link, deps.adapters[link.family]


def fetch_retries(settings: Settings) -> retries.RetryPolicy:
    """FETCH_ATTEMPTS tries of a page, waiting `pull_retry_seconds`, then twice as long each time,
    with up to `pull_retry_seconds` more at random."""
    first = dt.timedelta(seconds=settings.pull_retry_seconds)
    return retries.RetryPolicy.exponential(
        first=first, factor=2, cap=FETCH_WAIT_CAP, attempts=FETCH_ATTEMPTS, jitter_added=first
    )


def _wait_before_retry(policy: retries.RetryPolicy, failed: int, exc: PlatformUnavailable) -> dt.timedelta | None:
    """How long to wait before asking again, or None: give up. A platform that says when to come
    back is asked then, unless that is later than MAX_INLINE_WAIT (left until the next pull)."""
    if failed >= policy.max_attempts:
        return None
    if isinstance(exc, PlatformThrottled) and exc.retry_after is not None:
        return exc.retry_after if exc.retry_after <= MAX_INLINE_WAIT else None
    return policy.compute_delay(failed, _random.random)


async def _fetch(deps: Deps, adapter: PlatformAdapter, link: PlatformLink, stream: str, cursor: str | None) -> FeedPage:
    policy = fetch_retries(deps.settings)
    failed = 0
    while True:
        try:
            return await adapter.fetch_page(deps.http, link, stream, cursor, deps.settings.sync_page_size)
        except PlatformUnavailable as exc:
            failed += 1
            wait = _wait_before_retry(policy, failed, exc)
            if wait is None:
                raise
            logger.warning(
                "pull %s %s: %s; asking again in %.1f s", link.code, stream, exc.message, wait.total_seconds()
            )
            await asyncio.sleep(wait.total_seconds())


async def _take(deps: Deps, link: PlatformLink, stream: str, page: FeedPage) -> tuple[int, int]:
    """Store one page: its events, its refused items and the cursor after it, all or nothing."""
    now = deps.clock.now()
    pulled: list[tuple[str, str, dict[str, object]]] = []
    refused: list[tuple[str, str]] = []
    for item in page.items:
        if isinstance(item, RefusedItem):
            refused.append((item.item_id, item.reason))
            continue
        try:
            event = events.parse_event(item.event, person_key=deps.person_key, now=now)
        except InvalidInput as exc:  # InvalidIdentifier's message never repeats an ID number
            refused.append((item.item_id, exc.message))
            continue
        event_id = f"{EVENT_ID_PREFIX}:{stream}:{item.item_id}"
        pulled.append((event_id, event.type.value, event_codec.encode_event(event)))
    async with transaction(deps.pool) as conn:
        new = await db_inbox.insert_many(conn, link.code, pulled, now, notify=True)
        await db_sync.insert_rejects(conn, link.code, stream, refused, now)
        await db_sync.save_page(conn, link.code, stream, page.cursor, len(pulled), now, caught_up=not page.has_more)
    return new, len(refused)


async def pull_stream(
    deps: Deps,
    platform: str,
    stream: str,
    *,
    max_pages: int | None = None,
    on_page: Callable[[Progress], None] | None = None,
    stop: asyncio.Event | None = None,
) -> Progress:
    """Pull `stream` from its cursor until the feed has no more (or `max_pages`, or `stop` is
    set: a page is never left half-taken)."""
    link, adapter = await load_link(deps, platform)
    if stream not in adapter.streams:
        raise InvalidValue(f"{link.family} platforms have streams {', '.join(adapter.streams)}; got {stream!r}")
    progress = Progress(platform, stream, 0, 0, 0, 0, caught_up=False)
    while (max_pages is None or progress.pages < max_pages) and not (stop is not None and stop.is_set()):
        if await inbox.is_full(deps):
            logger.info("pull %s %s: held back, the inbox is full", platform, stream)
            progress = replace(progress, held_back=True)
            if on_page is not None:
                on_page(progress)
            break
        cursor = await db_sync.get_cursor(deps.pool, platform, stream)
        try:
            page = await _fetch(deps, adapter, link, stream, cursor)
        except PlatformError as exc:
            await db_sync.save_error(deps.pool, platform, stream, exc.message, deps.clock.now())
            raise PullFailed(platform, stream, exc.message) from exc
        except Exception as exc:  # an adapter that cannot read the page: a failed pull, never an empty one
            logger.exception("pull %s %s: the page could not be read", platform, stream)
            reason = f"the page could not be read: {type(exc).__name__}: {exc}"
            await db_sync.save_error(deps.pool, platform, stream, reason, deps.clock.now())
            raise PullFailed(platform, stream, reason) from exc
        new, refused = await _take(deps, link, stream, page)
        progress = Progress(
            platform,
            stream,
            progress.pages + 1,
            progress.items + len(page.items),
            progress.new_events + new,
            progress.refused + refused,
            caught_up=not page.has_more,
        )
        if on_page is not None:
            on_page(progress)
        if not page.has_more:
            break
    return progress


async def pull_platform(
    deps: Deps,
    platform: str,
    *,
    full: bool = False,
    on_page: Callable[[Progress], None] | None = None,
    stop: asyncio.Event | None = None,
) -> list[Progress]:
    """Pull every stream of a platform; `full` starts each from the beginning (a reconciliation:
    what the hub has is left alone, what it missed is taken)."""
    link, adapter = await load_link(deps, platform)
    link.require_api()
    if full:
        await db_sync.reset(deps.pool, platform, adapter.streams)
    return [await pull_stream(deps, platform, stream, on_page=on_page, stop=stop) for stream in adapter.streams]


async def list_pulled_platforms(deps: Deps) -> list[str]:
    return await db_platforms.list_pulled(deps.pool)


async def list_streams(deps: Deps, platform: str | None) -> list[db_sync.StreamState]:
    """Where each stream's pull stands: its pages and items taken, when it caught up, its last error."""
    return await db_sync.list_cursors(deps.pool, platform)


async def list_rejects(deps: Deps, platform: str | None, *, limit: int = 1000) -> list[db_sync.Reject]:
    """Feed items the hub refused, newest first, with why."""
    return await db_sync.list_rejects(deps.pool, platform, limit)
