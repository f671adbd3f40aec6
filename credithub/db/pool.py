"""Connection pool, codecs, and the per-request query counter."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Final

import asyncpg
import asyncpg.pool
import orjson

# What db functions accept: a plain or pooled connection (both run queries), or the pool itself
# for single statements outside a transaction.
Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy
Executor = Connection | asyncpg.Pool

# Counts the SQL statements run on behalf of the current request (one GraphQL operation,
# one webhook). Logged per request, and read by the tests that guard against N+1 queries.
query_count: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("query_count", default=None)


def _count_query(_record: Any) -> None:
    counter = query_count.get()
    if counter is not None:
        counter[0] += 1


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(
            type_name, schema="pg_catalog", encoder=lambda value: orjson.dumps(value).decode(), decoder=orjson.loads
        )
    conn.add_query_logger(_count_query)


# Our statements look rows up by key or by arrays of keys (`= ANY($1)`), where a generic plan is
# as good as a custom one; re-planning the fact query on every call cost 1.5 ms of its 2 ms
# (bench/RESULTS.md). Prepared statements are cached per connection by asyncpg.
# The database is away (restarting, unreachable, shutting down, crashed): nothing the request or
# the item at hand did. Callers answer 503 or retry later; anything else is the caller's own.
OUTAGE: Final = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.OperatorInterventionError,
)

SERVER_SETTINGS: Final = {"application_name": "credithub", "timezone": "UTC", "plan_cache_mode": "force_generic_plan"}


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Release a connection without asyncpg's reset statement (UNLISTEN *, RESET ALL, …).

    asyncpg still rolls back an open transaction on release. Pooled connections never LISTEN,
    SET session variables or take session advisory locks here (migrations use a connection
    of their own), so the reset would cost a round trip per checkout and change nothing."""


async def create_pool(
    dsn: str,
    *,
    min_size: int = 2,
    max_size: int = 10,
    command_timeout: float = 30.0,
    statement_timeout: float | None = None,
    application_name: str = "credithub",
    read_only: bool = False,
) -> asyncpg.Pool:
    """A pool; with `statement_timeout` (seconds) the server cancels any statement that runs
    longer, and asyncpg gives up waiting a second after that. `read_only`: every transaction is
    (a replica's are anyway; on any other server a write is refused rather than made)."""
    settings = {**SERVER_SETTINGS, "application_name": application_name}
    if read_only:
        settings["default_transaction_read_only"] = "on"
    if statement_timeout is not None:
        settings["statement_timeout"] = str(round(statement_timeout * 1000))
        settings["idle_in_transaction_session_timeout"] = str(round((statement_timeout + 60) * 1000))
        command_timeout = statement_timeout + 1
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        command_timeout=command_timeout,
        init=_init_connection,
        reset=_keep_session,
        server_settings=settings,
    )
    assert pool is not None
    return pool


@dataclass(frozen=True, slots=True)
class Pools:
    """One pool per kind of work, each with its own connections and statement timeout, so that
    a flood of one kind (expensive reads) cannot take the connections another needs (webhook
    ingest, health checks, the background workers)."""

    api: asyncpg.Pool  # GraphQL over HTTP and WebSocket
    ingest: asyncpg.Pool  # webhooks: accept into the inbox
    workers: asyncpg.Pool  # background work and CLI commands: long statements allowed
    health: asyncpg.Pool  # /healthz and /readyz: one connection, a one-second timeout
    replica: asyncpg.Pool | None = None  # GraphQL reads that tolerate lag, on DATABASE_REPLICA_URL

    async def close(self) -> None:
        for pool in (self.api, self.ingest, self.workers, self.health, self.replica):
            if pool is not None:
                await pool.close()


@asynccontextmanager
async def transaction(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """One connection, one transaction: committed when the block ends, rolled back on error."""
    async with pool.acquire() as conn, conn.transaction():
        yield conn


@contextmanager
def counting_queries() -> Iterator[list[int]]:
    """Count the statements run inside the block (on any pooled connection of this task)."""
    counter = [0]
    token = query_count.set(counter)
    try:
        yield counter
    finally:
        query_count.reset(token)


LISTENER_SETTINGS: Final = {"application_name": "credithub-listener", "timezone": "UTC"}


async def connect_listener(dsn: str, name: str = "credithub-listener") -> asyncpg.Connection:
    """A connection of its own (not pooled) for LISTEN: it stays subscribed for its lifetime."""
    return await asyncpg.connect(dsn, server_settings={**LISTENER_SETTINGS, "application_name": name}, timeout=10)
