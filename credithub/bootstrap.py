"""Builds the Deps bundle (database, key, clock) for the app and the CLI alike.

With DATABASE_URL the hub uses that server. Without it, it starts (or attaches to) the
embedded PostgreSQL in CREDITHUB_DATA_DIR and uses a database named `credithub` there.
Either way, pending migrations are applied before anything else touches the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import secrets
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
import httpx

from credithub import report_keys
from credithub.cache import close_cache, create_cache
from credithub.db import meta
from credithub.db.embedded import DATABASE_NAME, EmbeddedPostgres
from credithub.db.migrate import apply_migrations
from credithub.db.pool import Pools, connect_listener, create_pool
from credithub.db.queries import QUERIES
from credithub.key_files import write_once
from credithub.services.engine_config import ConfigHolder
from credithub.services.inbox_notices import InboxNotices
from credithub.services.ports import Deps
from credithub.services.replica import ReplicaWatch
from credithub.services.status_feed import StatusFeed
from credithub.services.tokens import TokenWatch
from credithub.settings import Settings
from platform_adapters import ADAPTERS

KEY_FILE_NAME: Final = "secret_key"
SUPERVISE_SECONDS: Final = 2.0
KEY_FINGERPRINT_META: Final = "person_key_fingerprint"
_FINGERPRINT_MESSAGE: Final = b"credithub person-hash key fingerprint v1"
_SERVER_SQL: Final = QUERIES["server"]

logger = logging.getLogger(__name__)


class KeyMismatch(Exception):
    """The person-hash key differs from the one this database was filled with.

    Every stored person hash would stop matching, so the hub refuses to start."""


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[str]:
    """The DSN to use: DATABASE_URL, or the embedded server started for the block."""
    if settings.database_url is not None:
        yield settings.database_url
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    server_dsn = await asyncio.to_thread(embedded.start)
    supervisor = asyncio.create_task(_keep_running(embedded), name="embedded-postgres-supervisor")
    try:
        await _ensure_database(server_dsn)
        yield embedded.dsn(DATABASE_NAME)
    finally:
        supervisor.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await supervisor
        await asyncio.to_thread(embedded.stop)


async def _keep_running(embedded: EmbeddedPostgres) -> None:
    """Restart the embedded server if it dies while the hub runs; the pools reconnect on their own."""
    while True:
        await asyncio.sleep(SUPERVISE_SECONDS)
        try:
            await asyncio.to_thread(embedded.restart_if_stopped)
        except (OSError, subprocess.SubprocessError) as exc:  # e.g. its old processes still hold memory
            logger.warning("embedded PostgreSQL could not be restarted yet: %s", exc)


async def _ensure_database(server_dsn: str) -> None:
    conn = await asyncpg.connect(server_dsn)
    try:
        if not await conn.fetchval(_SERVER_SQL["database_exists"], DATABASE_NAME):
            await conn.execute(_SERVER_SQL["create_database"])
    except asyncpg.DuplicateDatabaseError:
        pass  # another process created it between our check and our CREATE
    finally:
        await conn.close()


async def migrate(dsn: str) -> list[str]:
    """Apply pending migrations; returns their names."""
    conn = await asyncpg.connect(dsn)
    try:
        applied = await apply_migrations(conn)
    finally:
        await conn.close()
    return [f"{migration.version:04d}_{migration.name}" for migration in applied]


def load_person_key(settings: Settings) -> bytes:
    """CREDITHUB_SECRET_KEY, or a key generated once into the data folder (mode 0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.encode()
    path = settings.data_dir / KEY_FILE_NAME
    if not path.exists() and write_once(path, secrets.token_urlsafe(48).encode()):
        logger.warning("generated a person-hash key in %s; set CREDITHUB_SECRET_KEY in production", path)
    return path.read_text().strip().encode()


def key_fingerprint(key: bytes) -> str:
    return hmac.new(key, _FINGERPRINT_MESSAGE, hashlib.sha256).hexdigest()[:32]


async def _check_key(pool: asyncpg.Pool, key: bytes) -> None:
    ours = key_fingerprint(key)
    stored = await meta.put_if_absent(pool, KEY_FINGERPRINT_META, ours)
    if stored != ours:
        raise KeyMismatch(
            "CREDITHUB_SECRET_KEY is not the key this database was created with; "
            "person hashes would no longer match. Restore the original key."
        )


@asynccontextmanager
async def open_deps(settings: Settings, *, dsn: str | None = None) -> AsyncIterator[Deps]:
    """Database (started if embedded), migrations, key check and pool, closed on exit."""
    async with _dsn_or_database(settings, dsn) as resolved:
        await migrate(resolved)
        key = load_person_key(settings)
        pools = await create_pools(resolved, settings)
        pool = pools.workers
        cache = create_cache(settings.cache_url, memory_entries=settings.status_cache_entries)
        http = create_platform_client(settings)
        feed = StatusFeed(lambda: connect_listener(resolved), max_per_client=settings.max_subscriptions)
        tokens = TokenWatch(lambda: connect_listener(resolved, "credithub-revocations"))
        tokens.on_revoked(feed.end_client)
        replica_watch = _replica_watch(settings, pools)
        try:
            await _check_key(pool, key)
            yield Deps(
                settings=settings,
                pool=pool,
                person_key=key,
                clock=SystemClock(),
                cache=cache,
                engine=ConfigHolder(),
                http=http,
                adapters=ADAPTERS,
                feed=feed,
                tokens=tokens,
                reports=report_keys.load_signer(settings.report_key, settings.data_dir),
                pools=pools,
                replica_watch=replica_watch,
                inbox_notices=InboxNotices(lambda: connect_listener(resolved, "credithub-inbox")),
            )
        finally:
            if replica_watch is not None:
                await replica_watch.close()
            await tokens.close()
            await feed.close()
            await http.aclose()
            await close_cache(cache)
            await pools.close()


def _replica_watch(settings: Settings, pools: Pools) -> ReplicaWatch | None:
    """Watches the replica's lag (started by `serve`); None without DATABASE_REPLICA_URL."""
    replica_url = settings.replica_url
    if replica_url is None or pools.replica is None:
        return None
    return ReplicaWatch(
        pools.health,
        lambda: connect_listener(replica_url, "credithub-replica-watch"),
        max_lag=settings.replica_max_lag,
    )


async def create_pools(dsn: str, settings: Settings) -> Pools:
    """A pool per kind of work (see `db.pool.Pools`), with its own size and statement timeout;
    with DATABASE_REPLICA_URL, one for GraphQL's reads on the replica (connected when first used:
    a replica that is away delays nothing, reads go to the primary meanwhile). A process that
    serves no API (role `workers`) opens no GraphQL, webhook or replica connection ahead."""
    serving = settings.serves_api
    replica = None
    if settings.replica_url is not None and serving:
        replica = await create_pool(
            settings.replica_url,
            min_size=0,
            max_size=settings.pool_size,
            statement_timeout=settings.api_statement_timeout,
            application_name="credithub-replica",
            read_only=True,
        )
    return Pools(
        api=await create_pool(
            dsn,
            min_size=min(2, settings.pool_size) if serving else 0,
            max_size=settings.pool_size,
            statement_timeout=settings.api_statement_timeout,
            application_name="credithub-api",
        ),
        ingest=await create_pool(
            dsn,
            min_size=1 if serving else 0,
            max_size=settings.ingest_pool_size,
            statement_timeout=settings.ingest_statement_timeout,
            application_name="credithub-ingest",
        ),
        workers=await create_pool(
            dsn,
            min_size=1,
            max_size=settings.worker_pool_size,
            statement_timeout=settings.worker_statement_timeout,
            application_name="credithub-workers",
        ),
        health=await create_pool(
            dsn, min_size=1, max_size=1, statement_timeout=1.0, application_name="credithub-health"
        ),
        replica=replica,
    )


def create_platform_client(settings: Settings) -> httpx.AsyncClient:
    """The HTTP client for platforms' APIs: a platform must answer at the URL it registered
    (redirects are failures, as Standard Webhooks advises), within the configured timeout."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.platform_timeout),
        follow_redirects=False,
        limits=httpx.Limits(max_connections=50, max_keepalive_connections=20),
        headers={"user-agent": "platform-credit-hub"},
    )


@asynccontextmanager
async def _dsn_or_database(settings: Settings, dsn: str | None) -> AsyncIterator[str]:
    if dsn is not None:
        yield dsn
        return
    async with database(settings) as resolved:
        yield resolved
