"""Platform sync throughput: pulling a marketplace's feeds and pushing status changes to it, each
against a baseline measured in the same run.

    python -m bench.sync [--shops 5000] [--penalties 5000] [--concurrency 8]

A fresh database; a marketplace simulator in its own process (bench/simulators.py) stocked with
`--shops` shops and `--penalties` penalties; the hub's services in this process.

Pull:
- baseline: the raw HTTP fetch of every page (page numbers, `modified_since_ms`), JSON decoded;
- hub pull: `sync.pull_platform`: fetch, map with the platform's codes, validate every event
  (credit codes), store each page with its cursor;
- applied: the inbox worker turning the pulled events into subjects, accounts and records.

Push (after the status refresher queued a message per merchant):
- baseline: the adapter pushing the same messages straight from memory, `--concurrency` at a
  time (signing, HTTP, the simulator's signature check), nothing stored;
- hub push: `outbox.dispatch_due` until the outbox is empty: claim with a lease, push, log the
  attempt and mark the message, in the database.

Every run checks zero loss: every item pulled once, every message kept once by the platform.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.credit_status import free_port
from bench.dataset import BENCH_SECRET_KEY, bench_server, database_dsn, log
from credithub import bootstrap
from credithub.db.migrate import apply_migrations
from credithub.domain.deliveries import Message
from credithub.services import clients, inbox, outbox, statuses, sync
from credithub.settings import Settings
from platform_adapters.marketplace.client import PATHS
from platform_adapters.simulation import STATS_PATH

REPO = Path(__file__).resolve().parents[1]
DATABASE = "credithub_bench_sync"
API_KEY = "bench-api-key"
PAGE_SIZE = 100


async def fresh_database(server_dsn: str) -> str:
    admin = await asyncpg.connect(server_dsn)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")  # a constant name
        await admin.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        await admin.close()
    dsn = database_dsn(server_dsn, DATABASE)
    conn = await asyncpg.connect(dsn)
    try:
        await apply_migrations(conn)
    finally:
        await conn.close()
    return dsn


async def wait_up(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                await client.get(base + STATS_PATH)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise SystemExit("the simulator did not start")


async def raw_fetch(base: str) -> int:
    """Every page of both streams over plain HTTP, decoded: what any pull must at least cost."""
    items = 0
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for path in PATHS.values():
            page_no = 1
            while True:
                response = await client.get(
                    path,
                    params={"page_no": page_no, "page_size": PAGE_SIZE, "modified_since_ms": 0},
                    headers={"x-api-key": API_KEY},
                )
                found = orjson.loads(response.content)["data"]["list"]
                items += len(found)
                if len(found) < PAGE_SIZE:
                    break
                page_no += 1
    return items


async def raw_push(deps: object, link: object, messages: list[Message], concurrency: int) -> None:
    adapter = deps.adapters["marketplace"]  # type: ignore[attr-defined]
    queue = list(messages)

    async def worker() -> None:
        while queue:
            message = queue.pop()
            await adapter.push_status(deps.http, link, message, deps.clock.now())  # type: ignore[attr-defined]

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def pushed(base: str) -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        stats: dict[str, int] = (await client.get(base + STATS_PATH)).json()
        return stats


async def run(args: argparse.Namespace) -> None:
    async with bench_server() as server:
        dsn = await fresh_database(server)
        settings = Settings(
            database_url=dsn,
            secret_key=BENCH_SECRET_KEY,
            data_dir=REPO / "bench" / ".data" / "service",
            sync_page_size=PAGE_SIZE,
            workers=False,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        async with bootstrap.open_deps(settings, dsn=dsn) as deps:
            registered = await clients.add_platform(
                deps, "bmall", "BMall", family="marketplace", api_url=base, api_key=API_KEY
            )
            simulator = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
                [
                    sys.executable,
                    "-m",
                    "bench.simulators",
                    "--port",
                    str(port),
                    "--shops",
                    str(args.shops),
                    "--penalties",
                    str(args.penalties),
                    "--api-key",
                    API_KEY,
                    "--outbound-secret",
                    registered.outbound_secret,
                ],
                cwd=REPO,
            )
            try:
                await wait_up(base)
                await measure(deps, base, args)
            finally:
                simulator.terminate()
                simulator.wait(timeout=30)


async def measure(deps: object, base: str, args: argparse.Namespace) -> None:
    items = args.shops + args.penalties
    started = time.perf_counter()
    assert await raw_fetch(base) == items
    raw_in = time.perf_counter() - started

    started = time.perf_counter()
    progress = await sync.pull_platform(deps, "bmall")  # type: ignore[arg-type]
    pull_in = time.perf_counter() - started
    taken = sum(p.new_events for p in progress)
    refused = sum(p.refused for p in progress)

    started = time.perf_counter()
    while await inbox.process_due(deps):  # type: ignore[arg-type]
        pass
    apply_in = time.perf_counter() - started
    pool = deps.pool  # type: ignore[attr-defined]
    done = await pool.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DONE'")

    while await statuses.refresh_due(deps):  # type: ignore[arg-type]
        pass
    rows = await pool.fetch("SELECT id, platform, subject_id, payload, created_at FROM outbox ORDER BY id")
    messages = [
        Message(r["id"] + 10_000_000, r["platform"], r["subject_id"], r["payload"], r["created_at"], 1) for r in rows
    ]
    from credithub.db import platforms as db_platforms

    link = await db_platforms.get_link(pool, "bmall")
    started = time.perf_counter()
    await raw_push(deps, link, messages, args.concurrency)
    raw_push_in = time.perf_counter() - started

    started = time.perf_counter()
    while await outbox.dispatch_due(deps):  # type: ignore[arg-type]
        pass
    push_in = time.perf_counter() - started
    delivered = await pool.fetchval("SELECT count(*) FROM outbox WHERE status = 'DELIVERED'")
    attempts = await pool.fetchval("SELECT count(*) FROM outbox_attempts")
    stats = await pushed(base)

    print(f"{args.shops:,} shops and {args.penalties:,} penalties, pages of {PAGE_SIZE}:")
    print(f"  raw fetch (baseline)      {items / raw_in:8.0f} items/s     ({raw_in:.1f} s)")
    print(
        f"  hub pull (stored)         {items / pull_in:8.0f} items/s     ({pull_in:.1f} s)   {pull_in / raw_in:.1f}× the raw fetch"
    )
    print(f"  applied by the inbox      {taken / apply_in:8.0f} events/s    ({apply_in:.1f} s)")
    print(f"{len(messages):,} status messages, {args.concurrency} at a time:")
    print(f"  adapter push (baseline)   {len(messages) / raw_push_in:8.0f} messages/s  ({raw_push_in:.1f} s)")
    print(
        f"  hub push (outbox)         {len(messages) / push_in:8.0f} messages/s  ({push_in:.1f} s)   {push_in / raw_push_in:.1f}× the baseline"
    )
    print(
        f"  loss: pulled {taken:,} events ({refused} refused) of {items:,} items, applied {done:,}; "
        f"delivered {delivered:,} of {len(messages):,} in {attempts:,} attempts; platform kept {stats['kept']:,} "
        f"of {stats['receipts']:,} receipts, refused {stats['refused']}"
    )
    if taken + refused != items or done != taken or delivered != len(messages) or stats["kept"] != 2 * len(messages):
        raise SystemExit("something was lost or taken twice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=5000)
    parser.add_argument("--penalties", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    log("platform sync benchmark")
    main()
