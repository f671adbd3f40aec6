"""`serve --workers N`: one supervising process and its children, all on one port.

The supervisor prepares once what must happen once — the embedded PostgreSQL started (when no
DATABASE_URL is given), migrations applied, the person and report keys generated and checked,
the demo world and its credentials (`--demo`) — then starts the children with the database's
DSN in DATABASE_URL:

- role `all`: N processes of role `api` (GraphQL, webhooks, pages, health) and one of role
  `workers` (the background work, on no port: it takes no requests, so the request path never
  waits behind a status computation or a push);
- role `api` or `workers`: N processes of that role.

Each serving child has a listening socket of its own on the same port (SO_REUSEPORT: the kernel
spreads new connections evenly, keep-alive clients included). The supervisor holds every socket
for the whole run, so while a dead child is being replaced the connections meant for it wait in
its socket's queue instead of being refused. A child that dies is started again at once; one that
keeps dying young is started again later and later, and after MAX_YOUNG_DEATHS in a row the
supervisor stops everything and exits 1 (a configuration or database problem no restart fixes).
SIGINT or SIGTERM stops the children gracefully (SIGTERM, then SIGKILL after STOP_SECONDS), then
the embedded database. The children die with the supervisor even if it is killed with SIGKILL.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from credithub import bootstrap
from credithub.entrypoints.host_buckets import create_table
from credithub.entrypoints.metrics import MULTIPROCESS_DIR
from credithub.services import demo
from credithub.settings import HOST_RATE_TABLE_ENV, Settings

REPO: Final = Path(__file__).resolve().parents[2]
BACKLOG: Final = 2048  # uvicorn's default listen backlog
POLL_SECONDS: Final = 0.2
YOUNG_SECONDS: Final = 10.0  # a child that dies younger than this did not start properly
MAX_YOUNG_DEATHS: Final = 5
MAX_BACKOFF_SECONDS: Final = 10.0
STOP_SECONDS: Final = 30.0  # how long children have to finish their requests and work on shutdown
PR_SET_PDEATHSIG: Final = 1

logger = logging.getLogger("credithub.supervisor")


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS says), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class Child:
    """One slot of the plan and the process that fills it now."""

    role: str
    sock: socket.socket | None
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    young_deaths: int = 0
    start_at: float = 0.0  # when to start the next process after a death


def bind_children(role: str, count: int, host: str, port: int) -> list[Child]:
    """The children to run, each with its socket bound (None: it takes no requests). Role `all`:
    `count` of role `api` and one of role `workers`; otherwise `count` of the role."""
    if role == "all":
        return [*(Child("api", sock) for sock in bind_sockets(host, port, count)), Child("workers", None)]
    return [Child(role, sock) for sock in bind_sockets(host, port, count)]


def bind_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` sockets bound to one address, not listening yet. On Linux each is its own
    (SO_REUSEPORT balances connections across them); elsewhere SO_REUSEPORT does not balance, so
    all children share one. A port another server listens on fails here, before anything
    starts: a plain socket tries it first, since SO_REUSEPORT alone would let us join a second
    `serve` already running there."""
    resolved = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = resolved[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)
        address = probe.getsockname()  # with port 0: the port the system chose, for every socket
    balanced = sys.platform.startswith("linux")
    sockets: list[socket.socket] = []
    try:
        for _ in range(count if balanced else 1):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if balanced:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind(address)
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets if balanced else sockets * count


class Supervisor:
    def __init__(self, children: list[Child], env: dict[str, str], metrics_dir: Path) -> None:
        self.children = children
        self.env = env
        self.metrics_dir = metrics_dir
        self.stopping = asyncio.Event()
        self.exit_code = 0

    def argv(self, child: Child) -> list[str]:
        argv = [sys.executable, "-m", "credithub", "serve", "--role", child.role, "--workers", "1"]
        argv += ["--supervised-by", str(os.getpid())]
        if child.sock is not None:
            argv += ["--listen-fd", str(child.sock.fileno())]
        return argv

    def start(self, child: Child) -> None:
        fds = [child.sock.fileno()] if child.sock is not None else []
        # A process group of its own: a terminal's Ctrl-C reaches the supervisor alone, which
        # then stops the children in order.
        child.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            self.argv(child), cwd=REPO, env=self.env, pass_fds=fds, process_group=0
        )
        child.started_at = time.monotonic()
        logger.info("started %s process %d", child.role, child.process.pid)

    def check(self, child: Child) -> None:
        """Start a child whose slot is empty and due; notice one that died."""
        now = time.monotonic()
        if child.process is None:
            if now >= child.start_at:
                self.start(child)
            return
        code = child.process.poll()
        if code is None:
            return
        _forget_metrics(self.metrics_dir, child.process.pid)
        child.young_deaths = child.young_deaths + 1 if now - child.started_at < YOUNG_SECONDS else 0
        logger.warning("%s process %d exited with %s", child.role, child.process.pid, code)
        child.process = None
        if child.young_deaths >= MAX_YOUNG_DEATHS:
            logger.error("%s processes keep dying as they start; stopping", child.role)
            self.exit_code = 1
            self.stopping.set()
            return
        backoff = 0.0 if child.young_deaths == 0 else min(0.5 * 2 ** (child.young_deaths - 1), MAX_BACKOFF_SECONDS)
        child.start_at = now + backoff

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._stop, signum)
        try:
            while not self.stopping.is_set():
                for child in self.children:
                    self.check(child)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), POLL_SECONDS)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
            await self.stop_all()
        return self.exit_code

    def _stop(self, signum: int) -> None:
        logger.info("received %s; stopping", signal.Signals(signum).name)
        self.stopping.set()

    async def stop_all(self) -> None:
        running = [child.process for child in self.children if child.process is not None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        await asyncio.gather(*(_reap(process) for process in running))


async def _reap(process: subprocess.Popen[bytes]) -> None:
    """Wait for a child told to stop; kill it if it has not in STOP_SECONDS."""
    try:
        await asyncio.to_thread(process.wait, STOP_SECONDS)
    except subprocess.TimeoutExpired:
        logger.warning("process %d did not stop in %.0f s; killing it", process.pid, STOP_SECONDS)
        process.kill()
        await asyncio.to_thread(process.wait)


def _forget_metrics(metrics_dir: Path, pid: int) -> None:
    """A dead process's live gauges leave /metrics; its counters stay in the totals."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, str(metrics_dir))  # type: ignore[no-untyped-call]


@contextlib.contextmanager
def metrics_folder() -> Iterator[Path]:
    """Where the children keep their metrics: PROMETHEUS_MULTIPROC_DIR if set (emptied of a
    previous run's files first, as prometheus-client requires), else a folder of this run's own."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="credithub-metrics-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def rate_table() -> Iterator[Path]:
    """The rate-limit buckets the children share (`host_buckets`): without it each process would
    keep its own, and a client could send N times its limit to one `serve --workers N`."""
    folder = Path(tempfile.mkdtemp(prefix="credithub-rates-"))
    try:
        path = folder / "buckets"
        create_table(path)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@asynccontextmanager
async def prepared(settings: Settings) -> AsyncIterator[str]:
    """Once, before any child starts: the database (the embedded server started and kept
    running), migrations, the keys and, with --demo, the demo world and its credentials."""
    async with bootstrap.database(settings) as dsn:
        async with bootstrap.open_deps(settings, dsn=dsn) as deps:
            if settings.demo:
                await demo.prepare_demo(deps)
        yield dsn


async def serve(settings: Settings, children: list[Child]) -> int:
    """Run the children until a signal (or a slot that keeps failing); the exit code."""
    sockets = {id(child.sock): child.sock for child in children if child.sock is not None}.values()
    try:
        async with prepared(settings) as dsn:
            with metrics_folder() as folder, rate_table() as rates:
                for sock in sockets:
                    sock.listen(BACKLOG)
                host, port = next(iter(sockets)).getsockname()[:2]
                logger.info("serving on %s:%d with %s", host, port, ", ".join(f"{c.role}" for c in children))
                env = {
                    **os.environ,
                    "DATABASE_URL": dsn,
                    MULTIPROCESS_DIR: str(folder),
                    HOST_RATE_TABLE_ENV: str(rates),
                }
                return await Supervisor(children, env, folder).run()
    finally:
        for sock in sockets:
            sock.close()


def die_with_parent(parent: int) -> None:
    """A child of the supervisor ends with it, even when the supervisor is killed with SIGKILL
    (on Linux the kernel sends SIGKILL then; elsewhere a thread notices and sends SIGTERM)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        prctl = None
    if prctl is not None and prctl(PR_SET_PDEATHSIG, signal.SIGKILL) == 0:
        if os.getppid() != parent:  # it died before we asked
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)
