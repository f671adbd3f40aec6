"""The audit trail by month: what partitioning an existing trail, inserting into it, and archiving
a month cost.

    python -m bench.audit_partitions [--rows 1000000] [--inserts 5000]

On a fresh database of the bench server (DATABASE_URL's, or the embedded one in bench/.data):

- the migrations before the partitioning one, then `--rows` audit reads over two old months,
  loaded by COPY;
- `insert_reads` (one read, as a single lookup writes it) `--inserts` times into the plain table,
  in one transaction (tuple routing is what partitioning adds; a commit's disk wait would hide it);
- the partitioning migration on that trail (every row moved into its month);
- the same inserts into the partitioned table;
- `audit archive` of both months (COPY to gzip CSV, read back and checked, DETACH and DROP).

Ratios are what matter; absolute numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import asyncpg

from bench.dataset import BENCH_DIR, BENCH_SECRET_KEY, bench_server, database_dsn, log
from credithub import bootstrap
from credithub.db.migrate import MIGRATIONS_DIR, apply_migrations
from credithub.db.queries import QUERIES
from credithub.services import audit_archive
from credithub.settings import Settings

DATABASE = "credithub_bench_audit"
PARTITIONING = "0028_partition_audit_by_month.sql"
MONTHS = (dt.datetime(2021, 1, 1, tzinfo=dt.UTC), dt.datetime(2021, 2, 1, tzinfo=dt.UTC))
COLUMNS = ("at", "client_id", "client", "role", "platform", "operation", "subject_id", "purpose")


async def fresh_database(server: str) -> str:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")  # a constant name
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    return database_dsn(server, DATABASE)


def _rows(count: int) -> list[tuple[object, ...]]:
    return [
        (
            MONTHS[n % 2] + dt.timedelta(seconds=n % 2_400_000),
            7,
            "Risk desk",
            "platform",
            "shopmall",
            "creditStatus",
            n,
            None,
        )
        for n in range(count)
    ]


async def _inserts(conn: asyncpg.Connection, count: int) -> float:
    """Seconds per insert_reads of one read, as a single lookup writes it, all in one transaction:
    what partitioning adds is tuple routing, which a commit's wait for the disk would hide."""
    statement = await conn.prepare(QUERIES["audit"]["insert_reads"])
    started = time.perf_counter()
    async with conn.transaction():
        for n in range(count):
            now = dt.datetime.now(dt.UTC)
            await statement.fetch(now, 7, "Risk desk", "platform", "shopmall", ["creditStatus"], [n], [None])
    return (time.perf_counter() - started) / count


async def run(args: argparse.Namespace) -> None:
    async with bench_server() as server:
        dsn = await fresh_database(server)
        folder = Path(tempfile.mkdtemp(prefix="credithub-bench-migrations-"))
        for path in MIGRATIONS_DIR.glob("*.sql"):
            if path.name < PARTITIONING:
                shutil.copy(path, folder)
        conn = await asyncpg.connect(dsn)
        try:
            await apply_migrations(conn, folder)
            log(f"loading {args.rows:,} audit reads …")
            await conn.copy_records_to_table("audit_reads", records=_rows(args.rows), columns=COLUMNS)
            plain = await _inserts(conn, args.inserts)
            shutil.copy(MIGRATIONS_DIR / PARTITIONING, folder)
            started = time.perf_counter()
            await apply_migrations(conn, folder)
            migration = time.perf_counter() - started
            partitioned = await _inserts(conn, args.inserts)
        finally:
            await conn.close()
            shutil.rmtree(folder)
        settings = Settings(database_url=dsn, data_dir=BENCH_DIR / ".data" / "audit", secret_key=BENCH_SECRET_KEY)
        target = Path(tempfile.mkdtemp(prefix="credithub-bench-archive-"))
        async with bootstrap.open_deps(settings.with_changes(workers=False)) as deps:
            started = time.perf_counter()
            archived = await audit_archive.archive_before(deps, dt.date(2021, 3, 1), target, actor="operator:bench")
            archive = time.perf_counter() - started
        size = sum(month.file.stat().st_size for month in archived)
        shutil.rmtree(target)
    print(f"audit trail of {args.rows:,} reads over two months:")
    print(f"  insert_reads (one read), plain table        {plain * 1e3:7.3f} ms")
    print(f"  partitioning migration                      {migration:7.1f} s   {args.rows / migration:,.0f} rows/s")
    print(f"  insert_reads (one read), partitioned table  {partitioned * 1e3:7.3f} ms   {partitioned / plain:4.2f}x")
    print(
        f"  audit archive of both months                {archive:7.1f} s   {args.rows / archive:,.0f} rows/s, "
        f"{size / args.rows:.1f} bytes/row gzipped"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--inserts", type=int, default=5_000)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
