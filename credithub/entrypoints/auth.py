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
from dataclasses import dataclass
from typing import Final

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from credithub.domain.clients import Client
from credithub.domain.replication import WriteMark
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


@dataclass(frozen=True, slots=True)
class Admitted:
    """A client that may go on: who it is, its token (an SSE subscription re-checks it at each
    event) and where it last wrote (where its reads may go, `entrypoints.read_routing`). It holds
    one of its in-flight places until `leave`."""

    client: Client
    token: str
    wrote: WriteMark


async def admit(request: Request) -> Admitted | JSONResponse:
    """The client behind a request's Authorization header, admitted (a place in flight taken and
    `request.state` told who it is), or the refusal to send: 401 without a valid token, 429 over
    its rate or its requests in flight. The one gate of every GraphQL POST, on either answer path
    (`entrypoints.direct`)."""
    state = request.app.state
    token = bearer_token(request.headers.get("authorization"))
    client = await clients.authenticate(state.deps.for_work("api"), token) if token else None
    if client is None or token is None:
        return _refusal(401, UNAUTHENTICATED, "UNAUTHENTICATED", {"WWW-Authenticate": 'Bearer realm="credithub"'})
    gate: ClientGate = state.client_gate
    admission = await gate.admit(client.id)
    if admission.wait > 0:
        return _refusal(429, RATE_LIMITED, "RATE_LIMITED", {"Retry-After": str(math.ceil(admission.wait))})
    in_flight: InFlight = state.in_flight
    if not in_flight.try_enter(client.id):
        return _refusal(429, TOO_MANY_IN_FLIGHT, "TOO_MANY_IN_FLIGHT", {"Retry-After": "1"})
    request.state.client = client
    request.state.wrote = admission.wrote
    request.state.token = token
    return Admitted(client, token, admission.wrote)


def leave(state: State, admitted: Admitted) -> None:
    """The admitted request is answered: its client's place in flight is free again."""
    in_flight: InFlight = state.in_flight
    in_flight.leave(admitted.client.id)


def _refusal(status: int, message: str, code: str, headers: dict[str, str]) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status, headers=headers
    )


class BearerAuth:
    """Resolves the client from the token into `request.state.client`, or answers 401."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in OPEN_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        admitted = await admit(request)
        if isinstance(admitted, JSONResponse):
            await admitted(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            leave(request.app.state, admitted)
