"""The status cache (aiocache): in memory by default, Redis when CACHE_URL is set.

Entries are keyed by what they were computed from (a subject's facts version and the
catalog/rules version), so a change never needs to reach other instances to evict anything:
the next reader asks for a new key. TTLs only bound memory.

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
from collections.abc import Sequence
from typing import Any, Final

import orjson
from aiocache import Cache, SimpleMemoryCache
from aiocache.base import BaseCache
from aiocache.serializers import NullSerializer, StringSerializer

from credithub.domain.flags import CreditStatus
from credithub.domain.status_codec import decode_status, encode_status

NAMESPACE: Final = "credithub"
STATUS_TTL_SECONDS: Final = 600
TIMEOUT_SECONDS: Final = 0.5
BACKOFF_SECONDS: Final = 5.0

logger = logging.getLogger(__name__)


def status_key(subject_id: int, facts_version: int, config_version: int) -> str:
    """A computed credit status, valid for the facts and catalog/rules versions it was made from."""
    return f":status:{subject_id}:{facts_version}:{config_version}"


class StatusCache:
    """Computed statuses by `status_key`, shared by every instance when backed by Redis."""

    def __init__(self, backend: BaseCache, *, shared: bool) -> None:
        self._backend = backend
        self.shared = shared
        self._failing_until = 0.0
        self.last_error: str | None = None

    @property
    def degraded(self) -> bool:
        """Redis erred lately: reads are misses until it is tried again."""
        return time.monotonic() < self._failing_until

    async def get_many(self, keys: Sequence[str]) -> list[CreditStatus | None]:
        if not keys:
            return []
        if self.degraded:
            return [None] * len(keys)
        try:
            values = await self._backend.multi_get(list(keys))
        except Exception as exc:  # fail open: the cache is an optimisation, never a dependency
            self._failed(exc)
            return [None] * len(keys)
        return [self._decode(value) for value in values]

    async def set_many(self, pairs: Sequence[tuple[str, CreditStatus]], *, ttl: int = STATUS_TTL_SECONDS) -> None:
        if not pairs or self.degraded:
            return
        try:
            await self._backend.multi_set([(key, self._encode(status)) for key, status in pairs], ttl=ttl)
        except Exception as exc:  # fail open
            self._failed(exc)

    async def check(self) -> str:
        """ "ok", "memory" (not shared) or "degraded" — for readiness."""
        if not self.shared:
            return "memory"
        try:
            await self._backend.get(":readyz")
        except Exception as exc:  # fail open: readiness reports it, requests go on without it
            self._failed(exc)
            return "degraded"
        return "degraded" if self.degraded else "ok"

    async def close(self) -> None:
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
        return orjson.dumps(encode_status(status)).decode() if self.shared else status

    def _decode(self, value: object) -> CreditStatus | None:
        if value is None or not self.shared:
            return value if isinstance(value, CreditStatus) else None
        try:
            return decode_status(orjson.loads(str(value)))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None  # written by another version of the hub, or not by the hub: a miss


def create_cache(url: str | None) -> StatusCache:
    if url is None:
        return StatusCache(SimpleMemoryCache(namespace=NAMESPACE, serializer=NullSerializer()), shared=False)
    backend: BaseCache = Cache.from_url(url)
    backend.namespace = NAMESPACE
    backend.serializer = StringSerializer()
    backend.timeout = TIMEOUT_SECONDS
    return StatusCache(backend, shared=True)


async def close_cache(cache: StatusCache) -> None:
    await cache.close()
