"""The embedded PostgreSQL used when no DATABASE_URL is given.

pgserver ships PostgreSQL 16 binaries on PyPI and runs the server on a Unix socket inside
the data folder. Every process that opens the same folder shares one server: `serve` and a
CLI command run alongside it attach to the same instance, and the server stops when the
last process that opened it lets go (pgserver keeps the list of holders in the folder).
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path
from types import TracebackType
from typing import Any, Final

DATABASE_NAME: Final = "credithub"

logger = logging.getLogger(__name__)


class EmbeddedPostgres:
    """A handle on the server in `<data_dir>/pg`; use as a context manager."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir.resolve() / "pg"
        self._server: Any = None

    def start(self) -> str:
        """Start (or attach to) the server; returns the DSN of its maintenance database."""
        # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            from pgserver.postgres_server import get_server

        from pgserver.postgres_server import PostgresServer

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        logger.info("starting embedded PostgreSQL in %s", self.pgdata)
        with PostgresServer._lock:
            forgotten = _forget_dead_holders(self.pgdata)
        if forgotten:
            logger.warning("embedded PostgreSQL: forgot holders that were killed: %s", forgotten)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return str(self._server.get_uri())

    def is_running(self) -> bool:
        from pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and bool(info.is_running())

    def restart_if_stopped(self) -> bool:
        """Start the server again if it died (True), under pgserver's lock so that two processes
        holding it do not both start it."""
        from pgserver.postgres_server import PostgresServer

        if self._server is None or self.is_running():
            return False
        with PostgresServer._lock:
            if self.is_running():
                return False
            logger.warning("embedded PostgreSQL in %s is not running; starting it again", self.pgdata)
            self._server.ensure_postgres_running()
        return True

    def dsn(self, database: str = DATABASE_NAME) -> str:
        assert self._server is not None, "start() first"
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        """Let go of the server; it stops if no other process holds it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


HOLDERS_FILE: Final = ".handle_pids.json"  # where pgserver lists the processes holding the server


def _forget_dead_holders(pgdata: Path) -> list[int]:
    """Take processes that no longer exist off pgserver's list of holders; returns them."""
    import psutil

    path = pgdata / HOLDERS_FILE
    if not path.exists():
        return []
    holders = [int(pid) for pid in json.loads(path.read_text() or "[]")]
    alive = [pid for pid in holders if psutil.pid_exists(pid) and pid != 0]
    if alive != holders:
        path.write_text(json.dumps(alive))
    return [pid for pid in holders if pid not in alive]
