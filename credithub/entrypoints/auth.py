"""Bearer-token authentication and per-client rate limits in front of the GraphQL endpoint.

`Authorization: Bearer <token>` is required on every POST. The GraphiQL page itself (a GET
for HTML) and CORS preflights carry no credit data and pass without a token; WebSocket
connections authenticate in their `connection_init` payload instead.

Each authenticated client gets a token bucket (`domain.rates`): CREDITHUB_RATE_BURST requests
at once, then CREDITHUB_RATE_LIMIT a second, shared by every instance through Redis when CACHE_URL
names one (`entrypoints.client_gate`), else per instance. Over it, the answer is 429 with
Retry-After, before any work is done.
"""

from __future__ import annotations

import math
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from credithub.entrypoints.client_gate import ClientGate
from credithub.services import clients

UNAUTHENTICATED: Final = "a valid bearer token is required (Authorization: Bearer <token>)"
RATE_LIMITED: Final = "too many requests from this client; retry after the number of seconds in Retry-After"
TOO_MANY_IN_FLIGHT: Final = "this client already has as many requests in progress as it may; wait for one to finish"
OPEN_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


class InFlight:
    """GraphQL requests each client has in progress on this instance (limit 0: no limit). A
    client at its limit is answered 429 at once: one client's slow requests cannot take every
    database connection while others wait."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[int, int] = {}

    def try_enter(self, client_id: int) -> bool:
        held = self._counts.get(client_id, 0)
        if self.limit > 0 and held >= self.limit:
            return False
        self._counts[client_id] = held + 1
        return True

    def leave(self, client_id: int) -> None:
        held = self._counts.get(client_id, 1) - 1
        if held > 0:
            self._counts[client_id] = held
        else:
            self._counts.pop(client_id, None)


def bearer_token(authorization: str | None) -> str | None:
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class BearerAuth:
    """Resolves the client from the token into `request.state.client`, or answers 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in OPEN_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        token = bearer_token(request.headers.get("authorization"))
        client = await clients.authenticate(request.app.state.deps.for_work("api"), token) if token else None
        if client is None:
            response = JSONResponse(
                {"errors": [{"message": UNAUTHENTICATED, "extensions": {"code": "UNAUTHENTICATED"}}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="credithub"'},
            )
            await response(scope, receive, send)
            return
        gate: ClientGate = request.app.state.client_gate
        admission = await gate.admit(client.id)
        wait = admission.wait
        if wait > 0:
            response = JSONResponse(
                {"errors": [{"message": RATE_LIMITED, "extensions": {"code": "RATE_LIMITED"}}]},
                status_code=429,
                headers={"Retry-After": str(math.ceil(wait))},
            )
            await response(scope, receive, send)
            return
        in_flight: InFlight = request.app.state.in_flight
        if not in_flight.try_enter(client.id):
            response = JSONResponse(
                {"errors": [{"message": TOO_MANY_IN_FLIGHT, "extensions": {"code": "TOO_MANY_IN_FLIGHT"}}]},
                status_code=429,
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        request.state.client = client
        request.state.wrote = admission.wrote  # where its reads may go (`entrypoints.read_routing`)
        request.state.token = token  # a subscription over SSE re-checks it at each event
        try:
            await self.app(scope, receive, send)
        finally:
            in_flight.leave(client.id)
