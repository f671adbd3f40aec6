"""Sustained webhook ingest: events accepted per second, events applied per second, zero loss.

    python -m bench.webhooks [--events 4000] [--subjects 800] [--concurrency 16] [--repeat 0.1]
                             [--backlog-limit N]

A fresh database; the service (`python -m credithub serve`, its own process, inbox processor
and status refresher on) receives `violation.reported` events for `--subjects` merchants,
signed with the standardwebhooks library at the moment they are sent, over `--concurrency`
keep-alive connections; `--repeat` of them are delivered twice (same webhook-id). Reports
the rate at which the hub answered 202, the rate at which it applied them (until the last one
was DONE), and checks that every event became exactly one record. The senders behave as
platforms should: a 429 (the hub's inbox holds CREDITHUB_INBOX_BACKLOG_LIMIT events, set by
`--backlog-limit`) or a 503 is sent again, re-signed, after its Retry-After; the most events seen
waiting in the inbox at once (sampled every 0.1 s) and the deliveries deferred are reported.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson
from standardwebhooks import Webhook

from bench.credit_status import free_port, wait_healthy
from bench.dataset import BENCH_SECRET_KEY, bench_server, database_dsn, log
from bench.http import KeepAlive
from credithub.db.migrate import apply_migrations
from credithub.domain import clients
from credithub.domain.identifiers import compute_credit_code_check, compute_organization_check

REPO = Path(__file__).resolve().parents[1]
DATABASE = "credithub_bench_ingest"


def credit_code(rng: random.Random) -> str:
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    first17 = "91330106" + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


def events(count: int, subjects: int, seed: int = 11) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    merchants = [(credit_code(rng), f"SM{4100000000 + i}") for i in range(subjects)]
    occurred = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
    out = []
    for i in range(count):
        code, account = rng.choice(merchants)
        body = {
            "type": "violation.reported",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "data": {
                "violation_id": f"BENCH-{i:07d}",
                "subject": {
                    "kind": "MERCHANT",
                    "account_id": account,
                    "name": f"基准商户{account}",
                    "credit_code": code,
                },
                "category": rng.choice(["COUNTERFEIT_GOODS", "FALSE_ADVERTISING", "CONSUMER_RIGHTS"]),
                "severity": rng.choice(["MINOR", "GENERAL", "GENERAL", "SERIOUS"]),
                "occurred_at": occurred,
                "description": "基准测试违规",
                "legal_basis": "《中华人民共和国电子商务法》",
            },
        }
        out.append((f"evt_{i:07d}", orjson.dumps(body)))
    return out


async def fresh_database(server_dsn: str) -> tuple[str, str]:
    """Create the database, migrate it, register the platform; returns (DSN, webhook secret)."""
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
        secret = clients.generate_webhook_secret()
        await conn.execute("INSERT INTO platforms (code, name) VALUES ('bench', 'Bench')")
        await conn.execute(
            "INSERT INTO platform_secrets (platform, purpose, secret) VALUES ('bench', 'webhook', $1)", secret
        )
    finally:
        await conn.close()
    return dsn, secret


@dataclass
class Sent:
    deferred: int = 0  # answers 429/503: sent again after Retry-After
    peak_backlog: int = 0  # the most events seen waiting in the inbox at once


async def send(port: int, secret: str, batch: list[tuple[str, bytes]], concurrency: int, sent: Sent) -> None:
    webhook = Webhook(secret)
    queue = list(reversed(batch))

    async def deliver(connection: KeepAlive, event_id: str, body: bytes) -> bool:
        """True once accepted; False when told to come back (after waiting Retry-After)."""
        now = dt.datetime.now(dt.UTC)
        headers = {
            "webhook-id": event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": webhook.sign(event_id, now, body.decode()),
        }
        status, answer_headers, answer = await connection.post_answer("/webhooks/bench", body, headers)
        if 200 <= status < 300:
            return True
        if status not in (429, 503):
            raise RuntimeError(f"unexpected response: {status} {answer[:200]!r}")
        sent.deferred += 1
        await asyncio.sleep(float(answer_headers.get("retry-after", "1")) * random.uniform(1.0, 1.2))
        return False

    async def worker() -> None:
        while queue:
            # A new connection after each wait: the server closes one idle for longer than its keep-alive.
            async with KeepAlive("127.0.0.1", port, {}) as connection:
                while queue:
                    event_id, body = queue.pop()
                    if not await deliver(connection, event_id, body):
                        queue.append((event_id, body))  # sent again next, on a fresh connection
                        break

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def watch_backlog(dsn: str, sent: Sent, stop: asyncio.Event) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        while not stop.is_set():
            waiting = await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status IN ('PENDING', 'PROCESSING')")
            sent.peak_backlog = max(sent.peak_backlog, waiting)
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> None:
    async with bench_server() as server:
        dsn, secret = await fresh_database(server)
        batch = events(args.events, args.subjects)
        repeats = random.Random(5).sample(batch, int(len(batch) * args.repeat))
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "CREDITHUB_SECRET_KEY": BENCH_SECRET_KEY,
            "CREDITHUB_LOG_LEVEL": "WARNING",
            "CREDITHUB_DATA_DIR": str(REPO / "bench" / ".data" / "service"),
            "CREDITHUB_INBOX_BACKLOG_LIMIT": str(args.backlog_limit),
        }
        service = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
            [sys.executable, "-m", "credithub", "serve", "--port", str(port)], cwd=REPO, env=env
        )
        conn = await asyncpg.connect(dsn)
        try:
            await wait_healthy(f"http://127.0.0.1:{port}")
            sent, stop = Sent(), asyncio.Event()
            watcher = asyncio.create_task(watch_backlog(dsn, sent, stop))
            started = time.perf_counter()
            await send(port, secret, batch + repeats, args.concurrency, sent)
            accepted_in = time.perf_counter() - started
            while (done := await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DONE'")) < len(batch):
                if await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DEAD'"):
                    break
                await asyncio.sleep(0.1)
            applied_in = time.perf_counter() - started
            stop.set()
            await watcher
            records = await conn.fetchval("SELECT count(*) FROM credit_records")
            dead = await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DEAD'")
        finally:
            service.terminate()
            service.wait(timeout=30)
            await conn.close()
    deliveries = len(batch) + len(repeats)
    print(
        f"{len(batch):,} events ({len(repeats):,} delivered twice) for {args.subjects:,} merchants, "
        f"{args.concurrency} connections:"
    )
    print(f"  accepted (202, stored)   {deliveries / accepted_in:8.0f} deliveries/s   ({accepted_in:.1f} s)")
    print(
        f"  applied (records kept)   {len(batch) / applied_in:8.0f} events/s       ({applied_in:.1f} s from the first send)"
    )
    print(
        f"  deferred (429/503, sent again after Retry-After) {sent.deferred:,}; most events waiting {sent.peak_backlog:,}"
    )
    print(
        f"  loss: {len(batch) - done} events not applied, {dead} parked, {records:,} records for {len(batch):,} events"
    )
    if done != len(batch) or records != len(batch) or dead:
        raise SystemExit("events were lost or applied twice")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--subjects", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=float, default=0.1)
    parser.add_argument(
        "--backlog-limit", type=int, default=20_000, help="CREDITHUB_INBOX_BACKLOG_LIMIT of the service (0: none)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    log("webhook ingest benchmark")
    main()
