"""Watching the streaming replica (DATABASE_REPLICA_URL): is it recent enough to serve reads?

Every CHECK_SECONDS the watch samples the primary's WAL position, then asks the replica (on a
connection of its own) which position it has replayed; `domain.replication` turns the samples
into the replica's lag and decides, per read, whether the replica may answer it. The replica
serves nothing while it is unreachable, more than CREDITHUB_REPLICA_MAX_LAG behind, or not
checked for MAX_AGE_SECONDS (the watch itself is stuck): every read then goes to the primary,
which is always correct, only busier.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

import asyncpg

from credithub.db import replication as db_replication
from credithub.db.pool import OUTAGE
from credithub.domain.replication import ReplicaState, Sample, WriteMark, may_read_replica, measure_lag

CHECK_SECONDS: Final = 0.5
MAX_AGE_SECONDS: Final = 2.0
TIMEOUT_SECONDS: Final = 1.0

logger = logging.getLogger(__name__)

Connect = Callable[[], Awaitable[asyncpg.Connection]]


class ReplicaWatch:
    def __init__(
        self,
        primary: asyncpg.Pool,
        connect: Connect,
        *,
        max_lag: float,
        check_seconds: float = CHECK_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._primary = primary
        self._connect = connect
        self.max_lag = max_lag
        self.check_seconds = check_seconds
        self._monotonic = monotonic
        # Samples over the lag the replica may have, and a little more: one past it reads as "too far".
        self._samples: deque[Sample] = deque(maxlen=math.ceil(max_lag / check_seconds) + 4)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self.state: ReplicaState | None = None
        self.last_error: str | None = None

    def may_serve(self, wrote: WriteMark) -> bool:
        """Whether a read that tolerates lag, by a client whose last write is `wrote`, may go to the replica."""
        return may_read_replica(self.state, wrote, self._monotonic(), max_lag=self.max_lag, max_age=MAX_AGE_SECONDS)

    def describe(self) -> dict[str, object]:
        """For readiness: `ok` (serving reads), `lagging` (too far behind) or `unavailable`."""
        state = self.state
        if state is None or self._monotonic() - state.checked_at > MAX_AGE_SECONDS:
            return {"status": "unavailable", "lag_seconds": None, "error": self.last_error}
        lag = None if state.lag is None else round(state.lag, 3)
        status = "ok" if self.may_serve(None) else "lagging"
        return {"status": status, "lag_seconds": lag}

    async def check(self) -> None:
        """Sample the primary, then ask the replica how far it has replayed. A check that fails
        (either server away or slow) leaves the replica serving nothing until one succeeds."""
        try:
            async with asyncio.timeout(TIMEOUT_SECONDS * 2):
                await self._check()
        except (*OUTAGE, TimeoutError, asyncpg.PostgresError) as exc:
            if self.last_error is None:
                logger.warning("replica check failed (%s); reads go to the primary until it answers", exc)
            self.state = None
            self.last_error = f"{type(exc).__name__}: {exc}"
            if self._conn is not None:
                self._conn.terminate()
                self._conn = None

    async def _check(self) -> None:
        async with self._primary.acquire(timeout=TIMEOUT_SECONDS) as conn:
            self._samples.append(Sample(self._monotonic(), await db_replication.primary_position(conn)))
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._connect()
        replayed = await db_replication.replayed_position(self._conn)
        now = self._monotonic()
        self.state = ReplicaState(replayed, now, measure_lag(self._samples, replayed, now))
        self.last_error = None

    async def start(self) -> None:
        """Check now (reads go to the replica only once a check succeeded), then keep checking until `close`."""
        if self._task is not None:
            return
        await self.check()
        self._task = asyncio.create_task(self._run(), name="replica-watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            self._conn.terminate()
            self._conn = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            await self.check()
