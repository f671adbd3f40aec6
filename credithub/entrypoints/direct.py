"""The direct answer path: a program's GraphQL POST or webhook delivery, answered by one ASGI callable.

Nearly every request the hub serves is one of two shapes: a platform's lookup, `POST /graphql`
with `Content-Type: application/json`, and a platform's webhook delivery, `POST
/webhooks/{platform}` — both from a program rather than a browser page. The general path hands
such a request through Starlette's error, body-limit, CORS and exception middlewares,
`RequestLog` and the router (and for GraphQL `BearerAuth`, `GraphQLBodyCheck` and Strawberry's
HTTP view), each wrapping `send` or `receive`, building its own Request or Response object, or
re-reading headers. `DirectPath` does the same work in one pass, with the same functions. What
both routes share has one owner here: which requests it takes (`takes`), the request id, its log
line, the statement count and the HTTP metrics under the route's template (`logs`), and an
exception the app maps (`http_errors`) answered by the same handler (`_answer_or_handle`). Then:

- GraphQL: the bearer token, the client's rate and its requests in flight (`auth.admit`); the
  body's checks (`bodies.parse_graphql_body`) and Strawberry's checks of its fields; the
  execution (`graphql.execute_request`: the same schema, extensions and audit trail); the media
  type and status of the answer (`graphql_over_http`), the body encoded by orjson.
- Webhooks: the same endpoint the router calls (`webhooks.receive`), given a Request whose
  `path_params` are matched by the same Starlette `Route` (`WEBHOOK_ROUTE`, which the router
  serves too), and the response it returns.

It takes a request only when nothing else could apply to it (`takes`), decided on the request
line and headers alone: a POST to exactly `/graphql` or `/webhooks/<one segment>`, no `Origin`
header (CORS), no `Transfer-Encoding`, a `Content-Length` within the body limit; for GraphQL also
JSON and no stream asked for in `Accept` (SSE). Everything else — GraphiQL, preflights, browser
pages, SSE, other content types, chunked bodies or bodies of unknown or excessive length — goes
through the general stack, as do all requests when tracing is on (its middleware opens a span per
request) or `CREDITHUB_GRAPHQL_DIRECT=false` (the one switch for both routes). Tests send the same
requests down both paths and compare the answers (tests/e2e/test_direct_path.py,
tests/e2e/test_direct_webhooks.py). Why it exists and when to remove it:
docs/adr/0016-a-direct-answer-path.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from strawberry.http import GraphQLRequestData, process_result

from credithub.entrypoints import auth, bodies, graphql_over_http, logs, webhooks
from credithub.entrypoints.graphql import CreditHubSchema, GraphQLView, execute_request
from credithub.entrypoints.metrics import Metrics
from credithub.entrypoints.prepared import PreparedQueries

ROUTE: Final = "/graphql"
# The webhook route, served by the router (app.api_routes) and matched here by the same object:
# one template for the metrics' label, one way of cutting `platform` out of the (decoded) path.
WEBHOOK_ROUTE: Final = Route("/webhooks/{platform}", webhooks.receive, methods=["POST"])
WEBHOOK_PREFIX: Final = "/webhooks/"
VARY_ORIGIN: Final = (b"vary", b"Origin")  # what CORSMiddleware adds to an answer to a request without Origin
STREAMS: Final = (b"text/event-stream", b"multipart/mixed")  # what asks Strawberry for a stream
QUERY_NOT_TEXT: Final = "The GraphQL operation's `query` must be a string or null, if provided."
VARIABLES_NOT_OBJECT: Final = "The GraphQL operation's `variables` must be an object or null, if provided."
EXTENSIONS_NOT_OBJECT: Final = "The GraphQL operation's `extensions` must be an object or null, if provided."

ExceptionHandlers = Mapping[Any, Any]
Answer = Callable[[Scope, Receive, Send], Awaitable[None]]


class DirectPath:
    """Answers the requests it `takes`; the app sends it those before its own middleware stack."""

    def __init__(
        self,
        view: GraphQLView,
        metrics: Metrics,
        exception_handlers: ExceptionHandlers,
        *,
        max_body_bytes: int,
        max_cost: int,
        introspection: bool,
    ) -> None:
        self.graphql = DirectGraphQL(view, max_cost=max_cost, introspection=introspection)
        self.metrics = metrics
        self.exception_handlers = exception_handlers
        self.max_body_bytes = max_body_bytes

    def takes(self, scope: Scope) -> bool:
        """Whether the general stack would do nothing here that this path does not: decided on
        the request line and headers alone, before anything is read."""
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            return False
        path = scope["path"]
        if path == ROUTE:
            graphql = True
        elif path.startswith(WEBHOOK_PREFIX) and WEBHOOK_ROUTE.path_regex.match(path):
            graphql = False
        else:
            return False
        json = sized = False
        for name, value in scope["headers"]:
            if name == b"content-type":
                json = value.split(b";", 1)[0].strip().lower() == b"application/json"
            elif name == b"content-length":
                sized = value.isdigit() and int(value) <= self.max_body_bytes
            elif name == b"accept":
                if graphql and any(stream in value.lower() for stream in STREAMS):
                    return False
            elif name in (b"origin", b"transfer-encoding"):
                return False
        return sized and (json or not graphql)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] == ROUTE:
            route, answer = _graphql_route, self.graphql.answer
        else:
            route, answer = _webhook_route, _answer_webhook
        async with logs.logged(self.metrics, scope, send, route) as send_with_id:
            await self._answer_or_handle(answer, scope, receive, send_with_id)

    async def _answer_or_handle(self, answer: Answer, scope: Scope, receive: Receive, send: Send) -> None:
        """An exception the app has a handler for is answered by it, as Starlette's exception
        middleware would; any other is a 500, raised on for the server to log. Every answer but
        that 500 says it varies by `Origin`, as the CORS middleware's do for a request without one."""
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = [*message.get("headers", ()), VARY_ORIGIN]
            await send(message)

        try:
            await answer(scope, receive, sending)
        except Exception as exc:
            if started:
                raise
            handler = _handler_for(self.exception_handlers, exc)
            if handler is None:
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
                raise
            response: Response = await handler(Request(scope, receive), exc)
            await response(scope, receive, sending)


async def _answer_webhook(scope: Scope, receive: Receive, send: Send) -> None:
    """What the router and Starlette's endpoint wrapper do for the route: its `path_params` (and
    endpoint) in the scope, the endpoint called with a Request, the response it returns sent."""
    _, matched = WEBHOOK_ROUTE.matches(scope)
    scope.update(matched)
    scope["route"] = WEBHOOK_ROUTE
    response = await webhooks.receive(Request(scope, receive))
    await response(scope, receive, send)


class DirectGraphQL:
    """The GraphQL route of the direct path: admission, body checks, execution, the answer."""

    def __init__(self, view: GraphQLView, *, max_cost: int, introspection: bool) -> None:
        self.view = view
        assert isinstance(view.schema, CreditHubSchema)
        self.prepared = PreparedQueries(view.schema, max_cost=max_cost, introspection=introspection)

    async def answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        admitted = await auth.admit(request)
        if isinstance(admitted, Response):
            await admitted(scope, receive, send)
            return
        try:
            await self._execute(request, send)
        finally:
            auth.leave(request.app.state, admitted)

    async def _execute(self, request: Request, send: Send) -> None:
        parsed = bodies.parse_graphql_body(await bodies.read_body(request.receive))
        if isinstance(parsed, tuple):
            await bodies.send_json(send, 400, bodies.error_body(*parsed))
            return
        state = request.state
        context = self.view.make_context(request, state.client, state.token)
        try:
            data = _request_data(parsed)
            result = await self.prepared.execute(data, context) or await execute_request(
                self.view.schema, data, context, "POST"
            )
        except HTTPException as exc:
            await bodies.send_json(send, exc.status_code, bodies.error_body(exc.reason, bodies.BAD_REQUEST))
            return
        media_type = graphql_over_http.negotiate(request.headers.get("accept"))
        status, body = graphql_over_http.shape(media_type, process_result(result))
        encoded = orjson.dumps(body)
        headers = [
            (b"content-length", str(len(encoded)).encode()),
            (b"content-type", f"{media_type}; charset=utf-8".encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})


def _request_data(data: Mapping[str, Any]) -> GraphQLRequestData:
    """The operation a body asks for, refused as Strawberry's view refuses it."""
    query, variables, extensions = data.get("query"), data.get("variables"), data.get("extensions")
    if not isinstance(query, str | None):
        raise HTTPException(400, QUERY_NOT_TEXT)
    if not isinstance(variables, dict | None):
        raise HTTPException(400, VARIABLES_NOT_OBJECT)
    if not isinstance(extensions, dict | None):
        raise HTTPException(400, EXTENSIONS_NOT_OBJECT)
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=data.get("operationName"), extensions=extensions
    )


def _handler_for(handlers: ExceptionHandlers, exc: Exception) -> Any:
    """The handler Starlette would pick: the first class in the exception's MRO that has one."""
    for cls in type(exc).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None


def _graphql_route(scope: Scope) -> str:
    return ROUTE


def _webhook_route(scope: Scope) -> str:
    return WEBHOOK_ROUTE.path  # the template, as RequestLog labels it: `/webhooks/{platform}`
