"""Run the hub as a fleet on this machine: a PostgreSQL primary with a streaming replica, a Redis,
and several `serve` instances sharing them.

    .venv/bin/python scripts/fleet.py                  # 2 instances, the demo world, until Ctrl-C
    .venv/bin/python scripts/fleet.py --instances 3 --folder /tmp/fleet

PostgreSQL comes from the pgserver wheel the hub already depends on (its initdb, pg_ctl and
pg_basebackup; run as the `pgserver` system user when started as root, as pgserver does); Redis
is the machine's `redis-server`. Everything listens on 127.0.0.1 only, on free ports, and lives
in the folder given (a new one in the system's temporary folder by default, deleted on exit
unless --keep; not inside a folder only root may enter, such as pytest's: PostgreSQL runs as
another user there). Each instance gets DATABASE_URL,
DATABASE_REPLICA_URL and CACHE_URL; the secret and report keys are shared so that any instance
can read what another wrote and verify what another signed. docs/operations.md ("A fleet")
explains what goes where; tests/e2e/test_fleet.py drives this fleet from a client's side.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

REPO: Final = Path(__file__).resolve().parent.parent
PG_USER: Final = "pgserver"  # the system user pgserver runs PostgreSQL as when started by root
DATABASE: Final = "credithub"
START_SECONDS: Final = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin(name: str) -> str:
    from pgserver._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _as_pg_user() -> dict[str, Any]:
    """PostgreSQL refuses to run as root: as root, run its programs as pgserver's user."""
    if os.geteuid() != 0:
        return {}
    from pgserver.utils import ensure_user_exists

    ensure_user_exists(PG_USER)
    return {"user": PG_USER}


def _own(path: Path) -> None:
    """The folder belongs to PostgreSQL's user, and every folder above it can be traversed."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return
    from pgserver.utils import ensure_prefix_permissions

    ensure_prefix_permissions(path)
    shutil.chown(path, PG_USER, PG_USER)
    path.chmod(0o700)


def _run(args: list[str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=START_SECONDS, check=False, **_as_pg_user())  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{Path(args[0]).name} exited with {done.returncode}: {done.stderr or done.stdout}")


@dataclass
class Postgres:
    """One PostgreSQL server on 127.0.0.1 (TCP only) in `pgdata`."""

    pgdata: Path
    port: int = field(default_factory=free_port)

    def dsn(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        log = self.pgdata.parent / f"{self.pgdata.name}.log"
        if os.geteuid() == 0:
            log.touch()
            shutil.chown(log, PG_USER, PG_USER)
        _run([_pg_bin("pg_ctl"), "-D", str(self.pgdata), "-o", options, "-l", str(log), "-w", "start"])

    def stop(self) -> None:
        """A fast shutdown (SIGINT to the postmaster), waited for."""
        pid_file = self.pgdata / "postmaster.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().split()[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline:
                os.kill(pid, 0)  # ProcessLookupError once it is gone
                time.sleep(0.05)


def start_primary(folder: Path) -> Postgres:
    """A new primary (initdb, trust on 127.0.0.1, replication allowed) with the hub's database."""
    primary = Postgres(folder / "primary")
    _own(primary.pgdata)
    _run([_pg_bin("initdb"), "-D", str(primary.pgdata), "--auth=trust", "--encoding=utf8", "-U", "postgres"])
    primary.start()
    _run([_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres", DATABASE])
    return primary


def start_replica(primary: Postgres, folder: Path) -> Postgres:
    """A hot standby streaming from `primary`: a base backup with its recovery settings (-R)."""
    replica = Postgres(folder / "replica")
    _own(replica.pgdata)
    _run(
        [
            _pg_bin("pg_basebackup"),
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"),
            *("-D", str(replica.pgdata), "-R", "-X", "stream", "-c", "fast"),
        ]
    )
    replica.start()
    return replica


@dataclass
class Redis:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("redis-server exited at start") from None
                time.sleep(0.05)
        raise RuntimeError("redis-server did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def fleet_env(primary: Postgres, replica: Postgres | None, redis: Redis | None, **extra: str) -> dict[str, str]:
    """What every instance of one fleet shares: databases, Redis, keys."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "CACHE_URL"))}
    env.update(
        DATABASE_URL=primary.dsn(),
        CREDITHUB_SECRET_KEY=secrets.token_urlsafe(40),
        CREDITHUB_REPORT_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    if replica is not None:
        env["DATABASE_REPLICA_URL"] = replica.dsn()
    if redis is not None:
        env["CACHE_URL"] = redis.url
    env.update(extra)
    return env


@dataclass
class Instance:
    """`python -m credithub serve` on a port of its own, with its own data folder."""

    env: dict[str, str]
    data_dir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *args: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log = self.data_dir / "serve.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "credithub", "serve", "--port", str(self.port), *args],
                cwd=REPO,
                env={**self.env, "CREDITHUB_DATA_DIR": str(self.data_dir)},
                stdout=log,
                stderr=log,
            )

    def wait_ready(self) -> None:
        """Until /readyz says the replica serves (or at least the database answers, without one)."""
        assert self.process is not None
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}; see {self.log}")
            try:
                ready = httpx.get(self.url + "/readyz", timeout=2)
                if ready.status_code == 200 and ready.json().get("replica", {}).get("status") in ("ok", "none"):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve at {self.url} was not ready in {START_SECONDS:.0f} s; see {self.log}")

    def kill(self) -> None:
        """What a crashed machine looks like to the rest of the fleet."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Fleet:
    folder: Path
    primary: Postgres
    replica: Postgres
    redis: Redis
    instances: list[Instance]

    def stop(self) -> None:
        for part in [*self.instances, self.redis, self.replica, self.primary]:
            part.stop()


def start_fleet(folder: Path, *, instances: int = 2, demo: bool = False, **extra: str) -> Fleet:
    """Everything started and ready; the first instance migrates (and with `demo` fills: its data
    folder gets demo-credentials.json) the database before the others start. `extra`: more
    environment for every instance. Stop it with `Fleet.stop()`."""
    primary = start_primary(folder)
    started: list[Any] = [primary]
    try:
        replica = start_replica(primary, folder)
        started.append(replica)
        redis = Redis()
        redis.start()
        started.append(redis)
        env = fleet_env(primary, replica, redis, **extra)
        members = [Instance(env, folder / f"instance-{number}") for number in range(instances)]
        for number, member in enumerate(members):
            started.append(member)
            member.start(*(("--demo",) if demo and number == 0 else ()))
            member.wait_ready()
    except BaseException:
        for part in reversed(started):
            part.stop()
        raise
    return Fleet(folder, primary, replica, redis, members)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run a primary, a streaming replica, a Redis and N hub instances.")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--folder", type=Path, help="where the servers keep their data (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the folder on exit")
    parser.add_argument("--no-demo", action="store_true", help="start with an empty database")
    options = parser.parse_args()
    folder = options.folder or Path(tempfile.mkdtemp(prefix="credithub-fleet-"))
    fleet = start_fleet(folder, instances=options.instances, demo=not options.no_demo)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"primary  {fleet.primary.dsn()}\nreplica  {fleet.replica.dsn()}\nredis    {fleet.redis.url}")
        for instance in fleet.instances:
            print(f"instance {instance.url}  (log: {instance.log})")
        if not options.no_demo:
            print(f"demo tokens: {fleet.instances[0].data_dir / 'demo-credentials.json'}")
        print("Ctrl-C stops the fleet.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fleet.stop()
        if not options.keep and options.folder is None:
            shutil.rmtree(folder, ignore_errors=True)


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
