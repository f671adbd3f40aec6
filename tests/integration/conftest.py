from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest

from credithub.db.pool import create_pool, transaction
from credithub.db.world import insert_world
from credithub.demo.world import generate_world
from credithub.services import clients
from credithub.services.ports import Deps
from tests.conftest import TEST_PERSON_KEY, create_database, drop_database, make_deps, unique_name


@pytest.fixture(scope="session")
async def demo_dsn(server_dsn: str, template_db: str, deps: Deps) -> AsyncIterator[str]:
    """A database holding the demo world (6,000 subjects), shared read-only by the tests."""
    name = unique_name("chub_demo")
    dsn = await create_database(server_dsn, name, template=template_db)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        demo_deps = make_deps(pool, deps.settings)
        for code in ("shopmall", "bazaar", "livewave"):
            await clients.add_platform(demo_deps, code, code.title())
        world = generate_world(now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC), person_key=TEST_PERSON_KEY)
        async with transaction(pool) as conn:
            await insert_world(conn, world)
    finally:
        await pool.close()
    yield dsn
    await drop_database(server_dsn, name)


@pytest.fixture
async def demo_deps(demo_dsn: str, deps: Deps) -> AsyncIterator[Deps]:
    """The demo world's database, with the test suite's settings and a pool of its own."""
    pool = await create_pool(demo_dsn, min_size=1, max_size=3)
    yield make_deps(pool, deps.settings)
    await pool.close()


@pytest.fixture
async def codes(demo_deps: Deps) -> list[str]:
    """200 credit codes of the demo world, then three that name none of its subjects."""
    rows = await demo_deps.pool.fetch(
        "SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL ORDER BY id LIMIT 200"
    )
    return [row["credit_code"] for row in rows] + ["91110000600037341N", "12345", "91310115MA1K3BTP2B"]


@pytest.fixture
async def demo_conn(demo_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(demo_dsn)
    yield conn
    await conn.close()
