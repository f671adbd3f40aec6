"""The embedded PostgreSQL used when no DATABASE_URL is given.

pgserver ships PostgreSQL 16 binaries on PyPI and runs the server on a Unix socket inside
the data folder. Every process that opens the same folder shares one server: `serve` and a
CLI command run alongside it attach to the same instance, and the server stops when the
last process that opened it lets go (pgserver keeps the list of holders in the folder).
"""

from __future__ import annotations

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

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        logger.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return str(self._server.get_uri())

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
