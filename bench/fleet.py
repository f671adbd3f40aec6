"""Status lookups on a fleet instance (replica reads, Redis-shared rate limits) against a plain
instance of the same database (primary only, limits in memory).

    python -m bench.fleet [--requests 1000] [--concurrency 8] [--seconds 10] [--rounds 2]

Starts scripts/fleet.py's fleet with the demo world (primary, streaming replica, Redis, one
instance) and a second instance on the primary alone. For each: `--requests` sequential lookups
of one credit code (latency: the Redis round trip and the routing are on this path), then
`--concurrency` clients for `--seconds` (throughput), counting the transactions each server
committed meanwhile (pg_stat_database): where the reads went.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

from scripts.fleet import Instance, fleet_env, start_fleet

CODES = ["92440305MAGJATE14E"]
LOOKUP = "query($c: [String!]!) { creditStatuses(creditCodes: $c) { ... on CreditStatus { tier } } }"


async def _commits(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        value: int = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return value
    finally:
        await conn.close()


async def _latency(url: str, token: str, requests: int) -> list[float]:
    timings = []
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        body = {"query": LOOKUP, "variables": {"c": CODES}}
        for _ in range(50):  # warm: connections, prepared statements, caches
            await http.post(url + "/graphql", json=body)
        for _ in range(requests):
            started = time.perf_counter()
            answer = await http.post(url + "/graphql", json=body)
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text
    return timings


async def _throughput(url: str, token: str, concurrency: int, seconds: float) -> int:
    done = 0
    deadline = time.monotonic() + seconds
    body = {"query": LOOKUP, "variables": {"c": CODES}}

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() < deadline:
            answer = await http.post(url + "/graphql", json=body)
            assert answer.status_code == 200, answer.text
            done += 1

    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    return done


async def _measure(name: str, url: str, token: str, dsns: dict[str, str], options: argparse.Namespace) -> None:
    timings = sorted(await _latency(url, token, options.requests))
    p50, p99 = statistics.median(timings), timings[int(len(timings) * 0.99)]
    before = {server: await _commits(dsn) for server, dsn in dsns.items()}
    done = await _throughput(url, token, options.concurrency, options.seconds)
    after = {server: await _commits(dsn) for server, dsn in dsns.items()}
    commits = ", ".join(f"{server} {after[server] - before[server]:,}" for server in dsns)
    print(
        f"{name:<28} p50 {p50 * 1000:5.2f} ms  p99 {p99 * 1000:5.2f} ms  "
        f"{done / options.seconds:7.0f} lookups/s  transactions: {commits}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="credithub-bench-fleet-") as folder:
        limits = {
            "CREDITHUB_RATE_LIMIT": "100000",  # limited (so the gate runs) but never refusing
            "CREDITHUB_RATE_BURST": "100000",
            "CREDITHUB_CLIENT_CONCURRENCY": "0",
            "CREDITHUB_LOG_LEVEL": "WARNING",
        }
        fleet = start_fleet(Path(folder), instances=1, demo=True, CREDITHUB_WORKERS="false", **limits)
        plain = Instance(
            fleet_env(fleet.primary, None, None, CREDITHUB_WORKERS="false", **limits), Path(folder) / "plain"
        )
        plain.env["CREDITHUB_SECRET_KEY"] = fleet.instances[0].env["CREDITHUB_SECRET_KEY"]
        try:
            plain.start()
            plain.wait_ready()
            token = json.loads((fleet.instances[0].data_dir / "demo-credentials.json").read_text())["clients"]["viewer"]
            dsns = {"primary": fleet.primary.dsn(), "replica": fleet.replica.dsn()}
            for _ in range(options.rounds):  # alternated: a busy machine slows both alike
                asyncio.run(_measure("plain (primary, memory)", plain.url, token, dsns, options))
                asyncio.run(_measure("fleet (replica, Redis)", fleet.instances[0].url, token, dsns, options))
        finally:
            plain.stop()
            fleet.stop()


if __name__ == "__main__":
    main()
