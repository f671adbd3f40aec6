"""The benchmark dataset: the demo world at scale (100,000 subjects, ~500,000 records by default),
loaded once into its own database and reused by later runs.

    python -m bench.dataset [--subjects 100000] [--records-per-subject 5.1]

Uses DATABASE_URL's server when set, else an embedded PostgreSQL in bench/.data. Prints the
DSN of the loaded database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg

from credithub.db import meta
from credithub.db.embedded import EmbeddedPostgres
from credithub.db.migrate import apply_migrations
from credithub.db.pool import transaction
from credithub.db.world import insert_world
from credithub.demo.world import DEMO_PLATFORMS, generate_world

BENCH_DIR = Path(__file__).resolve().parent
DATABASE = "credithub_bench"
# The person-hash key of the dataset; the service under test must run with the same one.
BENCH_SECRET_KEY = "bench-person-key-0123456789abcdefghijklmnopqrstuvwxyz"
META_KEY = "bench_dataset"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.asynccontextmanager
async def bench_server() -> AsyncIterator[str]:
    """A DSN of the server's maintenance database: DATABASE_URL's, or an embedded one."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    embedded = EmbeddedPostgres(BENCH_DIR / ".data")
    dsn = await asyncio.to_thread(embedded.start)
    try:
        yield dsn
    finally:
        await asyncio.to_thread(embedded.stop)


def database_dsn(server_dsn: str, name: str = DATABASE) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(server_dsn)._replace(path="/" + name))


async def ensure_dataset(server_dsn: str, subjects: int, records_per_subject: float) -> str:
    """Create, migrate and fill the bench database unless it already holds this dataset."""
    wanted = {"subjects": subjects, "records_per_subject": records_per_subject}
    admin = await asyncpg.connect(server_dsn)
    try:
        if not await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", DATABASE):
            await admin.execute(f"CREATE DATABASE {DATABASE}")  # a constant name
    finally:
        await admin.close()
    dsn = database_dsn(server_dsn)
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
        loaded = await conn.fetchval("SELECT value FROM hub_meta WHERE key = $1", META_KEY)
    finally:
        await conn.close()
    if loaded is not None:
        import json

        if json.loads(loaded) == wanted:
            log(f"dataset already loaded: {wanted}")
            return dsn
        raise SystemExit(f"{DATABASE} holds another dataset ({loaded}); drop it first")
    await _load(dsn, subjects, records_per_subject, wanted)
    return dsn


async def _load(dsn: str, subjects: int, records_per_subject: float, wanted: dict[str, float]) -> None:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1, init=_json_codec)
    try:
        started = time.perf_counter()
        log(f"generating {subjects:,} subjects, ~{records_per_subject} records each …")
        world = generate_world(
            subjects=subjects,
            records_per_subject=records_per_subject,
            now=dt.datetime.now(dt.UTC),
            person_key=BENCH_SECRET_KEY.encode(),
        )
        log(f"generated in {time.perf_counter() - started:.1f} s: {world.counts()}")
        started = time.perf_counter()
        async with transaction(pool) as conn:
            # A fresh, consistent dataset: skip per-row foreign-key checks and version triggers
            # (needs a superuser, which the embedded server's and CI's `postgres` role are).
            await conn.execute("SET LOCAL session_replication_role = replica")
            for platform in DEMO_PLATFORMS:
                await conn.execute(
                    "INSERT INTO platforms (code, name, family) VALUES ($1, $2, $3)",
                    platform.code,
                    platform.name,
                    platform.family,
                )
            await insert_world(conn, world)
            await meta.put(conn, META_KEY, wanted)
        log(f"written with COPY in {time.perf_counter() - started:.1f} s")
        async with pool.acquire() as conn:
            await conn.execute("VACUUM ANALYZE")
    finally:
        await pool.close()


async def _json_codec(conn: asyncpg.Connection) -> None:
    import json

    await conn.set_type_codec("jsonb", schema="pg_catalog", encoder=json.dumps, decoder=json.loads)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=100_000)
    parser.add_argument("--records-per-subject", type=float, default=5.1)
    args = parser.parse_args()
    async with bench_server() as server:
        print(await ensure_dataset(server, args.subjects, args.records_per_subject))


if __name__ == "__main__":
    asyncio.run(main())
