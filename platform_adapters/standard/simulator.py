"""A platform that implements the standard protocol: serves its event feed, verifies and keeps
the hub's pushes (Standard Webhooks, deduplicated by `webhook-id`), and can be told to fail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from platform_adapters.simulation import Faults, PushLog
from platform_adapters.standard.client import FEED_PATH

PUSH_PATH = "/hub/push"


@dataclass
class StandardSimulator:
    api_key: str
    outbound_secret: str  # the hub's signing secret for this platform, to verify pushes
    events: list[dict[str, Any]] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    pushes: PushLog = field(default_factory=PushLog)

    def add_event(self, event_id: str, body: dict[str, Any]) -> None:
        self.events.append({"id": event_id, **body})

    @property
    def app(self) -> Starlette:
        routes = [Route(FEED_PATH, self._feed), Route(PUSH_PATH, self._push, methods=["POST"]), self.pushes.route()]
        return Starlette(routes=routes)

    async def _feed(self, request: Request) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        start = int(request.query_params.get("after", "0"))
        limit = min(int(request.query_params.get("limit", "100")), 500)
        page = self.events[start : start + limit]
        end = start + len(page)
        return JSONResponse({"events": page, "next_cursor": str(end), "has_more": end < len(self.events)})

    async def _push(self, request: Request) -> Response:
        if (fault := await self.faults.apply(request)) is not None:
            return fault
        body = await request.body()
        try:
            Webhook(self.outbound_secret).verify(body, dict(request.headers))
        except (WebhookVerificationError, ValueError):
            self.pushes.refused += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        self.pushes.keep(request.headers["webhook-id"], orjson.loads(body))
        return Response(status_code=204)
