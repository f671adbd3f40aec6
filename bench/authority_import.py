"""Importing authorities' decisions: a 100,000-row dual-publicity export, against PostgreSQL's own
ingest of the same rows.

    python -m bench.authority_import [--rows 100000] [--batch-size 5000]

In one run, on a fresh database of the bench server (DATABASE_URL's, or the embedded one in
bench/.data):

- baseline: binary COPY of the rows, as parsed, into a table of the same columns (no checks, no
  history, no audit): what the database alone takes;
- `import authority`'s service on the CSV file: every row parsed and validated, subjects found
  or registered, records, their first status change and audit row written, batch by batch;
- the same file again: every row unchanged (idempotent), which is what a nightly re-import of a
  full export costs.

Ratios are what matter; absolute numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import random
import time
from pathlib import Path

import asyncpg

from bench.dataset import BENCH_DIR, BENCH_SECRET_KEY, bench_server, database_dsn, log
from credithub import bootstrap
from credithub.demo.world import CITIES, TRADES, _credit_code
from credithub.services import authority
from credithub.settings import Settings

DATABASE = "credithub_bench_import"
HEADER = (
    "CF_XDR_MC",
    "CF_XDR_SHXYM",
    "CF_WSH",
    "CF_WFXW",
    "CF_YJ",
    "CF_CFLB",
    "CF_NR",
    "CF_JDRQ",
    "CF_GSJZQ",
    "CF_CFJG",
)
CLASSES = ("罚款", "警告", "没收违法所得", "罚款;没收违法所得", "责令停产停业", "吊销营业执照")
BRAND = "云帆星辰锦绣优品佳禾鼎盛华美悦享极光蓝鲸知行易达恒信万象青柠百川瑞丰嘉和启航博远"


def write_export(path: Path, rows: int, seed: int = 7) -> None:
    """A penalty export: ~1 decision per 3 subjects, spread over 3 years and 12 authorities."""
    rng = random.Random(seed)
    codes: set[str] = set()
    companies = [
        (
            f"{rng.choice(CITIES)}{rng.choice(BRAND)}{rng.choice(BRAND)}{rng.choice(TRADES)}有限公司",
            _credit_code(rng, "1", codes),
        )
        for _ in range(max(1, rows // 3))
    ]
    today = dt.date.today()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(rows):
            name, code = rng.choice(companies)
            city = rng.choice(CITIES)
            decided = today - dt.timedelta(days=rng.randrange(1, 1000))
            writer.writerow(
                (
                    name,
                    code,
                    f"{city}市监罚〔{decided.year}〕{n}号",
                    "虚假宣传",
                    "《中华人民共和国广告法》第二十八条",
                    rng.choice(CLASSES),
                    f"罚款{rng.randrange(1, 50)}万元",
                    decided.isoformat(),
                    (decided + dt.timedelta(days=1095)).isoformat(),
                    f"{city}市市场监督管理局",
                )
            )


async def fresh_database(server: str) -> str:
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")  # a constant name
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    return database_dsn(server, DATABASE)


async def copy_baseline(dsn: str, path: Path) -> float:
    """The floor: the rows parsed by csv and copied as they are into a bare table."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "CREATE TEMP TABLE raw_penalties (name text, code text, number text, violation text, basis text, "
            "classes text, content text, decided date, until date, authority text)"
        )
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            records = [
                (*row[:7], dt.date.fromisoformat(row[7]), dt.date.fromisoformat(row[8]), row[9]) for row in reader
            ]
        await conn.copy_records_to_table("raw_penalties", records=records)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> None:
    path = BENCH_DIR / ".data" / f"authority-{args.rows}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        log(f"writing {path} …")
        write_export(path, args.rows)
    async with bench_server() as server:
        dsn = await fresh_database(server)
        baseline = await copy_baseline(dsn, path)
        settings = Settings(
            database_url=dsn, data_dir=BENCH_DIR / ".data" / "import", secret_key=BENCH_SECRET_KEY, workers=False
        )
        severities = authority.load_severity_map(None)
        async with bootstrap.open_deps(settings) as deps:
            first = await authority.import_file(deps, path, severity_map=severities, batch_size=args.batch_size)
            again = await authority.import_file(deps, path, severity_map=severities, batch_size=args.batch_size)
    created = first.as_json()
    print(f"import authority, {args.rows:,} rows, batches of {args.batch_size:,}:")
    print(f"  COPY of the parsed rows into a bare table  {baseline:6.1f} s   1.00x")
    print(
        f"  first import ({created['created']:,} created, {created['refused']:,} refused)"
        f"      {first.seconds:6.1f} s   {first.seconds / baseline:5.2f}x   {args.rows / first.seconds:,.0f} rows/s"
    )
    print(
        f"  the same file again ({again.as_json()['unchanged']:,} unchanged)"
        f"   {again.seconds:6.1f} s   {again.seconds / baseline:5.2f}x   {args.rows / again.seconds:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=authority.BATCH_SIZE)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
