"""Readiness says what is wrong; the cache fails open.

Regression: with CACHE_URL set and Redis down, every GraphQL request was a plain-text 500 while
/healthz said ok; shared cache values were pickled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio

from credithub.cache import create_cache
from credithub.db.pool import create_pool
from credithub.entrypoints.app import create_app
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.conftest import Cast

STATUS = "query($c: [String!]!) { creditStatuses(creditCodes: $c) { __typename ... on CreditStatus { tier } } }"


async def test_readyz_reports_each_part(http: httpx.AsyncClient) -> None:
    response = await http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "memory"
    assert body["revocations"] == "listening"
    assert body["status"] == "ready"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_port() -> Iterator[int]:
    """A Redis of our own on a free port (never the shared 6379), stopped by the test or at the end."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.skip("redis-server did not start")
                time.sleep(0.02)
        yield port
    finally:
        server.kill()
        server.wait()


@pytest.fixture
async def cached_instance(shared_dsn: str, data_dir: Path, redis_port: int) -> AsyncIterator[tuple[Deps, str]]:
    pool = await create_pool(shared_dsn, min_size=1, max_size=3)
    settings = make_settings(shared_dsn, data_dir, cache_url=f"redis://127.0.0.1:{redis_port}/0")
    deps = dataclasses.replace(make_deps(pool, settings), cache=create_cache(settings.cache_url))
    try:
        async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
            yield deps, url
    finally:
        await deps.cache.close()
        await deps.feed.close()
        await deps.http.aclose()
        await pool.close()


@pytest.mark.slow
async def test_with_redis_stopped_graphql_still_answers_and_readiness_says_degraded(
    cached_instance: tuple[Deps, str], redis_port: int, cast: Cast
) -> None:
    deps, url = cached_instance
    token = (await clients.add_client(deps, f"reader {factories.suffix()}", "viewer")).token
    headers = {"Authorization": f"Bearer {token}"}
    codes = [cast.merchant.credit_code]
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        first = await http.post("/graphql", json={"query": STATUS, "variables": {"c": codes}}, headers=headers)
        assert first.json()["data"]["creditStatuses"][0]["__typename"] == "CreditStatus"
        stored = redis.asyncio.Redis(port=redis_port)
        keys = await stored.keys("credithub*")
        assert keys, "the status was shared through Redis"
        value = await stored.get(keys[0])
        assert value is not None
        assert value.startswith(b"{")
        await stored.shutdown(nosave=True)
        await stored.aclose()
        await asyncio.sleep(0.1)
        for _ in range(3):
            again = await http.post("/graphql", json={"query": STATUS, "variables": {"c": codes}}, headers=headers)
            assert again.status_code == 200
            assert again.json()["data"]["creditStatuses"][0]["__typename"] == "CreditStatus"
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()["status"], ready.json()["cache"]) == (200, "degraded", "degraded")
        assert (await http.get("/healthz")).status_code == 200


async def _inbox_state(http: httpx.AsyncClient, wanted: str) -> dict[str, object]:
    """/readyz once its `inbox` says `wanted` (the listener connects and reconnects in the background)."""
    for _ in range(100):
        body: dict[str, object] = (await http.get("/readyz")).json()
        if body.get("inbox") == wanted:
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"/readyz never said inbox {wanted!r}: {body}")


async def test_readyz_says_when_the_inbox_processor_polls_for_want_of_its_listener(
    fresh_dsn: str, data_dir: Path
) -> None:
    pool = await create_pool(fresh_dsn, min_size=1, max_size=3)
    settings = make_settings(fresh_dsn, data_dir, workers=True)
    deps = make_deps(pool, settings)
    try:
        async with (
            loopback.serve(create_app(settings, deps=deps), lifespan="on") as url,
            httpx.AsyncClient(base_url=url, timeout=10) as http,
        ):
            ready = await _inbox_state(http, "listening")
            assert ready["status"] == "ready"
            # The listener's connection is cut (a restart of PostgreSQL, a network blip): the
            # processor polls meanwhile, and says so, until it has reconnected.
            await pool.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'credithub-inbox' AND datname = current_database()"
            )
            polling = await _inbox_state(http, "polling")
            assert polling["status"] == "degraded"
            back = await _inbox_state(http, "listening")
            assert back["status"] == "ready"
    finally:
        await deps.http.aclose()
        await pool.close()
