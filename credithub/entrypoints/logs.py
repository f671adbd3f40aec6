"""Logs: one JSON object per line (structlog), and one line per HTTP request.

Every log line — ours, uvicorn's, asyncpg's — goes through the same structlog formatter, so
each is one JSON object with `timestamp`, `level`, `logger` and `event`, plus what is bound for
the request in progress: its `request_id` (taken from an `X-Request-Id` header a proxy sent, or
made here, and returned in the answer's `X-Request-Id`), and for GraphQL the `operation` name.
`CREDITHUB_LOG_FORMAT=console` renders the same events for a terminal instead.

`RequestLog` also counts each request's SQL statements, so an N+1 regression shows in the logs,
and feeds the HTTP metrics.
"""

from __future__ import annotations

import logging
import random
import re
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import IO, TYPE_CHECKING, Any, Final

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credithub.db.pool import counting_queries

if TYPE_CHECKING:
    from credithub.entrypoints.metrics import Metrics

REQUEST_ID_HEADER: Final = "x-request-id"
REQUEST_ID_BYTES: Final = REQUEST_ID_HEADER.encode()
_ACCEPTED_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")  # a proxy's id, kept when it is sane
QUIET_PATHS: Final = frozenset({"/healthz", "/readyz", "/metrics"})  # scraped often: logged at DEBUG

logger = structlog.get_logger("credithub.access")
_access: Final = logging.getLogger("credithub.access")  # the standard-library logger behind it

_SHARED: Final[list[Any]] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.PositionalArgumentsFormatter(),
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _json(data: Any, **_: Any) -> str:
    return orjson.dumps(data, default=str).decode()


def route_through_stdlib() -> None:
    """structlog's events become standard-library records (whatever handler the process has)."""
    structlog.configure(
        # An event below its logger's level is dropped first, before the time is formatted for it:
        # at CREDITHUB_LOG_LEVEL=WARNING the line of every request would otherwise be built for nothing.
        processors=[structlog.stdlib.filter_by_level, *_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


class ProgressAwareHandler(logging.StreamHandler[IO[str]]):
    """Writes log lines around a progress line (`show_progress`) instead of through it: the
    progress line is cleared, the log line written, and the progress line shown again."""

    progress: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.progress is None:
            super().emit(record)
            return
        self.stream.write("\r\033[K")
        super().emit(record)
        self.stream.write(self.progress)
        self.flush()


_handler: ProgressAwareHandler | None = None


def show_progress(text: str) -> None:
    """Replace the progress line on stderr with `text`."""
    if _handler is not None:
        _handler.progress = f"\r{text}"
    sys.stderr.write(f"\r\033[K{text}")
    sys.stderr.flush()


def end_progress() -> None:
    """Leave the last progress line in place and go on below it."""
    if _handler is not None:
        _handler.progress = None
    sys.stderr.write("\n")
    sys.stderr.flush()


def configure(level: str = "INFO", *, fmt: str = "json", stream: IO[str] | None = None) -> logging.Handler:
    """Route structlog and the standard library through one formatter onto `stream` (stderr)."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False) if fmt == "console" else structlog.processors.JSONRenderer(_json)
    )
    route_through_stdlib()
    global _handler
    handler = _handler = ProgressAwareHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,  # the traceback as one escaped string
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()  # uvicorn's own handlers would print a second line
        logging.getLogger(name).propagate = True
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it narrates every pg_ctl call at INFO
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per call to a platform: the metrics count them
    return handler


def request_id_of(scope: Scope) -> str:
    """A sane `X-Request-Id` a proxy sent, or a new one."""
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            given = bytes(value).decode("latin-1")
            if _ACCEPTED_ID.match(given):
                return given
    # An id to find log lines by, not a secret: no system call for random bytes on every request.
    return f"{random.getrandbits(96):024x}"


def _route(scope: Scope) -> str:
    """The route's template (`/webhooks/{platform}`), never the raw path: labels stay few."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path is not None else "unmatched"


class RequestLog:
    """One log line and the HTTP metrics per request; the request id bound for everything logged
    meanwhile and returned in `X-Request-Id`."""

    def __init__(self, app: ASGIApp, metrics: Metrics | None = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        async with logged(self.metrics, scope, send, _route) as send_with_id:
            await self.app(scope, receive, send_with_id)


@asynccontextmanager
async def logged(
    metrics: Metrics | None, scope: Scope, send: Send, route: Callable[[Scope], str]
) -> AsyncIterator[Send]:
    """Around answering one HTTP request (RequestLog's, and the direct answer path's): the
    request id bound for everything logged meanwhile and sent back in `X-Request-Id` by the
    `send` this yields, the statements counted, and at the end the request's log line and
    metrics under its `route` (read once it is answered: routing decides it)."""
    request_id = request_id_of(scope)
    status = 500
    started = time.perf_counter()

    async def send_with_id(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            message["headers"] = [*message.get("headers", ()), (REQUEST_ID_BYTES, request_id.encode())]
        await send(message)

    bound = structlog.contextvars.bind_contextvars(request_id=request_id)
    try:
        with counting_queries() as counter:
            try:
                yield send_with_id
            finally:
                log_request(metrics, scope, route(scope), status, time.perf_counter() - started, counter[0])
    finally:
        structlog.contextvars.reset_contextvars(**bound)  # the value before, exactly


def log_request(metrics: Metrics | None, scope: Scope, route: str, status: int, seconds: float, queries: int) -> None:
    """The request's log line and HTTP metrics (`route`: its template, never the raw path)."""
    state = scope.get("state", {})
    client = state.get("client")
    if metrics is not None:
        metrics.count_request(scope["method"], route, status, seconds)
    level = logging.DEBUG if scope["path"] in QUIET_PATHS and status < 500 else logging.INFO
    if not _access.isEnabledFor(level):
        return  # not even the event's fields built (filter_by_level would drop it after)
    logger.log(
        level,
        "request",
        method=scope["method"],
        path=scope["path"],
        status=status,
        duration_ms=round(seconds * 1000, 1),
        queries=queries,
        client=client.name if client is not None else None,
        operation=state.get("graphql_operation"),
    )
