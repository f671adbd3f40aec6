"""Holding a LISTEN connection until it is lost: the one loop behind every listener of the hub
(revoked tokens and changed secrets, the live status feed, accepted webhooks).

A LISTEN connection can die without a word (a server restart, a cut network path): PostgreSQL's
notices then simply stop. So besides asyncpg's termination callback, an idle connection is asked
`SELECT 1` every `ping_seconds`; a ping that fails or hangs raises, and the listener opens a new
connection as it sees fit (each says what it missed meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Mapping
from typing import Any

import asyncpg

Notice = Callable[[Any, int, str, object], None]
"""asyncpg's listener callback: (connection, sender's pid, channel, payload)."""


async def hold(
    conn: asyncpg.Connection, listeners: Mapping[str, Notice], *, ping_seconds: float, listening: Callable[[], None]
) -> None:
    """LISTEN on `conn` with `listeners` (channel → callback), call `listening` once they are all
    in place, and return when the connection is lost. Raises what a failed ping raises."""
    lost = asyncio.Event()
    conn.add_termination_listener(lambda _conn: lost.set())
    for channel, callback in listeners.items():
        await conn.add_listener(channel, callback)
    listening()
    while not lost.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(lost.wait(), timeout=ping_seconds)
        if not lost.is_set():
            await conn.fetchval("SELECT 1", timeout=ping_seconds)
