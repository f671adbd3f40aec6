"""Instances sharing a Redis (CACHE_URL) share each client's rate limit; when Redis goes away
each instance limits on its own and nothing is refused for want of Redis.

(Two instances on a primary and a streaming replica, as separate processes: test_fleet.py.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio

from credithub.entrypoints.app import create_app
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.e2e.test_readiness import redis_port  # noqa: F401 - the fixture: a Redis of our own

VIEWER = "{ viewer { name } }"
RATE, BURST = 1, 3


@pytest.fixture
async def two_instances(deps: Deps, redis_port: int) -> AsyncIterator[tuple[str, str]]:  # noqa: F811
    settings = deps.settings.with_changes(
        rate_limit=RATE, rate_burst=BURST, client_concurrency=0, cache_url=f"redis://127.0.0.1:{redis_port}/0"
    )
    async with (
        loopback.serve(create_app(settings, deps=deps), lifespan="on") as first,
        loopback.serve(create_app(settings, deps=deps), lifespan="on") as second,
    ):
        yield first, second


async def test_a_burst_spent_on_one_instance_is_refused_on_the_other(
    deps: Deps, two_instances: tuple[str, str]
) -> None:
    first, second = two_instances
    token = (await clients.add_client(deps, f"burst {factories.suffix()}", "viewer")).token
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=10) as http:

        async def burst(url: str) -> list[httpx.Response]:
            asks = (http.post(url + "/graphql", json={"query": VIEWER}, headers=headers) for _ in range(BURST))
            return list(await asyncio.gather(*asks))

        assert [answer.status_code for answer in await burst(first)] == [200] * BURST
        on_second = await burst(second)  # only what the rate refilled meanwhile, not a burst of its own
        refused = [answer for answer in on_second if answer.status_code == 429]
        assert refused, [answer.status_code for answer in on_second]
        assert refused[0].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert refused[0].headers["retry-after"] == "1"


async def test_without_redis_each_instance_limits_on_its_own(
    deps: Deps,
    two_instances: tuple[str, str],
    redis_port: int,  # noqa: F811
) -> None:
    first, second = two_instances
    token = (await clients.add_client(deps, f"burst {factories.suffix()}", "viewer")).token
    headers = {"Authorization": f"Bearer {token}"}
    stopped = redis.asyncio.Redis(port=redis_port)
    await stopped.shutdown(nosave=True)
    await stopped.aclose()
    await asyncio.sleep(0.1)
    async with httpx.AsyncClient(timeout=10) as http:
        for url in (first, second):  # each admits a full burst of its own, and still limits
            asks = (http.post(url + "/graphql", json={"query": VIEWER}, headers=headers) for _ in range(BURST * 2))
            answers = await asyncio.gather(*asks)
            codes = [
                answer.json()["errors"][0]["extensions"]["code"] for answer in answers if answer.status_code != 200
            ]
            assert len(answers) - len(codes) >= BURST, (url, codes)
            assert "RATE_LIMITED" in codes, (url, codes)
