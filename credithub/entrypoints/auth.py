"""Bearer-token authentication in front of the GraphQL endpoint.

`Authorization: Bearer <token>` is required on every POST. The GraphiQL page itself (a GET
for HTML) and CORS preflights carry no credit data and pass without a token; WebSocket
connections authenticate in their `connection_init` payload instead.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from credithub.services import clients

UNAUTHENTICATED: Final = "a valid bearer token is required (Authorization: Bearer <token>)"
OPEN_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})


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
        client = await clients.authenticate(request.app.state.deps, token) if token else None
        if client is None:
            response = JSONResponse(
                {"errors": [{"message": UNAUTHENTICATED, "extensions": {"code": "UNAUTHENTICATED"}}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="credithub"'},
            )
            await response(scope, receive, send)
            return
        request.state.client = client
        await self.app(scope, receive, send)
