"""Sustained webhook ingest: events accepted per second, events applied per second, zero loss;
at a steady rate, how soon an accepted event is visible.

    python -m bench.webhooks [--events 4000] [--subjects 800] [--concurrency 16] [--repeat 0.1]
                             [--backlog-limit N]
    python -m bench.webhooks --rate 500 --duration 30 [--subjects 800] [--concurrency 16]
    python -m bench.webhooks --preload [--events 4000]  # the inbox alone: events stored, not sent
    python -m bench.webhooks ... --hub /tmp/before    # the hub of another checkout, e.g. main's

A fresh database; the service (`python -m credithub serve`, its own process, inbox processor
and status refresher on) receives `violation.reported` events for `--subjects` merchants,
signed with the standardwebhooks library at the moment they are sent, over `--concurrency`
keep-alive connections; `--repeat` of them are delivered twice (same webhook-id). Reports
the rate at which the hub answered 202, the rate at which it applied them (until the last one
was DONE), the events still waiting when the last one was accepted and how fast they were then
applied, the CPU per event of the hub's request processes, of its background process and of the
database backends serving it (from /proc), and checks that every event became exactly one record.
The senders behave as platforms should: a 429 (the hub's inbox holds
CREDITHUB_INBOX_BACKLOG_LIMIT events, set by `--backlog-limit`) or a 503 is sent again, re-signed,
after its Retry-After; the most events seen waiting in the inbox at once (sampled every 0.1 s) and
the deliveries deferred are reported.

With `--rate R --duration S` the senders do not go as fast as they can: event n is sent at
n/R seconds (R·S events in all), and freshness is reported: from the 202 of an event's first
delivery to the moment its record is seen committed (a watcher reads new records every
FRESHNESS_POLL_SECONDS on a connection of its own). A committed record is what a platform would
notice: any GraphQL read of the subject (its records, its creditStatus) shows it from then on,
since its facts version moved in the same transaction. Percentiles carry the poll's resolution.

With `--preload` nothing is sent: the events are validated and stored in the inbox in one
transaction (as accepting would store them) while the service runs, and the rate at which its
background process applies them, status refresher alongside, is what the inbox alone can do.

`--hub DIR` serves (and migrates) the hub of another checkout, measured by this same client:
`git archive main | tar -x -C DIR` gives a baseline.
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
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import orjson
from standardwebhooks import Webhook

from bench.credit_status import free_port, wait_healthy
from bench.dataset import BENCH_SECRET_KEY, bench_server, database_dsn, log
from bench.http import KeepAlive
from credithub.db.migrate import apply_migrations
from credithub.domain import clients, event_codec
from credithub.domain.events import parse_event
from credithub.domain.identifiers import compute_credit_code_check, compute_organization_check

REPO = Path(__file__).resolve().parents[1]
DATABASE = "credithub_bench_ingest"
FRESHNESS_POLL_SECONDS = 0.02
FRESHNESS_WINDOW = 1000  # records re-read each poll, for transactions committing out of id order


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


async def fresh_database(server_dsn: str, hub: Path) -> tuple[str, str]:
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
        await apply_migrations(conn, hub / "migrations")
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
    accepted_at: dict[str, float] = field(default_factory=dict)  # webhook-id: first 202 (perf_counter)
    late: float = 0.0  # how far behind its schedule the last paced event was sent


def violation_id(event_id: str) -> str:
    return "BENCH-" + event_id.removeprefix("evt_")


async def send(
    port: int, secret: str, batch: list[tuple[str, bytes]], concurrency: int, sent: Sent, rate: float | None = None
) -> None:
    """Deliver every event over `concurrency` connections: as fast as they go, or event n at
    n/`rate` seconds from the start."""
    webhook = Webhook(secret)
    queue = list(reversed(list(enumerate(batch))))
    started = time.perf_counter()

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
            sent.accepted_at.setdefault(event_id, time.perf_counter())
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
                    n, (event_id, body) = queue.pop()
                    if rate is not None:
                        due = started + n / rate
                        await asyncio.sleep(max(0.0, due - time.perf_counter()))
                        sent.late = time.perf_counter() - due
                    if not await deliver(connection, event_id, body):
                        queue.append((n, (event_id, body)))  # sent again next, on a fresh connection
                        break

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def preload(conn: asyncpg.Connection, batch: list[tuple[str, bytes]]) -> None:
    """Store the events in the inbox as accepting them would (parsed, in their stored form)."""
    now = dt.datetime.now(dt.UTC)
    stored = []
    for event_id, body in batch:
        event = parse_event(orjson.loads(body), person_key=BENCH_SECRET_KEY.encode(), now=now)
        stored.append((event_id, event.type.value, orjson.dumps(event_codec.encode_event(event)).decode()))
    await conn.execute(
        "INSERT INTO inbox_events (platform, event_id, event_type, event, received_at, next_attempt_at)"
        " SELECT 'bench', i, t, e::jsonb, now(), now() FROM unnest($1::text[], $2::text[], $3::text[]) AS u (i, t, e)",
        *(list(column) for column in zip(*stored, strict=True)),
    )


async def watch_visible(dsn: str, seen: dict[str, float], stop: asyncio.Event) -> None:
    """Note when each record is first seen committed (violation id: perf_counter)."""
    conn = await asyncpg.connect(dsn)
    try:
        newest = 0
        while not stop.is_set():
            found = await conn.fetch(
                "SELECT id, source_ref FROM credit_records WHERE id > $1", newest - FRESHNESS_WINDOW
            )
            now = time.perf_counter()
            for row in found:
                seen.setdefault(row["source_ref"], now)
                newest = max(newest, row["id"])
            await asyncio.sleep(FRESHNESS_POLL_SECONDS)
    finally:
        await conn.close()


@dataclass
class Cpu:
    """CPU seconds (user + system) so far of the hub's processes by role, and of the database
    backends serving the benchmark's database."""

    accept: float  # the request processes (role api): webhooks answered
    apply: float  # the background process (role workers): the inbox, the refresher
    database: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.accept - other.accept, self.apply - other.apply, self.database - other.database)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def read_cpu(conn: asyncpg.Connection, service: int) -> Cpu:
    """Backends that end before the second reading take their CPU with them: the hub's pools keep
    theirs open, so little is lost."""
    backends = await conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    return hub_cpu(service, [row["pid"] for row in backends])


def hub_cpu(service: int, backends: list[int]) -> Cpu:
    children = Path(f"/proc/{service}/task/{service}/children").read_text().split()
    roles = {int(pid): Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in children}
    return Cpu(
        sum(cpu_seconds(pid) for pid, args in roles.items() if b"api" in args),
        sum(cpu_seconds(pid) for pid, args in roles.items() if b"workers" in args),
        sum(cpu_seconds(pid) for pid in backends if Path(f"/proc/{pid}").exists()),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


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
    paced = args.rate is not None
    count = round(args.rate * args.duration) if paced else args.events
    async with bench_server() as server:
        dsn, secret = await fresh_database(server, args.hub)
        batch = events(count, args.subjects)
        once = paced or args.preload
        repeats = [] if once else random.Random(5).sample(batch, int(len(batch) * args.repeat))
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": dsn,
            "CREDITHUB_SECRET_KEY": BENCH_SECRET_KEY,
            "CREDITHUB_LOG_LEVEL": "WARNING",
            "CREDITHUB_DATA_DIR": str(args.hub / "bench" / ".data" / "service"),
            "CREDITHUB_INBOX_BACKLOG_LIMIT": str(args.backlog_limit),
        }
        service = subprocess.Popen(  # noqa: ASYNC220 (started once, before anything is measured)
            [sys.executable, "-m", "credithub", "serve", "--port", str(port)], cwd=args.hub, env=env
        )
        conn = await asyncpg.connect(dsn)
        try:
            await wait_healthy(f"http://127.0.0.1:{port}")
            sent, stop, seen = Sent(), asyncio.Event(), dict[str, float]()
            watchers = [asyncio.create_task(watch_backlog(dsn, sent, stop))]
            if paced:
                watchers.append(asyncio.create_task(watch_visible(dsn, seen, stop)))
            cpu_before = await read_cpu(conn, service.pid)
            started = time.perf_counter()
            if args.preload:
                await preload(conn, batch)
            else:
                await send(port, secret, batch + repeats, args.concurrency, sent, args.rate)
            accepted_in = time.perf_counter() - started
            left = await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status <> 'DONE'")
            while (done := await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DONE'")) < len(batch):
                if await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DEAD'"):
                    break
                await asyncio.sleep(0.02 if paced else 0.1)
            applied_in = time.perf_counter() - started
            cpu = await read_cpu(conn, service.pid) - cpu_before
            await asyncio.sleep(2 * FRESHNESS_POLL_SECONDS)  # the watcher's last look
            stop.set()
            await asyncio.gather(*watchers)
            records = await conn.fetchval("SELECT count(*) FROM credit_records")
            dead = await conn.fetchval("SELECT count(*) FROM inbox_events WHERE status = 'DEAD'")
        finally:
            service.terminate()
            service.wait(timeout=30)
            await conn.close()
    deliveries = len(batch) + len(repeats)
    if paced:
        print(
            f"{len(batch):,} events for {args.subjects:,} merchants at {args.rate:g}/s, {args.concurrency} connections:"
        )
    else:
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
    if left:
        drained = applied_in - accepted_in
        print(
            f"  left waiting when the last was accepted {left:,}, applied in {drained:.1f} s ({left / drained:.0f} events/s)"
        )
    print(
        f"  CPU per event: accepting {cpu.accept / deliveries * 1000:.2f} ms (request processes), applying "
        f"{cpu.apply / len(batch) * 1000:.2f} ms (background process: inbox and status refresher), "
        f"PostgreSQL {cpu.database / len(batch) * 1000:.2f} ms"
    )
    if paced:
        print_freshness(batch, sent, seen)
    print(
        f"  loss: {len(batch) - done} events not applied, {dead} parked, {records:,} records for {len(batch):,} events"
    )
    if done != len(batch) or records != len(batch) or dead:
        raise SystemExit("events were lost or applied twice")


def print_freshness(batch: list[tuple[str, bytes]], sent: Sent, seen: dict[str, float]) -> None:
    """From each event's first 202 to its record seen committed (0 if seen before the 202 arrived)."""
    waits = [
        max(0.0, seen[violation_id(event_id)] - sent.accepted_at[event_id])
        for event_id, _ in batch
        if violation_id(event_id) in seen
    ]
    print(f"  last send {sent.late * 1000:.0f} ms behind its schedule")
    if not waits:
        print("  freshness: no record seen")
        return
    print(
        f"  freshness (202 to record committed, {len(waits):,} events): p50 {percentile(waits, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(waits, 0.95) * 1000:.0f} ms, p99 {percentile(waits, 0.99) * 1000:.0f} ms, "
        f"max {max(waits) * 1000:.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--subjects", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=float, default=0.1)
    parser.add_argument("--rate", type=float, help="send this many events a second (no repeats) and report freshness")
    parser.add_argument("--duration", type=float, default=30, help="seconds of sending at --rate")
    parser.add_argument("--preload", action="store_true", help="store the events in the inbox instead of sending them")
    parser.add_argument("--hub", type=Path, default=REPO, help="the checkout whose hub is served (default: this one)")
    parser.add_argument(
        "--backlog-limit", type=int, default=20_000, help="CREDITHUB_INBOX_BACKLOG_LIMIT of the service (0: none)"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    log("webhook ingest benchmark")
    main()
