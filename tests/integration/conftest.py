from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest

from credithub.db.pool import transaction
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
async def demo_conn(demo_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(demo_dsn)
    yield conn
    await conn.close()
