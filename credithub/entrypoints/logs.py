"""One log line per HTTP request: method, path, status, time, SQL statements, client."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from credithub.db.pool import counting_queries

logger = logging.getLogger("credithub.access")


class RequestLog:
    """Counts the SQL statements each request runs, so an N+1 regression shows in the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async with counting_queries() as counter:
            try:
                await self.app(scope, receive, send_with_status)
            finally:
                client = scope.get("state", {}).get("client")
                logger.info(
                    "%s %s %d %.1fms queries=%d client=%s",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                    counter[0],
                    client.name if client is not None else "-",
                )
