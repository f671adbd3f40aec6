"""`recompute-statuses`: every stale or missing status brought up to date, on every core.

One process is CPU-bound on the engine (`compute_status`, decoding facts, encoding statuses), so
the command runs `processes` of them (default: one per core): itself and `processes - 1` helper
processes, each with its own pool and `concurrency` batches in flight (one computes while another
waits on the database). The helpers are forked before the command starts its event loop, so they
come with its imports (spawning a fresh interpreter cost ~0.6 s of CPU a helper), and they
connect while the command queues the subjects that have no status at all (the one full scan).

They do not split the subjects among themselves: they all drain the refresh queue (and the
expired and outdated statuses), which hands each batch to one of them (SKIP LOCKED). So no
process idles while another has a slow range, and a run is resumable and idempotent by
construction: a batch is claimed, stored and fed in one transaction, so whatever a stopped run
(Ctrl-C, a crash, a lost connection) had not committed is still queued for the next run or any
`serve`'s refresher, and recomputing a status from the same facts stores the same document.

Every process stores through `services.statuses.refresh_due`, the refresher's own path: the
same statuses, outbox messages, announcements and flag changes as `serve` would write.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import sys
import time
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import SynchronizedArray
from multiprocessing.synchronize import Event
from typing import Any, Final

from credithub import bootstrap
from credithub.entrypoints import logs
from credithub.services.ports import Deps
from credithub.settings import Settings

PROGRESS_SECONDS: Final = 0.5  # how often the parent adds up and shows the processes' counts


class RecomputeFailed(Exception):
    """A recompute process ended with an error; what it had not stored stays queued."""


async def refresh_until_current(deps: Deps, concurrency: int, report: Callable[[int], None]) -> int:
    """Refresh batches until none is due, `concurrency` at a time; `report` hears the running total."""
    from credithub.services import statuses

    total = 0

    async def lane() -> None:
        nonlocal total
        drain = statuses.Drain()
        while refreshed := await statuses.refresh_due(deps, drain=drain):
            total += refreshed
            report(total)

    await asyncio.gather(*(lane() for _ in range(concurrency)))
    return total


async def recompute(settings: Settings, helpers: Helpers, concurrency: int) -> dict[str, Any]:
    """Queue what is missing, then refresh here and in the helpers until the store is current;
    progress on stderr."""
    from credithub.services import statuses

    started = time.monotonic()

    def show(mine: int) -> None:
        total = mine + helpers.total()
        logs.show_progress(f"recomputed {total:,} statuses ({total / (time.monotonic() - started):,.0f}/s)")

    async with bootstrap.database(settings) as dsn:  # the embedded server, started once for all
        helpers.connect(dsn)
        async with bootstrap.open_deps(settings, dsn=dsn) as deps:
            queued = await statuses.queue_missing(deps)
            helpers.start_refreshing()
            mine = await refresh_until_current(deps, concurrency, show)
        await helpers.finished(lambda: show(mine))
    logs.end_progress()
    return {"recomputed": mine + helpers.total(), "missing": queued, "seconds": round(time.monotonic() - started, 1)}


class Helpers:
    """Processes that refresh beside the command once told to; each keeps its running total in a
    shared slot. Enter the block before any event loop, connection or thread exists (they are
    forked there); leaving it stops those still running (their open batches roll back and stay
    queued)."""

    def __init__(self, settings: Settings, count: int, concurrency: int) -> None:
        context = multiprocessing.get_context("fork")  # POSIX: the hub's imports come along
        self._counts = context.Array("q", max(count, 1), lock=False)
        self._dsn: Queue[str] = context.Queue()
        self._go = context.Event()
        self._children = [
            context.Process(
                target=_help,
                args=(settings, concurrency, self._counts, slot, self._dsn, self._go),
                name=f"recompute-{slot + 1}",
            )
            for slot in range(count)
        ]

    def __enter__(self) -> Helpers:
        for child in self._children:
            child.start()
        return self

    def __exit__(self, *_: object) -> None:
        for child in self._children:
            if child.is_alive():
                child.terminate()
            child.join()

    def connect(self, dsn: str) -> None:
        """Tell the helpers which database (known once the embedded server is up): they connect."""
        for _ in self._children:
            self._dsn.put(dsn)

    def start_refreshing(self) -> None:
        self._go.set()

    def total(self) -> int:
        return sum(self._counts)

    async def finished(self, show: Callable[[], None]) -> None:
        """Wait for every helper, showing progress; raise if any failed."""
        while any(child.is_alive() for child in self._children):
            show()
            await asyncio.sleep(PROGRESS_SECONDS)
        show()
        failed = [child.name for child in self._children if child.exitcode != 0]
        if failed:
            raise RecomputeFailed(
                f"{len(failed)} of {len(self._children) + 1} recompute processes failed (their errors are above); "
                f"{self.total():,} statuses were stored by the others, the rest stay queued: run the command again"
            )


def _help(
    settings: Settings, concurrency: int, counts: SynchronizedArray[int], slot: int, dsn: Queue[str], go: Event
) -> None:
    """One helper process: connects once told the database, refreshes once told to go."""
    parent = multiprocessing.parent_process()

    def command_alive() -> bool:
        return parent is None or parent.is_alive()

    def wait_for_database() -> str | None:
        while command_alive():
            with contextlib.suppress(queue.Empty):
                return dsn.get(timeout=PROGRESS_SECONDS)
        return None

    def wait_for_go() -> bool:
        while not go.wait(PROGRESS_SECONDS):
            if not command_alive():
                return False
        return True

    def report(total: int) -> None:
        counts[slot] = total

    async def run(database: str) -> None:
        async with bootstrap.open_deps(settings, dsn=database) as deps:
            if await asyncio.to_thread(wait_for_go):
                await refresh_until_current(deps, concurrency, report)

    try:
        database = wait_for_database()
        if database is not None:
            asyncio.run(run(database))
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except Exception as exc:  # said in one line; the command says what it means for the run
        print(f"recompute process {slot + 1}: {type(exc).__name__}: {exc}".splitlines()[0], file=sys.stderr)
        raise SystemExit(1) from None
