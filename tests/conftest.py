"""Test harness: a real PostgreSQL, a migrated template database, a clone per test that needs one.

The server is DATABASE_URL's when it is set (CI runs the suite both ways), else an embedded
pgserver instance in a temporary folder. Migrations are applied once to a template database;
`fresh_dsn` clones it in ~30 ms, `deps` runs services on a session-wide database where tests
keep apart by using random identifiers.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credithub.bootstrap import SystemClock, create_platform_client
from credithub.cache import create_cache
from credithub.db.embedded import EmbeddedPostgres
from credithub.db.migrate import apply_migrations
from credithub.db.pool import connect_listener, create_pool
from credithub.report_keys import ReportSigner
from credithub.services.engine_config import ConfigHolder
from credithub.services.inbox_notices import InboxNotices
from credithub.services.ports import Clock, Deps
from credithub.services.status_feed import StatusFeed
from credithub.services.tokens import TokenWatch
from credithub.settings import Settings
from platform_adapters import ADAPTERS

TEST_PERSON_KEY = b"test-person-key-0123456789abcdefghijklmnop"
TEST_SECRET_KEY = TEST_PERSON_KEY.decode()
REPORT_SIGNER = ReportSigner(Ed25519PrivateKey.generate())


def dsn_for(server_dsn: str, database: str) -> str:
    """The same server, another database (works for host and Unix-socket DSNs)."""
    parts = urlsplit(server_dsn)
    return urlunsplit(parts._replace(path="/" + database))


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """DSN of a maintenance database on the server the tests use."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    with tempfile.TemporaryDirectory(prefix="credithub-test-") as folder:
        embedded = EmbeddedPostgres(Path(folder))
        dsn = embedded.start()
        try:
            yield dsn
        finally:
            embedded.stop()


async def create_database(server_dsn: str, name: str, *, template: str | None = None) -> str:
    conn = await asyncpg.connect(server_dsn)
    try:
        # Identifiers cannot be bind parameters; format('%I') quotes them server-side.
        if template is None:
            statement = await conn.fetchval("SELECT format('CREATE DATABASE %I', $1::text)", name)
        else:
            statement = await conn.fetchval(
                "SELECT format('CREATE DATABASE %I TEMPLATE %I', $1::text, $2::text)", name, template
            )
        await conn.execute(statement)
    finally:
        await conn.close()
    return dsn_for(server_dsn, name)


async def drop_database(server_dsn: str, name: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        statement = await conn.fetchval("SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text)", name)
        await conn.execute(statement)
    finally:
        await conn.close()


def unique_name(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


@pytest.fixture(scope="session")
async def template_db(server_dsn: str) -> AsyncIterator[str]:
    name = unique_name("chub_tpl")
    dsn = await create_database(server_dsn, name)
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    yield name
    await drop_database(server_dsn, name)


@pytest.fixture
async def fresh_dsn(server_dsn: str, template_db: str) -> AsyncIterator[str]:
    """A database of our own, migrated, dropped after the test."""
    name = unique_name("chub_t")
    dsn = await create_database(server_dsn, name, template=template_db)
    yield dsn
    await drop_database(server_dsn, name)


@pytest.fixture
async def empty_dsn(server_dsn: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even migrations."""
    name = unique_name("chub_e")
    dsn = await create_database(server_dsn, name)
    yield dsn
    await drop_database(server_dsn, name)


@pytest.fixture(scope="session")
async def shared_dsn(server_dsn: str, template_db: str) -> AsyncIterator[str]:
    """One migrated database for the whole session; tests keep apart by random identifiers."""
    name = unique_name("chub_s")
    dsn = await create_database(server_dsn, name, template=template_db)
    yield dsn
    await drop_database(server_dsn, name)


@pytest.fixture(scope="session")
def data_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="credithub-data-") as folder:
        yield Path(folder)


def make_settings(dsn: str, data_dir: Path, **changes: object) -> Settings:
    # No rate limit by default: tests send bursts no client would; tests/e2e/test_rate_limits.py sets one.
    # No defence window by default, so a listing can be proposed and decided in one test; the
    # window's own tests move a clock past it.
    settings = Settings(
        database_url=dsn,
        data_dir=data_dir,
        secret_key=TEST_SECRET_KEY,
        workers=False,
        rate_limit=0,
        defence_days=0,
        execution_days=0,
    )
    return settings.with_changes(**changes)


class FixedClock:
    """A clock tests move by hand."""

    def __init__(self, now: dt.datetime) -> None:
        self.instant = now

    def now(self) -> dt.datetime:
        return self.instant


def make_deps(pool: asyncpg.Pool, settings: Settings, clock: Clock | None = None) -> Deps:
    dsn = settings.database_url
    assert dsn is not None, "tests always name their database"
    feed = StatusFeed(lambda: connect_listener(dsn), max_per_client=settings.max_subscriptions)
    tokens = TokenWatch(lambda: connect_listener(dsn, "credithub-revocations"))
    tokens.on_revoked(feed.end_client)
    return Deps(
        settings=settings,
        pool=pool,
        person_key=TEST_PERSON_KEY,
        clock=clock or SystemClock(),
        cache=create_cache(None),
        engine=ConfigHolder(),
        http=create_platform_client(settings),
        adapters=ADAPTERS,
        feed=feed,
        tokens=tokens,
        reports=REPORT_SIGNER,
        inbox_notices=InboxNotices(lambda: connect_listener(dsn, "credithub-inbox")),
    )


@pytest.fixture(scope="session")
async def deps(shared_dsn: str, data_dir: Path) -> AsyncIterator[Deps]:
    pool = await create_pool(shared_dsn, min_size=1, max_size=5)
    made = make_deps(pool, make_settings(shared_dsn, data_dir))
    yield made
    await made.http.aclose()
    await pool.close()


@pytest.fixture
async def fresh_deps(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Deps]:
    pool = await create_pool(fresh_dsn, min_size=1, max_size=5)
    made = make_deps(pool, make_settings(fresh_dsn, data_dir))
    yield made
    await made.http.aclose()
    await pool.close()
