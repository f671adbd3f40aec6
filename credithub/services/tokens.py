"""This instance's cache of authenticated bearer tokens and of platforms' webhook secrets, kept
honest by notices.

Every request authenticates; looking the token up in PostgreSQL each time would cost a round
trip, so an instance remembers who holds a token. A revoked client must not keep working from
that memory: revoking (or deleting) a client sends `NOTIFY credithub_client_revoked` in the
same transaction (a trigger), and every instance listens on a connection of its own. A notice
drops the client from the cache and ends its live subscriptions, milliseconds after the commit,
on every instance, whoever revoked it (the CLI, the API, psql).

What the cache never does is outlive the notices it relies on: while the LISTEN connection is
down (not yet open, lost, reconnecting) nothing is cached and every request asks the database;
on reconnecting, the cache starts empty, since notices sent meanwhile are lost. A lookup that
raced a notice (read the client just before the revocation committed, stored it just after)
is not kept: the notice moves a generation counter that the lookup checked. Entries also expire
after CACHE_SECONDS, a backstop for a connection that died without saying so (pinged every
PING_SECONDS).

Every webhook is verified against its platform's active secrets, so they are kept the same way:
adding, retiring or deleting a secret sends `NOTIFY credithub_secrets_changed` with the platform's
code (migration 0030), which drops that platform's secrets here; the same rules apply (nothing
kept while not listening, a lookup that raced a notice not kept, CACHE_SECONDS at most).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Final

import asyncpg

from credithub.db import listening
from credithub.domain.clients import Client

CHANNEL: Final = "credithub_client_revoked"
SECRETS_CHANNEL: Final = "credithub_secrets_changed"
CACHE_SECONDS: Final = 30.0
PING_SECONDS: Final = 5.0
RECONNECT_SECONDS: Final = 1.0
MAX_ENTRIES: Final = 100_000

logger = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class TokenWatch:
    def __init__(self, connect: Connect, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._connect = connect
        self._monotonic = monotonic
        self._clients: OrderedDict[bytes, tuple[Client, float]] = OrderedDict()
        self._secrets: dict[str, tuple[list[str], float]] = {}  # webhook secrets by platform
        self._listeners: list[Callable[[int], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()
        self.generation = 0  # moves on every notice and every loss of the connection

    @property
    def listening(self) -> bool:
        return self._listening.is_set()

    def cached(self, token_hash: bytes) -> Client | None:
        """The client holding this token, if known and trustworthy right now."""
        if not self.listening:
            return None
        entry = self._clients.get(token_hash)
        if entry is None:
            return None
        client, expires = entry
        if self._monotonic() >= expires:
            del self._clients[token_hash]
            return None
        return client

    def remember(self, token_hash: bytes, client: Client, generation: int) -> None:
        """Keep a client read from the database when `generation` was current, unless a notice
        (or a lost connection) came in between."""
        if not self.listening or generation != self.generation:
            return
        self._clients[token_hash] = (client, self._monotonic() + CACHE_SECONDS)
        self._clients.move_to_end(token_hash)
        if len(self._clients) > MAX_ENTRIES:
            self._clients.popitem(last=False)

    def cached_secrets(self, platform: str) -> list[str] | None:
        """The platform's active webhook secrets, if known and trustworthy right now."""
        if not self.listening:
            return None
        entry = self._secrets.get(platform)
        if entry is None or self._monotonic() >= entry[1]:
            return None
        return entry[0]

    def remember_secrets(self, platform: str, secrets: list[str], generation: int) -> None:
        """Keep a platform's secrets read when `generation` was current, unless a notice (or a lost
        connection) came in between."""
        if self.listening and generation == self.generation:
            self._secrets[platform] = (secrets, self._monotonic() + CACHE_SECONDS)

    def forget_secrets(self, platform: str) -> None:
        """The platform's secrets changed: read them again next time."""
        self.generation += 1
        self._secrets.pop(platform, None)

    def on_revoked(self, listener: Callable[[int], None]) -> None:
        """Call `listener(client_id)` whenever a client is revoked (e.g. to end its subscriptions)."""
        self._listeners.append(listener)

    def forget_client(self, client_id: int) -> None:
        """The client was revoked: forget it here and tell the listeners."""
        self.generation += 1
        for token_hash in [key for key, (client, _) in self._clients.items() if client.id == client_id]:
            del self._clients[token_hash]
        for listener in self._listeners:
            listener(client_id)

    async def start(self) -> bool:
        """Listen for notices (until `close`); returns once listening, or after the first failed
        try. False if it was listening already (started by someone else, who will close it)."""
        started = self._task is None
        if started:
            self._task = asyncio.create_task(self._watch(), name="token-watch")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._listening.wait(), timeout=5)
        return started

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _watch(self) -> None:
        while True:
            try:
                await self._listen()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                logger.warning("token watch: not listening for revocations (%s); every request asks the database", exc)
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _listen(self) -> None:
        conn = await self._connect()

        def now_listening() -> None:
            self._forget_all()  # notices may have been missed while not listening
            self._listening.set()

        try:
            listeners = {CHANNEL: self._on_notice, SECRETS_CHANNEL: self._on_secrets_notice}
            await listening.hold(conn, listeners, ping_seconds=PING_SECONDS, listening=now_listening)
            logger.warning("token watch: the LISTEN connection closed")
        finally:
            self._listening.clear()
            self._forget_all()
            if not conn.is_closed():
                conn.terminate()

    def _forget_all(self) -> None:
        self._clients.clear()
        self._secrets.clear()
        self.generation += 1

    def _on_secrets_notice(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self.forget_secrets(str(payload))

    def _on_notice(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        try:
            client_id = int(str(payload))
        except ValueError:
            logger.warning("token watch: ignored a notice that is not a client id on %s", CHANNEL)
            return
        self.forget_client(client_id)
