"""Single status lookups under load: the hub against the floor of the same work, in one run.

    python -m bench.lookup [--rounds 3] [--duration 10] [--concurrency 8 32] [--codes 2000]
                           [--workers 1] [--floor-workers N]

Two servers on the bench dataset (bench/dataset.py), each with `--workers` serving processes
(default one; `serve`'s own default is one per core):

- the floor (`bench/floor.py`): a tiny Starlette app running the hub's own SQL for one lookup,
  the audit insert included, and nothing else;
- the hub (`python -m credithub serve`, background workers off as in bench/credit_status.py).

wrk (`apt install wrk`) sends `subjectByCreditCode { id name creditStatus { tier flags … } }`
(bench/credit_status.py's single lookup) for `--codes` subjects in turn, their statuses in the
store, over keep-alive connections. Each round runs every concurrency against both servers,
alternating which goes first, so a noisy moment on the shared machine hits both alike. Printed:
medians over the rounds of req/s, p50 and p99 latency, the server's CPU per request (its
processes', from /proc), and hub/floor.

`--before DIR…` adds a server for each DIR: the hub as checked out there (e.g. `git archive main |
tar -x -C DIR`), named by the folder and run the same way, so that a change is measured against
its parents in the same minutes.

`--profile FILE` also records the hub with py-spy (if installed) during one extra run at the
first concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import orjson

from bench.credit_status import SINGLE, admin_token, free_port, prepare_store, wait_healthy
from bench.dataset import BENCH_SECRET_KEY, add_dataset_arguments, bench_server, ensure_dataset, source_tree
from bench.http import KeepAlive

REPO = Path(__file__).resolve().parents[1]

LUA = """
local codes = {%(codes)s}
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  i = i %% #codes + 1
  return wrk.format(nil, "/graphql", nil, %(prefix)s .. codes[i] .. %(suffix)s)
end
"""


@dataclass(frozen=True)
class Run:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_request: float


def wrk_script(codes: list[str], token: str) -> str:
    body = orjson.dumps({"query": SINGLE, "variables": {"code": "@@"}}).decode()
    prefix, suffix = body.split("@@")
    return LUA % {
        "codes": ",".join(f'"{code}"' for code in codes),
        "token": token,
        "prefix": _lua_string(prefix),
        "suffix": _lua_string(suffix),
    }


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """req/s, p50 ms, p99 ms and the number of requests from `wrk --latency`'s report; any
    non-2xx answer or socket error fails the run."""
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rate, p50, p99, total


def cpu_seconds(pid: int) -> float:
    """User and system CPU so far of a process and its living descendants (threads included):
    a server with several serving processes is measured whole."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        used[child] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    tree = {pid}
    grown = True  # a child's pid may be lower than its parent's: repeat until no process joins
    while grown:
        grown = False
        for child, parent in parents.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grown = True
    return sum(used.get(member, 0.0) for member in tree)


def run_wrk(port: int, pid: int, script: Path, connections: int, duration: int) -> Run:
    before = cpu_seconds(pid)
    completed = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    used = cpu_seconds(pid) - before
    rate, p50, p99, total = parse_wrk(completed.stdout)
    return Run(rate, p50, p99, used * 1000 / max(total, 1))


def start_floor(dsn: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench.floor", "--dsn", dsn, "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, cwd=REPO)


def hub_environment(dsn: str) -> dict[str, str]:
    """The hub's settings for lookups under load (also `bench.inprocess`'s)."""
    return {
        "DATABASE_URL": dsn,
        "CREDITHUB_SECRET_KEY": BENCH_SECRET_KEY,
        "CREDITHUB_LOG_LEVEL": "WARNING",
        "CREDITHUB_DATA_DIR": str(REPO / "bench" / ".data" / "service"),
        "CREDITHUB_WORKERS": "false",  # the query path alone
        "CREDITHUB_RATE_LIMIT": "0",  # one client sending as fast as it can
        "CREDITHUB_CLIENT_CONCURRENCY": "0",  # ... with many requests in flight
    }


def start_hub(dsn: str, port: int, tree: Path, workers: int) -> subprocess.Popen[bytes]:
    """`serve` from the source tree `tree`, set up as bench/credit_status.py does."""
    env = {**os.environ, **hub_environment(dsn)}
    # As many serving processes as the floor has: the comparison is of what each does per request.
    command = [sys.executable, "-m", "credithub", "serve", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, cwd=tree, env=env)


async def check_answers(ports: dict[str, int], token: str, codes: list[str]) -> None:
    """Warm every server up on every code (the hub's memory cache, the floor's dict, the pools'
    prepared statements) and check that they give the same answer."""
    headers = {"Authorization": f"Bearer {token}"}
    answers: dict[str, list[object]] = {}
    for target, port in ports.items():
        async with KeepAlive("127.0.0.1", port, headers) as client:
            answers[target] = [
                orjson.loads(await client.post("/graphql", orjson.dumps({"query": SINGLE, "variables": {"code": c}})))
                for c in codes
            ]
    for target, given in answers.items():
        for floor, hub in zip(answers["floor"], given, strict=True):
            assert isinstance(hub, dict), (target, hub)
            assert "errors" not in hub, (target, hub)
            assert floor == hub, (target, floor, hub)


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


async def run(dsn: str, args: argparse.Namespace) -> dict[tuple[str, int], list[Run]]:
    conn = await asyncpg.connect(dsn)
    try:
        codes = [
            r["credit_code"] for r in await conn.fetch("SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL")
        ]
    finally:
        await conn.close()
    random.Random(11).shuffle(codes)
    codes = codes[: args.codes]
    await prepare_store(dsn, [], [codes])
    token = await admin_token(dsn)
    before = {tree.name: tree for tree in args.before}
    targets = ["floor", "hub", *before]
    ports = {target: free_port() for target in targets}
    processes = {
        "floor": start_floor(dsn, ports["floor"], args.floor_workers or args.workers),
        "hub": start_hub(dsn, ports["hub"], REPO, args.workers),
    }
    for name, tree in before.items():
        processes[name] = start_hub(dsn, ports[name], tree, args.workers)
    results: dict[tuple[str, int], list[Run]] = {}
    try:
        for port in ports.values():
            await wait_healthy(f"http://127.0.0.1:{port}")
        await check_answers(ports, token, codes)
        with tempfile.TemporaryDirectory() as scratch:
            script = Path(scratch) / "lookup.lua"
            script.write_text(wrk_script(codes, token))
            for round_number in range(args.rounds):
                for connections in args.concurrency:
                    shift = (round_number + connections) % len(targets)
                    order = targets[shift:] + targets[:shift]
                    for target in order:
                        measured = run_wrk(ports[target], processes[target].pid, script, connections, args.duration)
                        results.setdefault((target, connections), []).append(measured)
                        print(
                            f"round {round_number + 1} {target:8} c={connections:<3} {fmt(measured)}", file=sys.stderr
                        )
            if args.profile:
                profile(processes["hub"].pid, ports["hub"], script, args)
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
    return results


def profile(pid: int, port: int, script: Path, args: argparse.Namespace) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    recorder = subprocess.Popen(
        [py_spy, "record", "-p", str(pid), "-d", str(args.duration), "-r", "250", "-o", args.profile, "-f", "raw"]
        + (["--native"] if args.native else [])
        + (["--subprocesses"] if args.workers > 1 else [])
    )
    run_wrk(port, pid, script, args.concurrency[0], args.duration)
    recorder.wait(timeout=args.duration + 30)


def fmt(run: Run) -> str:
    return (
        f"{run.requests_per_s:7.0f} req/s  p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms "
        f"({run.p99_ms / run.p50_ms:4.1f}x)  CPU {run.cpu_ms_per_request:5.2f} ms/req"
    )


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.requests_per_s for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        statistics.median(r.cpu_ms_per_request for r in runs),
    )


def report(results: dict[tuple[str, int], list[Run]], args: argparse.Namespace) -> str:
    lines = [
        f"single lookups, {args.codes} codes, medians of {args.rounds} rounds of {args.duration} s (wrk -t1), "
        f"serving processes: hub {args.workers}, floor {args.floor_workers or args.workers}:"
    ]
    for connections in args.concurrency:
        floor = median_run(results[("floor", connections)])
        lines.append(f"  c={connections:<3} floor    {fmt(floor)}")
        for target in ["hub", *(tree.name for tree in args.before)]:
            hub = median_run(results[(target, connections)])
            ratio = hub.requests_per_s / floor.requests_per_s
            lines.append(f"        {target:8} {fmt(hub)}  {ratio:.2f}x floor")
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_dataset_arguments(parser)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--codes", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1, help="serving processes of each server (serve --workers)")
    parser.add_argument("--floor-workers", type=int, help="serving processes of the floor (default: --workers)")
    parser.add_argument(
        "--before", type=source_tree, nargs="*", default=[], help="also run the hub from these source trees"
    )
    parser.add_argument("--profile", help="record the hub with py-spy into this file (raw format)")
    parser.add_argument("--native", action="store_true", help="with --profile: C frames too (the GC shows)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark needs wrk (apt install wrk)")
    async with bench_server() as server:
        dsn = await ensure_dataset(server, args.subjects, args.records_per_subject)
        print(f"load average before: {uptime()}", file=sys.stderr)
        results = await run(dsn, args)
        print(report(results, args))
        print(f"load average after: {uptime()}")


if __name__ == "__main__":
    asyncio.run(main())
