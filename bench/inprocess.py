"""Single status lookups answered in process: the hub's ASGI app called without sockets.

    python -m bench.inprocess [--lookups 6000] [--concurrency 8] [--repeat 3]

Counts what one lookup costs the serving process itself, without uvicorn, wrk or the other
servers of `bench/lookup.py` on the same cores: the app (`create_app`, background workers off, as
`bench.lookup` serves it) answers `bench/credit_status.py`'s single lookup for 2,000 merchants of
the bench dataset (the same ones, statuses in the store), `--concurrency` at a time, on uvloop.
Printed per round: CPU (`time.process_time`) and wall time per lookup.

CPU seconds move with whatever else the machine runs. Instructions do not: run it under callgrind
with `--callgrind`, and only the measured lookups are counted (instrumentation is switched on and
off around them with `callgrind_control`; warming up, 2,000 lookups, is not counted):

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.out \\
        python -m bench.inprocess --callgrind --lookups 800 --repeat 1
    # "Collected : N" on stderr; N / (the lookups the round printed) = instructions a lookup

Run it from another tree (`git archive REV | tar -x -C DIR`, then `cd DIR`) to compare a change
with its parent, as `bench.lookup --before` does over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import time
from typing import Any

import asyncpg
import orjson
import uvloop

from bench.credit_status import SINGLE, admin_token, prepare_store
from bench.dataset import add_dataset_arguments, bench_server, ensure_dataset
from bench.lookup import hub_environment

CODES = 2000


def _callgrind(switch: str) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(os.getpid())], check=False, capture_output=True)


async def run(dsn: str, args: argparse.Namespace) -> None:
    os.environ.update(hub_environment(dsn))
    from credithub.entrypoints.app import create_app, settle_heap  # reads the environment above

    conn = await asyncpg.connect(dsn)
    try:
        codes = [r[0] for r in await conn.fetch("SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL")]
    finally:
        await conn.close()
    random.Random(11).shuffle(codes)  # the codes bench.lookup asks for
    codes = codes[:CODES]
    await prepare_store(dsn, [], [codes])
    token = await admin_token(dsn)
    app = create_app()
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
    ]
    bodies = [orjson.dumps({"query": SINGLE, "variables": {"code": code}}) for code in codes]

    async def lookup(body: bytes) -> None:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": "/graphql",
            "raw_path": b"/graphql",
            "query_string": b"",
            "root_path": "",
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 8000),
        }
        received = False
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal received
            if not received:
                received = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        if sent[0]["status"] != 200 or b'"errors"' in sent[-1]["body"]:
            raise SystemExit(f"unexpected answer: {sent}")

    async def client(index: int, count: int) -> None:
        for step in range(count):
            await lookup(bodies[(index * 997 + step) % len(bodies)])

    async with app.router.lifespan_context(app):
        settle_heap()
        for body in bodies:  # the memory cache, the prepared query and its plan
            await lookup(body)
        for _ in range(args.repeat):
            each = args.lookups // args.concurrency
            if args.callgrind:
                _callgrind("on")
            cpu, wall = time.process_time(), time.perf_counter()
            await asyncio.gather(*(client(index, each) for index in range(args.concurrency)))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if args.callgrind:
                _callgrind("off")
            done = each * args.concurrency
            print(f"{done} lookups: CPU {cpu / done * 1e6:6.1f} µs a lookup, wall {wall / done * 1e6:6.1f} µs")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dataset_arguments(parser)
    parser.add_argument("--lookups", type=int, default=6000, help="lookups a round")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="rounds")
    parser.add_argument("--callgrind", action="store_true", help="switch callgrind's counting on only around rounds")
    args = parser.parse_args()
    async with bench_server() as server:
        dsn = await ensure_dataset(server, args.subjects, args.records_per_subject)
        await run(dsn, args)


if __name__ == "__main__":
    uvloop.run(main())
