"""Credit status throughput: the hub over HTTP against the raw asyncpg fetch of the same facts.

    python -m bench.credit_status [--batches 12] [--singles 400] [--concurrency 8] [--workers 1] [--before DIR]

In one run, on the bench dataset (bench/dataset.py, loaded on first use):

- baseline: plain asyncpg running the hub's own two statements for a batch of 1,000 codes
  (resolve the codes and their versions; load the facts), no Python work on the rows;
- creditStatuses over HTTP for the same batches, cold (each batch asked for the first time,
  so every status is computed) and warm (asked again: served from the status cache);
- single-subject lookups per second, one at a time and `--concurrency` at a time, against
  the same fetch for one subject.

The service runs as its own process (`python -m credithub serve --workers N`, default 1 so that
results compare with earlier ones), as in production. Batches and sequential lookups go over one
keep-alive connection, hence to one process whatever N; the `--concurrency` connections are spread
over the N processes by the kernel. Ratios are what matter; absolute numbers depend on the machine.

`--before DIR` also serves the hub as checked out in DIR (e.g. `git archive main | tar -x -C DIR`)
on the same database, and asks it every batch from the status store right before or after this
checkout (alternating), so that a change to that path is measured against its parent in the same
seconds: one more row, named by the folder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
import httpx
import orjson

from bench.dataset import BENCH_SECRET_KEY, add_dataset_arguments, bench_server, ensure_dataset, source_tree
from bench.http import KeepAlive
from credithub.bootstrap import SystemClock
from credithub.db.pool import SERVER_SETTINGS
from credithub.db.queries import QUERIES

REPO = Path(__file__).resolve().parents[1]
BATCH = """query($codes: [String!]!) { creditStatuses(creditCodes: $codes) { __typename
  ... on CreditStatus { creditCode tier onSeriousDishonestList onRedList asOf
    flags { measure kind mandatory enforced scope legalBasis sourcePlatform via recordIds effectiveFrom
            effectiveUntil } }
  ... on UserError { code message } } }"""
SINGLE = """query($code: String!) { subjectByCreditCode(creditCode: $code) { id name
  creditStatus { tier flags { measure enforced via recordIds } } } }"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_service(dsn: str, port: int, workers: int = 1, tree: Path = REPO) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "CREDITHUB_SECRET_KEY": BENCH_SECRET_KEY,
        "CREDITHUB_LOG_LEVEL": "WARNING",
        "CREDITHUB_DATA_DIR": str(tree / "bench" / ".data" / "service"),
        # The query path alone: a background refresher would fill the statuses the "computed"
        # batches must not have, and compete for the two cores while we measure.
        "CREDITHUB_WORKERS": "false",
        "CREDITHUB_RATE_LIMIT": "0",  # the benchmark client is one client sending as fast as it can
        "CREDITHUB_CLIENT_CONCURRENCY": "0",  # ... with several requests in flight at once
    }
    command = [sys.executable, "-m", "credithub", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, cwd=tree, env=env)


async def wait_healthy(base: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise SystemExit("the service did not become healthy")


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    await action()
    return time.perf_counter() - started


RESOLVE = "SELECT id FROM subjects WHERE credit_code = ANY($1::text[])"


async def raw_fetch(conn: asyncpg.Connection, codes: list[str]) -> None:
    """The baseline: find the subjects and fetch their facts (the hub's own fact query), with
    nothing done to the rows."""
    rows = await conn.fetch(RESOLVE, codes)
    await conn.fetch(QUERIES["facts"]["load_for_subjects"], [row["id"] for row in rows])


async def admin_token(dsn: str) -> str:
    from credithub.domain import clients

    token = clients.generate_token()
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO clients (name, role, token_hash) VALUES ('bench', 'admin', $1)", clients.hash_token(token)
        )
    finally:
        await conn.close()
    return token


async def prepare_store(dsn: str, computed: list[list[str]], stored: list[list[str]]) -> None:
    """Stored statuses for the `stored` batches (as the refresher keeps them), none for the others."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from credithub.bootstrap import create_platform_client
    from credithub.cache import create_cache
    from credithub.db.pool import connect_listener, create_pool
    from credithub.report_keys import ReportSigner
    from credithub.services import statuses
    from credithub.services.engine_config import ConfigHolder
    from credithub.services.ports import Deps
    from credithub.services.status_feed import StatusFeed
    from credithub.services.tokens import TokenWatch
    from credithub.settings import Settings
    from platform_adapters import ADAPTERS

    pool = await create_pool(dsn, min_size=1, max_size=2)
    http = create_platform_client(Settings())
    try:
        deps = Deps(
            settings=Settings(),
            pool=pool,
            person_key=BENCH_SECRET_KEY.encode(),
            clock=SystemClock(),
            cache=create_cache(None),
            engine=ConfigHolder(),
            http=http,
            adapters=ADAPTERS,
            feed=StatusFeed(lambda: connect_listener(dsn)),
            tokens=TokenWatch(lambda: connect_listener(dsn, "credithub-revocations")),
            reports=ReportSigner(Ed25519PrivateKey.generate()),
        )
        for batch in stored:
            ids = [row["id"] for row in await pool.fetch("SELECT id FROM subjects WHERE credit_code = ANY($1)", batch)]
            await statuses.refresh_subjects(deps, ids)
        await pool.execute(
            "DELETE FROM subject_statuses WHERE subject_id IN (SELECT id FROM subjects WHERE credit_code = ANY($1))",
            [code for batch in computed for code in batch],
        )
    finally:
        await http.aclose()
        await pool.close()


async def run(dsn: str, args: argparse.Namespace) -> dict[str, float]:
    conn = await asyncpg.connect(dsn, server_settings=SERVER_SETTINGS)  # the session the hub's pool uses
    codes = [
        row["credit_code"] for row in await conn.fetch("SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL")
    ]
    random.Random(7).shuffle(codes)
    batches = [codes[i * 1000 : (i + 1) * 1000] for i in range(2 * args.batches)]
    computed, stored = batches[: args.batches], batches[args.batches :]
    singles = codes[2 * args.batches * 1000 : 2 * args.batches * 1000 + args.singles]
    await prepare_store(dsn, computed, [*stored, singles])
    for batch in batches:  # read every batch once so both sides find the same pages in memory
        await raw_fetch(conn, batch)
    ports = {"now": free_port(), **({"before": free_port()} if args.before else {})}
    services = [start_service(dsn, ports["now"], args.workers)]
    if args.before:
        services.append(start_service(dsn, ports["before"], args.workers, args.before))
    try:
        for port in ports.values():
            await wait_healthy(f"http://127.0.0.1:{port}")
        headers = {"Authorization": f"Bearer {await admin_token(dsn)}"}
        connections = [KeepAlive("127.0.0.1", ports["now"], headers) for _ in range(args.concurrency)]
        before = KeepAlive("127.0.0.1", ports["before"], headers) if args.before else None
        for connection in [*connections, *([before] if before else [])]:
            await connection.__aenter__()
        try:
            return await _measure(conn, connections, computed, stored, singles, codes[-1000:], before)
        finally:
            for connection in [*connections, *([before] if before else [])]:
                await connection.__aexit__()
    finally:
        for service in services:
            service.terminate()
            service.wait(timeout=30)
        await conn.close()


async def _measure(
    conn: asyncpg.Connection,
    connections: list[KeepAlive],
    computed: list[list[str]],
    stored: list[list[str]],
    singles: list[str],
    warmup: list[str],
    before: KeepAlive | None = None,
) -> dict[str, float]:
    async def post(document: str, connection: KeepAlive = connections[0], **variables: object) -> bytes:
        return await connection.post("/graphql", orjson.dumps({"query": document, "variables": variables}))

    for service in [connections[0], *([before] if before else [])]:
        answer = orjson.loads(await post(BATCH, service, codes=warmup))  # warm up, and check the answer's shape
        assert len(answer["data"]["creditStatuses"]) == 1000, answer
    raw: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    from_store: dict[str, list[float]] = {"now": [], "before": []}
    # Interleaved, so that a noisy moment on the shared machine hits every variant alike.
    for index, (computed_batch, stored_batch) in enumerate(zip(computed, stored, strict=True)):
        raw.append(await timed(lambda b=computed_batch: raw_fetch(conn, b)))
        cold.append(await timed(lambda b=computed_batch: post(BATCH, codes=b)))
        warm.append(await timed(lambda b=computed_batch: post(BATCH, codes=b)))  # now in the memory cache
        raw.append(await timed(lambda b=stored_batch: raw_fetch(conn, b)))
        stores = [("now", connections[0]), *([("before", before)] if before else [])]
        for name, service in stores[::-1] if index % 2 else stores:
            from_store[name].append(await timed(lambda b=stored_batch, s=service: post(BATCH, s, codes=b)))

    started = time.perf_counter()
    for code in singles:
        await raw_fetch(conn, [code])
    raw_single_rate = len(singles) / (time.perf_counter() - started)
    started = time.perf_counter()
    for code in singles:
        await post(SINGLE, code=code)
    http_single_rate = len(singles) / (time.perf_counter() - started)
    queue = list(singles)

    async def worker(connection: KeepAlive) -> None:
        while queue:
            await post(SINGLE, connection, code=queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    http_concurrent_rate = len(singles) / (time.perf_counter() - started)
    baseline = statistics.median(raw)
    stored_before = statistics.median(from_store["before"]) if before else 0.0
    return {
        "raw_batch_ms": baseline * 1000,
        "cold_batch_ms": statistics.median(cold) * 1000,
        "stored_batch_ms": statistics.median(from_store["now"]) * 1000,
        "stored_before_batch_ms": stored_before * 1000,
        "warm_batch_ms": statistics.median(warm) * 1000,
        "cold_ratio": statistics.median(cold) / baseline,
        "stored_ratio": statistics.median(from_store["now"]) / baseline,
        "stored_before_ratio": stored_before / baseline,
        "warm_ratio": statistics.median(warm) / baseline,
        "raw_single_per_s": raw_single_rate,
        "http_single_per_s": http_single_rate,
        "http_single_concurrent_per_s": http_concurrent_rate,
    }


def report(results: dict[str, float], args: argparse.Namespace) -> str:
    return "\n".join(
        [
            f"creditStatuses, batches of 1,000 codes (median of {args.batches}):",
            f"  raw asyncpg fetch of the same facts   {results['raw_batch_ms']:8.1f} ms   1.00x",
            f"  HTTP, computed at query time          {results['cold_batch_ms']:8.1f} ms   {results['cold_ratio']:.2f}x",
            f"  HTTP, from the status store           {results['stored_batch_ms']:8.1f} ms   {results['stored_ratio']:.2f}x",
            *(
                [
                    f"  HTTP, from the status store, {args.before.name[:8]:8} {results['stored_before_batch_ms']:8.1f} ms"
                    f"   {results['stored_before_ratio']:.2f}x"
                ]
                if args.before
                else []
            ),
            f"  HTTP, from the memory cache           {results['warm_batch_ms']:8.1f} ms   {results['warm_ratio']:.2f}x",
            f"single-subject lookups ({args.singles}, statuses in the store):",
            f"  raw asyncpg fetch, sequential         {results['raw_single_per_s']:8.0f} /s",
            f"  HTTP subjectByCreditCode, sequential  {results['http_single_per_s']:8.0f} /s   "
            f"{results['http_single_per_s'] / results['raw_single_per_s']:.2f}x of raw",
            f"  HTTP, {args.concurrency} concurrent                   {results['http_single_concurrent_per_s']:8.0f} /s"
            f"   (serve --workers {args.workers})",
        ]
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dataset_arguments(parser)
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--singles", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="serve's request-serving processes")
    parser.add_argument("--before", type=source_tree, help="also serve the hub from this source tree (the store row)")
    args = parser.parse_args()
    async with bench_server() as server:
        dsn = await ensure_dataset(server, args.subjects, args.records_per_subject)
        print(report(await run(dsn, args), args))


if __name__ == "__main__":
    asyncio.run(main())
