"""Waking the inbox processor of another process when a webhook is accepted or a page is pulled.

`serve` accepts webhooks in its serving processes (role `api`) and applies them in its background
process (role `workers`); a fleet accepts on one instance what another may apply. An accepted
event would wait there for the processor's next poll (`INBOX_POLL_SECONDS`). Instead, the insert
that stores the event also sends `NOTIFY credithub_inbox` (migration 0031: in the same statement,
no round trip of its own), delivered when the event commits, and every inbox processor LISTENs on
a connection of its own and claims at once.

At a high ingest rate a notice per event would cost every commit a turn on PostgreSQL's global
notification queue lock, and would wake a processor that is busy anyway. So a process sends at
most one notice per `NOTIFY_INTERVAL`; an event accepted inside that window rides on the notice
before it: a processor woken by a notice keeps looking every `NOTIFY_INTERVAL` for `LINGER`
seconds before it goes back to polling, which covers the window and the insert's own round trip.

Polling stays as the fallback: a notice lost with its connection, a listener not yet (or no
longer) connected, an insert slower than `LINGER`. While the connection is down the processor
polls and the listener reconnects every `RECONNECT_SECONDS`; on (re)connecting it wakes the
processor once, since notices sent meanwhile were lost. A process that runs its own inbox
processor (role `all`) wakes it in memory and sends no notice.

Events pulled from a platform's feed (`services/sync`: `credithub sync`, or the puller of
any instance) wake the processors the same way: a page that stored new events sends one notice
on commit, unthrottled (a page is a round trip to the platform, never a flood). Every inbox
processor LISTENs, its own process's included, so the notice serves a puller of role `all` too.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final

import asyncpg

from credithub.db import listening
from credithub.db.inbox import INBOX_CHANNEL

# At most one notice per process per 25 ms: 40 a second at most, however many events it accepts;
# a lone event still wakes a processor at once, and one right behind it waits 25 ms at worst.
NOTIFY_INTERVAL: Final = 0.025
# How long a woken processor keeps looking every NOTIFY_INTERVAL: the window of a notice plus
# room for an event inside it to commit (an insert is a few ms; a loaded database, more).
LINGER: Final = 4 * NOTIFY_INTERVAL
PING_SECONDS: Final = 5.0
RECONNECT_SECONDS: Final = 1.0

logger = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class InboxNotices:
    """This process's share: when an accept should notify (`due`), and the LISTEN connection of
    its inbox processor (`listen`). Without `connect` nothing listens: processors poll."""

    def __init__(self, connect: Connect | None, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._connect = connect
        self._monotonic = monotonic
        self._sent_at = -math.inf
        self._listening = False

    @property
    def listens(self) -> bool:
        """Whether this process's inbox processor can be woken by notices at all (a connection to
        listen on is configured)."""
        return self._connect is not None

    @property
    def listening(self) -> bool:
        """Whether the LISTEN connection is up now (if not, the processor polls meanwhile)."""
        return self._listening

    def due(self) -> bool:
        """Whether the event about to be stored should send the notice (and if so, it counts as
        sent): at most once per NOTIFY_INTERVAL."""
        now = self._monotonic()
        if now - self._sent_at < NOTIFY_INTERVAL:
            return False
        self._sent_at = now
        return True

    def unsent(self) -> None:
        """The event that was to send the notice stored nothing (a repeat): the next one sends it."""
        self._sent_at = -math.inf

    async def listen(self, wakeup: asyncio.Event) -> None:
        """Set `wakeup` on every notice, and once on each (re)connection, until cancelled. A lost
        connection is logged and opened again after RECONNECT_SECONDS; meanwhile, polling."""
        if self._connect is None:
            return
        while True:
            try:
                await self._listen(wakeup)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("inbox processor: not listening for accepted events (%s); polling", exc)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self, wakeup: asyncio.Event) -> None:
        assert self._connect is not None
        conn = await self._connect()

        def on_notice(_conn: Any, _pid: int, _channel: str, _payload: object) -> None:
            wakeup.set()

        def now_listening() -> None:
            self._listening = True
            wakeup.set()  # events accepted while not listening sent notices no one heard

        try:
            await listening.hold(conn, {INBOX_CHANNEL: on_notice}, ping_seconds=PING_SECONDS, listening=now_listening)
            logger.warning("inbox processor: the LISTEN connection closed; polling until it is back")
        finally:
            self._listening = False
            if not conn.is_closed():
                conn.terminate()
