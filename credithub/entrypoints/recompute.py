"""`recompute-statuses`: every stale or missing status brought up to date, on every core.

One process is CPU-bound on the engine (`compute_status`, decoding facts, encoding statuses), so
the command runs `processes` of them (default: one per core), each with its own pool and
`concurrency` batches in flight (one computes while another waits on the database). They do not
split the subjects among themselves: they all drain the refresh queue (and the expired and
outdated statuses), which hands each batch to one of them (SKIP LOCKED). So no process idles
while another has a slow range, and a run is resumable and idempotent by construction: a
batch is claimed, stored and fed in one transaction, so whatever a stopped run (Ctrl-C, a crash,
a lost connection) had not committed is still queued for the next run or any `serve`'s
refresher, and recomputing a status from the same facts stores the same document.

Every process stores through `services.statuses.refresh_due`, the refresher's own path: the
same statuses, outbox messages, announcements and flag changes as `serve` would write.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
import time
from collections.abc import Callable
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any, Final

from credithub import bootstrap
from credithub.entrypoints import logs
from credithub.settings import Settings

PROGRESS_SECONDS: Final = 0.5  # how often the parent adds up and shows the processes' counts


class RecomputeFailed(Exception):
    """A recompute process ended with an error; what it had not stored stays queued."""


async def refresh_until_current(settings: Settings, concurrency: int, report: Callable[[int], None]) -> int:
    """Refresh batches until none is due, `concurrency` at a time; `report` hears the running total."""
    from credithub.services import statuses

    total = 0
    async with bootstrap.open_deps(settings) as deps:

        async def lane() -> None:
            nonlocal total
            while refreshed := await statuses.refresh_due(deps):
                total += refreshed
                report(total)

        await asyncio.gather(*(lane() for _ in range(concurrency)))
    return total


async def queue_missing(settings: Settings) -> int:
    """Queue the subjects with no status at all (the one full scan), before any process starts."""
    from credithub.services import statuses

    async with bootstrap.open_deps(settings) as deps:
        return await statuses.queue_missing(deps)


async def recompute(settings: Settings, processes: int, concurrency: int) -> dict[str, Any]:
    """Queue what is missing, then refresh until the store is current; progress on stderr."""
    started = time.monotonic()

    def show(total: int) -> None:
        logs.show_progress(f"recomputed {total:,} statuses ({total / (time.monotonic() - started):,.0f}/s)")

    async with bootstrap.database(settings) as dsn:  # the embedded server, started once for all
        settings = settings.with_changes(database_url=dsn)
        queued = await queue_missing(settings)
        if processes == 1:
            total = await refresh_until_current(settings, concurrency, show)
        else:
            total = await _in_processes(settings, processes, concurrency, show)
    logs.end_progress()
    return {"recomputed": total, "missing": queued, "seconds": round(time.monotonic() - started, 1)}


async def _in_processes(settings: Settings, processes: int, concurrency: int, show: Callable[[int], None]) -> int:
    """Run `processes` refreshers side by side; each keeps its running total in a shared slot."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no event loop or pool inherited
    counts = context.Array("q", processes, lock=False)
    children = [
        context.Process(target=_work, args=(settings, concurrency, counts, slot), name=f"recompute-{slot}")
        for slot in range(processes)
    ]
    for child in children:
        child.start()
    try:
        while any(child.is_alive() for child in children):
            await asyncio.sleep(PROGRESS_SECONDS)
            show(sum(counts))
    finally:
        for child in children:
            if child.is_alive():  # we were interrupted: stop them (their batches roll back, stay queued)
                child.terminate()
            child.join()
    show(sum(counts))
    failed = [child.name for child in children if child.exitcode != 0]
    if failed:
        raise RecomputeFailed(
            f"{len(failed)} of {processes} recompute processes failed (their errors are above); "
            f"{sum(counts):,} statuses were stored, the rest stay queued: run the command again"
        )
    return sum(counts)


def _work(settings: Settings, concurrency: int, counts: SynchronizedArray[int], slot: int) -> None:
    """One recompute process (the target of a spawned child)."""
    logs.configure(settings.log_level, fmt=settings.log_format)

    def report(total: int) -> None:
        counts[slot] = total

    try:
        asyncio.run(refresh_until_current(settings, concurrency, report))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # said in one line; the parent says what it means for the run
        print(f"recompute process {slot}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        raise SystemExit(1) from None
