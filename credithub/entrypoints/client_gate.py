"""What each request asks about its client before any work: may it go on (its rate limit), and
where did it last write (for read-your-own-writes on a replica, `domain.replication`).

With a Redis URL in CACHE_URL every instance of the hub shares both: one token bucket per
client in Redis (a Lua script, so that a refill and a take are one atomic step), and one mark
per client holding the primary's WAL position after its last mutation. A request costs one
round trip to Redis for both answers; an instance with neither a rate limit nor a replica does
not call Redis at all.

Like the status cache, Redis is never a dependency: it fails open. When it errs or is slow
(over TIMEOUT_SECONDS) the request is admitted by this instance's own buckets (the limit is
then per instance; the processes of one `serve --workers N` share theirs, `host_buckets`) and
its client's last write is unknown, so its reads go to the primary; for BACKOFF_SECONDS Redis
is not tried again. Writes are also marked in this instance's memory, which answers when Redis
is not configured (one instance, or a fleet without read-your-own-writes across instances:
docs/operations.md).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import redis.asyncio
import redis.exceptions

from credithub.domain.rates import Bucket, admit
from credithub.domain.replication import UNKNOWN, WriteMark, later_mark
from credithub.entrypoints.host_buckets import HostBuckets

TIMEOUT_SECONDS: Final = 0.5
BACKOFF_SECONDS: Final = 5.0
WRITE_MARK_SECONDS: Final = 60  # twice settings.MAX_REPLICA_LAG: a replica that may serve has replayed older writes
MAX_CLIENTS: Final = 100_000  # buckets and marks remembered per instance; the least recently seen go first
REDIS_SCHEMES: Final = frozenset({"redis", "rediss", "unix"})

# KEYS: the client's bucket, its write mark. ARGV: rate per second (0: no limit), burst.
# Returns {seconds to wait as text (0: admitted), the write mark or false}. Redis' own clock
# times the bucket, so instances with skewed clocks share it fairly.
ADMIT_SCRIPT: Final = """
local rate = tonumber(ARGV[1])
local wait = 0
if rate > 0 then
  local burst = tonumber(ARGV[2])
  local clock = redis.call('TIME')
  local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
  local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
  local tokens = burst
  if bucket[1] then
    tokens = math.min(burst, tonumber(bucket[1]) + math.max(0, now - tonumber(bucket[2])) * rate)
  end
  if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'at', string.format('%.6f', now))
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
end
return {string.format('%.6f', wait), redis.call('GET', KEYS[2])}
"""

# KEYS: the client's write mark. ARGV: the WAL position after its write, seconds to keep it.
# A mark only moves forward: two instances noting writes of one client at once keep the later.
MARK_SCRIPT: Final = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 1
"""

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Admission:
    wait: float  # 0.0: go on; else the seconds until the client may
    wrote: WriteMark  # where the client last wrote, for routing its reads


class RateLimiter:
    """This instance's buckets (rate 0: no limit): alone without Redis, and while Redis errs.
    Under `serve --workers N` the supervisor gives its processes one table of buckets
    (`host_buckets`), so that the limit holds for the instance, not for each of its processes."""

    def __init__(self, rate: int, burst: int, table: Path | None = None) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[int, Bucket] = OrderedDict()
        self._table = HostBuckets(table) if table is not None and rate > 0 else None

    def wait_for(self, client_id: int) -> float:
        """0.0 if the client may go on now, else the seconds it must wait."""
        if self.rate <= 0:
            return 0.0
        if self._table is not None:
            return self._table.wait_for(client_id, time.monotonic(), self.rate, self.burst)
        bucket, wait = admit(self._buckets.get(client_id), time.monotonic(), self.rate, self.burst)
        self._buckets[client_id] = bucket
        self._buckets.move_to_end(client_id)
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait

    def close(self) -> None:
        if self._table is not None:
            self._table.close()
            self._table = None


class WriteMarks:
    """The WAL position after each client's last write through this instance, for WRITE_MARK_SECONDS."""

    def __init__(self) -> None:
        self._marks: OrderedDict[int, tuple[int, float]] = OrderedDict()

    def get(self, client_id: int) -> int | None:
        entry = self._marks.get(client_id)
        if entry is None or time.monotonic() - entry[1] > WRITE_MARK_SECONDS:
            return None
        return entry[0]

    def note(self, client_id: int, position: int) -> None:
        self._marks[client_id] = (later_mark(self.get(client_id), position), time.monotonic())
        self._marks.move_to_end(client_id)
        if len(self._marks) > MAX_CLIENTS:
            self._marks.popitem(last=False)


class ClientGate:
    """Rate limits and write marks, shared through Redis when `redis_url` is given.

    `track_writes`: whether reads are routed by write marks at all (a replica is configured);
    without it and without a rate limit, `admit` answers at once."""

    def __init__(
        self, rate: int, burst: int, redis_url: str | None, *, track_writes: bool, host_table: Path | None = None
    ) -> None:
        self.local = RateLimiter(rate, burst, host_table)
        self.marks = WriteMarks()
        self.track_writes = track_writes
        self._redis: Any = None
        self._admit: Any = None
        self._mark: Any = None
        if redis_url is not None and urlsplit(redis_url).scheme in REDIS_SCHEMES:
            client = redis.asyncio.Redis.from_url(
                redis_url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
            )
            self._redis = client
            self._admit = client.register_script(ADMIT_SCRIPT)
            self._mark = client.register_script(MARK_SCRIPT)
        self._failing_until = 0.0

    @property
    def shared(self) -> bool:
        return self._redis is not None

    @property
    def degraded(self) -> bool:
        """Redis erred lately: limits are per instance and write marks unknown until it is tried again."""
        return time.monotonic() < self._failing_until

    async def admit(self, client_id: int) -> Admission:
        """Whether the client may go on now, and where it last wrote."""
        if self.local.rate <= 0 and not self.track_writes:
            return Admission(0.0, None)
        if self._redis is None:
            return Admission(self.local.wait_for(client_id), self.marks.get(client_id))
        if not self.degraded:
            try:
                wait, mark = await self._admit(
                    keys=[_key(client_id, "bucket"), _key(client_id, "wrote")], args=[self.local.rate, self.local.burst]
                )
            except (redis.exceptions.RedisError, OSError, TimeoutError) as exc:  # fail open, as the cache does
                self._failed(exc)
            else:
                return Admission(float(wait), _stored_mark(mark, self.marks.get(client_id)))
        return Admission(self.local.wait_for(client_id), UNKNOWN)

    async def note_write(self, client_id: int, position: int) -> None:
        """The client wrote; everything it wrote is at or below the primary's WAL `position`."""
        self.marks.note(client_id, position)
        if self._redis is None or self.degraded:
            return
        try:
            await self._mark(keys=[_key(client_id, "wrote")], args=[position, WRITE_MARK_SECONDS])
        except (redis.exceptions.RedisError, OSError, TimeoutError) as exc:  # others read from the primary meanwhile
            self._failed(exc)

    async def close(self) -> None:
        self.local.close()
        if self._redis is not None:
            await self._redis.aclose()

    def _failed(self, exc: BaseException) -> None:
        if not self.degraded:
            logger.warning(
                "Redis unavailable for rate limits and write marks (%s); per instance for %.0f s", exc, BACKOFF_SECONDS
            )
        self._failing_until = time.monotonic() + BACKOFF_SECONDS


def _key(client_id: int, what: str) -> str:
    # One hash tag per client: both keys of a script live on the same node of a Redis cluster.
    return f"credithub:{{client:{client_id}}}:{what}"


def _stored_mark(stored: bytes | None, local: int | None) -> int | None:
    """The later of the shared mark and this instance's own."""
    shared = int(stored) if stored is not None else None
    if shared is None:
        return local
    return later_mark(local, shared)
