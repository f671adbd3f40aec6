"""The shared cache (aiocache): in memory by default, Redis when CACHE_URL is set.

Entries are keyed by what they were computed from (a subject's facts version and the
catalog/rules version), so a change never needs to reach other instances to evict anything:
the next reader asks for a new key. TTLs only bound memory.
"""

from __future__ import annotations

from typing import Any, Final

from aiocache import Cache, SimpleMemoryCache
from aiocache.base import BaseCache
from aiocache.serializers import PickleSerializer

NAMESPACE: Final = "credithub"
STATUS_TTL_SECONDS: Final = 600


def create_cache(url: str | None) -> BaseCache:
    if url is None:
        return SimpleMemoryCache(namespace=NAMESPACE)
    cache: BaseCache = Cache.from_url(url)
    cache.namespace = NAMESPACE
    # Values are our own frozen dataclasses, written and read only by hub instances.
    cache.serializer = PickleSerializer()
    return cache


async def close_cache(cache: BaseCache) -> None:
    client: Any = getattr(cache, "client", None)
    if client is not None and hasattr(client, "aclose"):
        await client.aclose()  # redis-py ≥ 5 deprecates close(), which aiocache 0.12 would call
    else:
        await cache.close()


def status_key(subject_id: int, facts_version: int, config_version: int) -> str:
    """A computed credit status, valid for the facts and catalog/rules versions it was made from."""
    return f":status:{subject_id}:{facts_version}:{config_version}"
