"""The in-memory status cache keeps at most its configured number of statuses."""

from __future__ import annotations

import datetime as dt

from credithub.cache import create_cache, status_key
from credithub.domain.flags import CreditStatus
from credithub.domain.measures import Tier

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _status(subject_id: int) -> CreditStatus:
    return CreditStatus(subject_id, AT, "2026", Tier.A, "no records", False, False, False, (), None)


async def test_the_least_recently_read_status_is_dropped_first_beyond_the_limit() -> None:
    cache = create_cache(None, memory_entries=2)
    first, second, third = (status_key(subject_id, 1, 1) for subject_id in (1, 2, 3))
    await cache.set_many([(first, _status(1)), (second, _status(2))])
    assert await cache.get_many([first]) == [_status(1)]  # read: now the most recent

    await cache.set_many([(third, _status(3))])

    assert await cache.get_many([first, second, third]) == [_status(1), None, _status(3)]


async def test_a_status_past_its_ttl_is_a_miss() -> None:
    cache = create_cache(None, memory_entries=10)
    key = status_key(1, 1, 1)
    await cache.set_many([(key, _status(1))], ttl=0)
    assert await cache.get_many([key]) == [None]
    assert await cache.check() == "memory"
