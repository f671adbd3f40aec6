"""Announcements of credit status changes, delivered to this instance's live subscribers.

The status store announces changes with NOTIFY in the transaction that stores them
(`services.statuses`), so an announcement is sent if and only if the change committed, and
reaches every instance whichever one computed it. Each instance keeps one LISTEN connection
of its own, opened by the first subscription, and hands each announcement to the
subscriptions that may see it (`domain.status_feed.StatusChanged.visible_to`).

What a live feed cannot do is pretend: announcements sent while the LISTEN connection is down
are gone, and a subscriber that reads too slowly would have to drop some. In both cases its
subscription ends with `LiveFeedLost`, so the client reloads and subscribes again instead of
showing a state that silently missed a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import asyncpg

from credithub.db import listening
from credithub.domain.errors import DomainError, LiveFeedLost, PermissionDenied, TooManySubscriptions
from credithub.domain.status_feed import StatusChanged, decode_payload

CHANNEL: Final = "credithub_status_changed"
QUEUE_LIMIT: Final = 1000  # announcements waiting for one subscriber before it is cut off
BATCH_LIMIT: Final = 100  # announcements delivered (read and audited) together at most
PING_SECONDS: Final = 15.0  # how often an idle LISTEN connection is checked
INTERRUPTED: Final = "The live feed of status changes was interrupted; reload and subscribe again."
REVOKED: Final = "This client's token was revoked."
TOO_SLOW: Final = "Status changes arrived faster than this subscription read them; reload and subscribe again."

logger = logging.getLogger(__name__)

Connect = Callable[[], Any]  # () -> Awaitable[asyncpg.Connection]


class _Subscriber:
    def __init__(self, client_id: int, platform: str | None, subject_ids: frozenset[int] | None) -> None:
        self.client_id = client_id
        self.platform = platform
        self.subject_ids = subject_ids
        self.queue: asyncio.Queue[StatusChanged | DomainError] = asyncio.Queue()
        self.ended = False

    def offer(self, announced: StatusChanged) -> None:
        if self.ended:
            return
        if self.subject_ids is not None and announced.subject_id not in self.subject_ids:
            return
        if not announced.visible_to(self.platform):
            return
        if self.queue.qsize() >= QUEUE_LIMIT:
            self.end(LiveFeedLost(TOO_SLOW, reason="TOO_SLOW"))
        else:
            self.queue.put_nowait(announced)

    def end(self, error: DomainError) -> None:
        """The error jumps the queue: what is queued may already be incomplete."""
        if self.ended:
            return
        self.ended = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(error)


class StatusFeed:
    """This instance's LISTEN connection and its subscribers."""

    def __init__(self, connect: Connect, *, max_per_client: int = 20) -> None:
        self._connect = connect
        self.max_per_client = max_per_client
        self._subscribers: set[_Subscriber] = set()
        self._listener: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[None] | None = None
        self._lock = asyncio.Lock()
        self.undeliverable = 0  # announcements no subscriber could be given, since this instance started

    @contextlib.asynccontextmanager
    async def subscribe(
        self, client_id: int, platform: str | None, subject_ids: frozenset[int] | None = None
    ) -> AsyncIterator[AsyncIterator[list[StatusChanged]]]:
        """The announcements a client acting for `platform` sees (about `subject_ids` only, if
        given), from the moment this returns, in delivery batches: whatever arrived while the
        subscriber was busy comes as one batch (read and audited together). Iterating raises
        LiveFeedLost when it ends, PermissionDenied when the client is revoked. A client may hold
        at most `limit` subscriptions on this instance (TooManySubscriptions)."""
        held = sum(1 for subscriber in self._subscribers if subscriber.client_id == client_id)
        if held >= self.max_per_client:
            raise TooManySubscriptions(self.max_per_client)
        subscriber = _Subscriber(client_id, platform, subject_ids)
        await self._ensure_listening()
        self._subscribers.add(subscriber)
        try:
            yield self._announcements(subscriber)
        finally:
            self._subscribers.discard(subscriber)

    async def _announcements(self, subscriber: _Subscriber) -> AsyncIterator[list[StatusChanged]]:
        while True:
            batch = [await subscriber.queue.get()]
            while len(batch) < BATCH_LIMIT and not subscriber.queue.empty():
                batch.append(subscriber.queue.get_nowait())
            for item in batch:
                if isinstance(item, DomainError):
                    raise item
            yield [item for item in batch if isinstance(item, StatusChanged)]

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._listener is None or self._listener.done():
                self._ready = asyncio.get_running_loop().create_future()
                self._listener = asyncio.create_task(self._listen(self._ready), name="status-feed-listener")
            ready = self._ready
        assert ready is not None
        try:
            await asyncio.shield(ready)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            raise LiveFeedLost(INTERRUPTED, reason="INTERRUPTED") from exc

    async def _listen(self, ready: asyncio.Future[None]) -> None:
        """Hold the LISTEN connection until it fails or the feed closes; on failure every
        subscriber is told, and the next subscription opens a new connection."""
        conn: asyncpg.Connection | None = None
        try:
            conn = await self._connect()
            listeners = {CHANNEL: self._on_notification}
            await listening.hold(conn, listeners, ping_seconds=PING_SECONDS, listening=lambda: ready.set_result(None))
            logger.warning("status feed: the LISTEN connection closed")
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if not ready.done():
                ready.set_exception(exc)
                ready.exception()  # retrieved here: the subscriber waiting on it re-raises its own copy
            logger.warning("status feed: LISTEN connection failed: %s", exc)
        finally:
            self._interrupt_all()
            if conn is not None and not conn.is_closed():
                with contextlib.suppress(Exception):
                    await conn.close(timeout=2)

    def _on_notification(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            announcements = decode_payload(str(payload))
        except ValueError:
            logger.warning("status feed: ignored a payload that is not ours on %s", CHANNEL)
            self.undeliverable += 1
            return
        for subscriber in list(self._subscribers):
            for announced in announcements:
                subscriber.offer(announced)

    def end_client(self, client_id: int) -> None:
        """The client was revoked: its subscriptions end now, not at their next event."""
        for subscriber in list(self._subscribers):
            if subscriber.client_id == client_id:
                subscriber.end(PermissionDenied(REVOKED))

    def _interrupt_all(self) -> None:
        for subscriber in list(self._subscribers):
            subscriber.end(LiveFeedLost(INTERRUPTED, reason="INTERRUPTED"))

    def note_undeliverable(self, subject_id: int, error: BaseException) -> None:
        """A subscriber could not be given this announcement (its subject could not be read): it is
        counted and logged, and the subscription goes on with the next one."""
        self.undeliverable += 1
        logger.error("status feed: could not deliver the change of subject %d: %s", subject_id, error)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    async def close(self) -> None:
        """Stop listening; open subscriptions end as interrupted."""
        if self._listener is not None and not self._listener.done():
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
