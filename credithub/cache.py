"""The status cache: in memory by default, Redis (aiocache) when CACHE_URL is set.

Entries are keyed by what they were computed from (a subject's facts version and the
catalog/rules version), so a change never needs to reach other instances to evict anything:
the next reader asks for a new key. TTLs only bound memory.

In memory it is a least-recently-used map of at most CREDITHUB_STATUS_CACHE_ENTRIES statuses,
expired when read. It is on the path of every status read, so it is a plain dict: no task, timer
or timeout per call, and a heap that stops growing (a bigger heap makes every full collection of
the garbage collector longer, and those pauses are what a request's p99 waits for).

The cache is an optimisation, never a dependency: it fails open. A Redis that errs or is slow
(over TIMEOUT_SECONDS) makes that read a miss and that write a no-op; the hub computes or reads
the status store instead, and for BACKOFF_SECONDS does not try Redis again, so an outage costs
one slow call, not one per request. Readiness reports the cache as degraded meanwhile.

Values in Redis are JSON (`domain.status_codec`), never pickles: a cache shared over the network
is not a place to deserialise code from.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Final

import orjson
from aiocache import Cache
from aiocache.base import BaseCache
from aiocache.serializers import StringSerializer

from credithub.domain.flags import CreditStatus
from credithub.domain.status_codec import decode_status, encode_status

NAMESPACE: Final = "credithub"
STATUS_TTL_SECONDS: Final = 600
TIMEOUT_SECONDS: Final = 0.5
BACKOFF_SECONDS: Final = 5.0
DEFAULT_MEMORY_ENTRIES: Final = 20_000  # CREDITHUB_STATUS_CACHE_ENTRIES

logger = logging.getLogger(__name__)


def status_key(subject_id: int, facts_version: int, config_version: int) -> str:
    """A computed credit status, valid for the facts and catalog/rules versions it was made from."""
    return f":status:{subject_id}:{facts_version}:{config_version}"


class MemoryStatuses:
    """At most `max_entries` statuses of this instance, the least recently used dropped first;
    an entry past its TTL is a miss (and dropped) when read."""

    def __init__(self, max_entries: int) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, CreditStatus]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, keys: Sequence[str]) -> list[CreditStatus | None]:
        now = time.monotonic()
        return [self._get(key, now) for key in keys]

    def _get(self, key: str, now: float) -> CreditStatus | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, status = entry
        if expires <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return status

    def set_many(self, pairs: Sequence[tuple[str, CreditStatus]], ttl: float) -> None:
        expires = time.monotonic() + ttl
        entries = self._entries
        for key, status in pairs:
            entries[key] = (expires, status)
            entries.move_to_end(key)
        while len(entries) > self.max_entries:
            entries.popitem(last=False)


class StatusCache:
    """Computed statuses by `status_key`: in this instance's memory, or shared by every instance
    when backed by Redis (`backend`)."""

    def __init__(self, backend: BaseCache | None = None, *, memory: MemoryStatuses | None = None) -> None:
        if (backend is None) == (memory is None):
            raise ValueError("a status cache is in memory or in Redis, not both")
        self._backend = backend
        self._memory = memory
        self.shared = backend is not None
        self._failing_until = 0.0
        self.last_error: str | None = None

    @property
    def degraded(self) -> bool:
        """Redis erred lately: reads are misses until it is tried again."""
        return time.monotonic() < self._failing_until

    async def get_many(self, keys: Sequence[str]) -> list[CreditStatus | None]:
        if not keys:
            return []
        if self._memory is not None:
            return self._memory.get_many(keys)
        assert self._backend is not None
        if self.degraded:
            return [None] * len(keys)
        try:
            values = await self._backend.multi_get(list(keys))
        except Exception as exc:  # fail open: the cache is an optimisation, never a dependency
            self._failed(exc)
            return [None] * len(keys)
        return [self._decode(value) for value in values]

    async def set_many(self, pairs: Sequence[tuple[str, CreditStatus]], *, ttl: int = STATUS_TTL_SECONDS) -> None:
        if not pairs:
            return
        if self._memory is not None:
            self._memory.set_many(pairs, ttl)
            return
        assert self._backend is not None
        if self.degraded:
            return
        try:
            await self._backend.multi_set([(key, self._encode(status)) for key, status in pairs], ttl=ttl)
        except Exception as exc:  # fail open
            self._failed(exc)

    async def check(self) -> str:
        """ "ok", "memory" (not shared) or "degraded" — for readiness."""
        if self._backend is None:
            return "memory"
        try:
            await self._backend.get(":readyz")
        except Exception as exc:  # fail open: readiness reports it, requests go on without it
            self._failed(exc)
            return "degraded"
        return "degraded" if self.degraded else "ok"

    async def close(self) -> None:
        if self._backend is None:
            return
        client: Any = getattr(self._backend, "client", None)
        if client is not None and hasattr(client, "aclose"):
            await client.aclose()  # redis-py ≥ 5 deprecates close(), which aiocache 0.12 would call
        else:
            await self._backend.close()

    def _failed(self, exc: BaseException) -> None:
        if not self.degraded:
            logger.warning("cache unavailable (%s); serving without it for %.0f s", exc, BACKOFF_SECONDS)
        self.last_error = f"{type(exc).__name__}: {exc}"
        self._failing_until = time.monotonic() + BACKOFF_SECONDS

    def _encode(self, status: CreditStatus) -> object:
        return orjson.dumps(encode_status(status)).decode()

    def _decode(self, value: object) -> CreditStatus | None:
        if value is None:
            return None
        try:
            return decode_status(orjson.loads(str(value)))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None  # written by another version of the hub, or not by the hub: a miss


def create_cache(url: str | None, *, memory_entries: int = DEFAULT_MEMORY_ENTRIES) -> StatusCache:
    """Redis at `url`, else at most `memory_entries` statuses in this instance's memory."""
    if url is None:
        return StatusCache(memory=MemoryStatuses(memory_entries))
    backend: BaseCache = Cache.from_url(url)
    backend.namespace = NAMESPACE
    backend.serializer = StringSerializer()
    backend.timeout = TIMEOUT_SECONDS
    return StatusCache(backend)


async def close_cache(cache: StatusCache) -> None:
    await cache.close()
