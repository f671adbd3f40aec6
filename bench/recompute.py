"""`recompute-statuses` from nothing: statuses a second, and the CPU of the CLI and of PostgreSQL.

    python -m bench.recompute [--subjects 100k] [--runs 2] [--before DIR …] [-- CLI options]

Each run starts from a fresh copy of the dataset with every status, parked status and flag change
removed and every subject queued (made once from the dataset into `<dataset>_recompute`, then
cloned per run with CREATE DATABASE … TEMPLATE: the dataset itself is never written), then runs
`python -m credithub recompute-statuses` in this tree and in each `--before` tree (e.g. `git
archive main | tar -x -C DIR`), alternately. It reports the wall time, statuses a second, the
CPU of the CLI and its children (`getrusage`), the CPU of the run's PostgreSQL backends (their
`/proc/<pid>/stat`, sampled every 0.2 s), and which statements were running when sampled.
Options after `--` go to the CLI of this tree only (the trees before may not know them).
`--time-limit S` stops a run after S seconds (SIGINT to its process group, as Ctrl-C) and counts
the statuses stored by then.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from bench.dataset import BENCH_SECRET_KEY, DEFAULT_SUBJECTS, bench_server, database_dsn, database_for, parse_count

THIS_TREE = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    tree: str
    seconds: float
    recomputed: int
    cli_cpu: float
    db_cpu: float
    statements: collections.Counter[str] = field(default_factory=collections.Counter)
    stopped: bool = False  # at the time limit: `recomputed` is what was stored by then

    @property
    def rate(self) -> float:
        return self.recomputed / self.seconds


async def prepare_template(server: str, dataset: str) -> str:
    """A copy of the dataset with nothing stored and everything queued, made once."""
    name = f"{dataset}_recompute"
    admin = await asyncpg.connect(server)
    try:
        if await admin.fetchval("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name):
            return name
        await admin.execute(f"CREATE DATABASE {name}_building TEMPLATE {dataset}")
        conn = await asyncpg.connect(database_dsn(server, f"{name}_building"))
        try:
            await conn.execute("TRUNCATE subject_statuses, parked_statuses, flag_changes, status_refresh_queue")
            await conn.execute("INSERT INTO status_refresh_queue (subject_id) SELECT id FROM subjects")
            await conn.execute("VACUUM ANALYZE")
        finally:
            await conn.close()
        await admin.execute(f"ALTER DATABASE {name}_building RENAME TO {name}")
        return name
    finally:
        await admin.close()


def cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


async def watch(server: str, database: str, run: Run, stop: asyncio.Event) -> None:
    """The CPU of every backend of `database` (the last reading of each) and what they ran."""
    seen: dict[int, float] = {}
    started: dict[int, float] = {}
    conn = await asyncpg.connect(server)
    try:
        while not stop.is_set():
            rows = await conn.fetch(
                "SELECT pid, state, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
            for row in rows:
                seen[row["pid"]] = cpu_of(row["pid"])
                started.setdefault(row["pid"], seen[row["pid"]])
                if row["state"] == "active":
                    run.statements[" ".join(row["query"].split())[:70]] += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
    finally:
        await conn.close()
    run.db_cpu = sum(seen.values())  # backends start with the run: their whole CPU is the run's


async def run_once(server: str, template: str, tree: Path, cli_args: list[str], time_limit: float | None) -> Run:
    work = f"{template}_run"
    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {work}")
        await admin.execute(f"CREATE DATABASE {work} TEMPLATE {template}")
    finally:
        await admin.close()
    env = {
        **os.environ,
        "DATABASE_URL": database_dsn(server, work),
        "CREDITHUB_SECRET_KEY": BENCH_SECRET_KEY,
        "CREDITHUB_DATA_DIR": str(THIS_TREE / "bench" / ".data" / "recompute"),
        "PYTHONPATH": str(tree),
    }
    run = Run(tree.name, 0.0, 0, 0.0, 0.0)
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch(server, work, run, stop))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cli = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "credithub",
        "recompute-statuses",
        *cli_args,
        cwd=tree,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its helpers too are stopped at the time limit
    )
    try:
        stdout, stderr = await asyncio.wait_for(cli.communicate(), time_limit)
    except TimeoutError:
        os.killpg(cli.pid, signal.SIGINT)  # as Ctrl-C: open batches roll back
        stdout, stderr = await cli.communicate()
        run.stopped = True
    run.seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stop.set()
    await watcher
    if run.stopped:
        admin = await asyncpg.connect(database_dsn(server, work))
        try:
            run.recomputed = await admin.fetchval("SELECT count(*) FROM subject_statuses")
        finally:
            await admin.close()
    elif cli.returncode != 0:
        raise SystemExit(f"{tree}: recompute-statuses failed:\n{stderr.decode()[-2000:]}")
    else:
        run.recomputed = json.loads(stdout)["recomputed"]
    run.cli_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return run


def report(run: Run) -> None:
    per = 1e6 / run.recomputed if run.recomputed else 0.0
    print(
        f"{run.tree:>24}  {run.recomputed:>9,} in {run.seconds:6.1f} s{' (stopped)' if run.stopped else ''}  {run.rate:7,.0f}/s  "
        f"CLI CPU {run.cli_cpu:6.1f} s ({run.cli_cpu * per:5.0f} µs/status)  "
        f"PostgreSQL CPU {run.db_cpu:6.1f} s ({run.db_cpu * per:5.0f} µs/status)",
        flush=True,
    )
    total = sum(run.statements.values()) or 1
    for statement, count in run.statements.most_common(5):
        print(f"{'':>26}{count / total:4.0%} of active samples: {statement}", flush=True)


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=parse_count, default=DEFAULT_SUBJECTS, help="the dataset: 10k, 100k, 1M")
    parser.add_argument("--runs", type=int, default=2, help="runs of each tree, alternating")
    parser.add_argument("--before", type=Path, nargs="*", default=[], help="also run these source trees")
    parser.add_argument("--time-limit", type=float, help="stop a run (as Ctrl-C) after this many seconds")
    parser.add_argument("cli_args", nargs=argparse.REMAINDER, help="-- then options for this tree's CLI")
    args = parser.parse_args()
    cli_args = args.cli_args[1:] if args.cli_args[:1] == ["--"] else args.cli_args
    async with bench_server() as server:
        template = await prepare_template(server, database_for(args.subjects))
        print(f"dataset {database_for(args.subjects)}; load {uptime()}; this tree with {cli_args}", flush=True)
        for _ in range(args.runs):
            for tree, extra in [(THIS_TREE, cli_args), *((tree.resolve(), []) for tree in args.before)]:
                report(await run_once(server, template, tree, extra, args.time_limit))
                print(f"{'':>26}load {uptime()}", flush=True)
        admin = await asyncpg.connect(server)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {template}_run")
        finally:
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
