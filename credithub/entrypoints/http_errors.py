"""One table from exception to HTTP response, for the non-GraphQL routes (webhooks, health).

Every refusal is `{"error": <what to fix>, "code": <stable name>, …}`. The codes tell a sender
what to fix (a missing header, a clock off by more than the tolerance, a secret that does not
match); none says anything a forger could use beyond what the Standard Webhooks spec publishes.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from credithub.db.pool import OUTAGE
from credithub.domain.errors import Conflict, InvalidInput, UnknownPlatform
from credithub.entrypoints.signatures import WebhookRefused

RETRY_AFTER_SECONDS: Final = "30"

logger = logging.getLogger(__name__)


class MalformedBody(Exception):
    """The body is not JSON (answered 400)."""


class DatabaseAway(Exception):
    """A request failed while the database did not answer: whatever the failure looked like, the
    sender should retry later (answered 503 with Retry-After)."""


class InboxFull(Exception):
    """The inbox holds CREDITHUB_INBOX_BACKLOG_LIMIT events not applied yet: the delivery is not
    stored, and the sender should send it again later (answered 429 with Retry-After)."""

    def __init__(self, platform: str, retry_after: int) -> None:
        super().__init__(f"the inbox is full; {platform} was asked to retry in {retry_after} s")
        self.platform = platform
        self.retry_after = retry_after


async def _unknown_platform(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnknownPlatform)
    return JSONResponse({"error": "no platform is registered under this code", "code": exc.code}, status_code=404)


async def _webhook_refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebhookRefused)
    logger.warning("webhook %s refused: %s %s", request.url.path, exc.code, exc.message)
    return JSONResponse({"error": exc.message, "code": exc.code, **exc.details}, status_code=exc.status)


async def _malformed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": str(exc), "code": "MALFORMED_BODY"}, status_code=400)


async def _invalid_input(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InvalidInput)
    return JSONResponse({"error": exc.message, "code": exc.code, **exc.details()}, status_code=422)


async def _conflict(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Conflict)
    return JSONResponse({"error": exc.message, "code": exc.code, **exc.details()}, status_code=409)


async def _http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (404 for an unknown path, 405, 413 for a body over the limit) as JSON."""
    assert isinstance(exc, HTTPException)
    if exc.status_code < 400:
        return Response(status_code=exc.status_code, headers=exc.headers)
    return JSONResponse(
        {"error": exc.detail, "code": "HTTP_" + str(exc.status_code)}, status_code=exc.status_code, headers=exc.headers
    )


async def _inbox_full(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InboxFull)
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.webhooks_deferred.labels(exc.platform).inc()
    return JSONResponse(
        {
            "error": "the hub has more events waiting than it takes on; nothing was stored: "
            "send this event again after Retry-After seconds",
            "code": "INBOX_FULL",
        },
        status_code=429,
        headers={"Retry-After": str(exc.retry_after)},
    )


async def _unavailable(request: Request, exc: Exception) -> Response:
    logger.error("database unavailable on %s: %s", request.url.path, exc)
    return JSONResponse(
        {"error": "temporarily unavailable, retry later"}, status_code=503, headers={"Retry-After": RETRY_AFTER_SECONDS}
    )


EXCEPTION_HANDLERS: Final[Mapping[Any, Callable[[Request, Exception], Awaitable[Response]]]] = {
    HTTPException: _http_exception,
    UnknownPlatform: _unknown_platform,
    WebhookRefused: _webhook_refused,
    MalformedBody: _malformed,
    InvalidInput: _invalid_input,
    Conflict: _conflict,
    InboxFull: _inbox_full,
    **dict.fromkeys(OUTAGE, _unavailable),
    DatabaseAway: _unavailable,
    asyncpg.QueryCanceledError: _unavailable,  # the ingest statement timeout: the platform retries later
}
