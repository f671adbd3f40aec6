"""The GraphQL schema, its protections and error policy, and the HTTP view that serves it."""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import logging
import math
import re
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, ClassVar, Final, cast

import asyncpg
import orjson
import strawberry
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import (
    ArgumentNode,
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    Node,
    ObjectFieldNode,
    Visitor,
    get_operation_ast,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    StreamResultContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.streaming import HTTPStreamTransport, SSETransport
from strawberry.schema.base import BaseSchema
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import validate_document
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL, GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionContext
from strawberry.types import ExecutionResult as StrawberryExecutionResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType
from strawberry.utils.await_maybe import await_maybe

from credithub.db.pool import OUTAGE
from credithub.domain.clients import Client
from credithub.domain.errors import DomainError, InvalidInput, PermissionDenied, QueryTooCostly, RateLimited
from credithub.entrypoints import graphql_over_http, pages
from credithub.entrypoints.auth import UNAUTHENTICATED, bearer_token
from credithub.entrypoints.cost import DEFAULT_MAX_COST, compute_cost
from credithub.entrypoints.metrics import OperationMetrics
from credithub.entrypoints.projection import (
    DecodingExecutionContext,
    MaterializingExecutionContext,
    ProjectingExecutionContext,
)
from credithub.entrypoints.read_routing import ReadRouting
from credithub.recent import Recent
from credithub.services import audit, clients
from credithub.services.ports import Deps
from credithub.services.status_feed import REVOKED
from resolvers import Mutation, Query, Subscription
from resolvers.loaders import RequestLoaders
from schema.context import Context
from schema.scalars import SCALAR_FIELD, SCALAR_MAP
from schema.subjects import Anchor, McnAgency, Merchant

MAX_DEPTH: Final = 12
MAX_ALIASES: Final = 15
MAX_TOKENS: Final = 2000
UNEXPECTED_ERROR: Final = "Unexpected error."
DATABASE_UNAVAILABLE: Final = "The hub's database is unavailable for a moment; try again shortly."
QUERY_TIMEOUT: Final = (
    "This took longer than the hub allows a request; ask for less at once (smaller pages or batches)."
)
AUDIT_UNAVAILABLE: Final = "The answer holds credit information and could not be audited; try again."
UNSTORABLE_TEXT: Final = "Text must be valid Unicode (no lone surrogates) without control characters such as U+0000."
SUBSCRIPTION_NEEDS_STREAM: Final = (
    "Subscriptions are served as a stream: send this request with `Accept: text/event-stream` "
    "(Server-Sent Events), or over WebSocket with the graphql-transport-ws protocol."
)
# graphql-transport-ws and SSE; the legacy `graphql-ws` subprotocol is refused at the handshake.
SUBSCRIPTION_PROTOCOLS: Final = (GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_SSE_PROTOCOL)
# What PostgreSQL says of a string it cannot hold: the domain refuses such text field by field
# (domain.texts); this catches any input that reaches a query unchecked (a filter, an id).
_UNSTORABLE: Final = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
    UnicodeEncodeError,  # a lone surrogate (written "\ud800" in the document) cannot be sent as UTF-8
)

logger = logging.getLogger(__name__)

# Built once: the limiters' rule classes are part of the validation cache's key, so a fresh class
# per request would miss the cache every time (strawberry#4635).
LIMIT_RULES: Final = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(MAX_ALIASES).validation_rules,
]


class CachedValidation(SchemaExtension):
    """Validation errors of the documents a schema was asked lately, keyed by the query text (with
    the parse options and rules that made them). Strawberry's ValidationCache keys them by the
    parsed document, and hashing a document walks all of its nodes on every request."""

    def __init__(self, known: ValidationResults) -> None:
        self.known = known

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = self.known.errors(context)
        yield


class ValidationResults:
    MAX_ENTRIES: Final = 512

    def __init__(self) -> None:
        self._known: Recent[tuple[object, ...], list[GraphQLError]] = Recent(self.MAX_ENTRIES)

    def errors(self, context: ExecutionContext) -> list[GraphQLError]:
        document = context.graphql_document
        assert document is not None
        if context.query is None:  # a document given already parsed: nothing to key it by
            return validate_document(context.schema._schema, document, context.validation_rules)
        key = (context.query, *sorted(context.parse_options.items()), context.validation_rules)
        return self._known.get(
            key, lambda: validate_document(context.schema._schema, document, context.validation_rules)
        )


class DocumentLimits(SchemaExtension):
    """The token limit for parsing, and the depth and alias rules for validation, in one hook
    (what MaxTokensLimiter and AddValidationRules each do in one of their own)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = (*context.validation_rules, *LIMIT_RULES)
        yield


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    known = (GraphQLError, DomainError, asyncpg.QueryCanceledError, *OUTAGE, *_UNSTORABLE)
    return original is not None and not isinstance(original, known)


def _domain_error(error: GraphQLError) -> DomainError | None:
    """The domain error behind `error`, also when graphql-core wrapped it while coercing an
    input (a scalar's parse error becomes the cause of a variable's or a literal's error)."""
    cause: BaseException | None = error.original_error
    for _ in range(4):
        if isinstance(cause, DomainError):
            return cause
        if not isinstance(cause, GraphQLError):
            return None
        cause = cause.original_error
    return None


_VARIABLE_ERROR: Final = re.compile(r"^Variable '\$([A-Za-z_]\w*)' has invalid value(?: at )?((?:\.\w+|\[\d+\])*)")


def _input_path(error: GraphQLError, document: DocumentNode | None) -> str | None:
    """Which input a coercion error is about: the variable and the path inside it, or for a
    literal in the document, the argument and the fields leading to the value."""
    variable = _VARIABLE_ERROR.match(error.message)
    if variable is not None:
        return variable.group(1) + variable.group(2)
    if document is None or not error.nodes:
        return None
    return _literal_path(document, error.nodes[0])


def _literal_path(document: DocumentNode, target: Node) -> str | None:
    found: list[str] = []

    class Finder(Visitor):
        def __init__(self) -> None:
            super().__init__()
            self.names: list[str] = []

        def enter(self, node: Node, *_args: object) -> None:
            if isinstance(node, ArgumentNode | ObjectFieldNode):
                self.names.append(node.name.value)
            if node is target and not found:
                found.append(".".join(self.names))

        def leave(self, node: Node, *_args: object) -> None:
            if isinstance(node, ArgumentNode | ObjectFieldNode):
                self.names.pop()

    visit(document, Finder())
    return found[0] if found and found[0] else None


class ErrorPolicy(MaskErrors):
    """The one place GraphQL errors are shaped for clients.

    Domain errors keep their message and gain `extensions.code` plus their fields;
    syntax and validation errors pass through; anything else becomes "Unexpected error."
    (its traceback is logged by `CreditHubSchema.process_errors`)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message=UNEXPECTED_ERROR)

    def _process_result(self, result: object) -> None:
        # MaskErrors checks `result` against a runtime-checkable Protocol, which costs more than
        # the rest of this hook on a request without errors.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        document = self.execution_context.graphql_document
        return [shape_error(error, document) for error in errors]


def shape_error(error: GraphQLError, document: DocumentNode | None) -> GraphQLError:
    """What the client is told of `error` (ErrorPolicy's rule, shared with `entrypoints.prepared`)."""
    original = error.original_error
    domain = _domain_error(error)
    if domain is not None:
        if isinstance(domain, InvalidInput) and domain.field == SCALAR_FIELD:
            domain = _name_input(error, domain, document)
        return GraphQLError(
            domain.message,
            nodes=error.nodes,
            path=error.path,
            extensions={"code": domain.code, **domain.details()},
        )
    if isinstance(original, _UNSTORABLE):
        code = {"code": "INVALID_VALUE"}
        return GraphQLError(UNSTORABLE_TEXT, nodes=error.nodes, path=error.path, extensions=code)
    if isinstance(original, asyncpg.QueryCanceledError):  # the statement timeout for GraphQL work
        code = {"code": "QUERY_TIMEOUT"}
        return GraphQLError(QUERY_TIMEOUT, nodes=error.nodes, path=error.path, extensions=code)
    if isinstance(original, OUTAGE):
        logger.warning("GraphQL at %s: the database is unavailable: %s", error.path, original)
        code = {"code": "UNAVAILABLE"}
        return GraphQLError(DATABASE_UNAVAILABLE, nodes=error.nodes, path=error.path, extensions=code)
    if _is_unexpected(error):
        masked = GraphQLError(  # MaskErrors.anonymise_error's message, without the original
            UNEXPECTED_ERROR, nodes=error.nodes, source=error.source, positions=error.positions, path=error.path
        )
        masked.extensions = {"code": "INTERNAL"}
        return masked
    _code_document_error(error)
    return error


def _name_input(error: GraphQLError, domain: InvalidInput, document: DocumentNode | None) -> InvalidInput:
    """A scalar's error names the argument it was given for, not just the scalar."""
    path = _input_path(error, document)
    if path is None:
        return domain
    renamed = copy.copy(domain)
    renamed.message = domain.message.replace(SCALAR_FIELD, path, 1)
    renamed.field = path
    return renamed


class AuditReads(SchemaExtension):
    """Every read of credit information is audited before the answer leaves.

    Resolvers note what they read (`Context.note_reads`); after execution (for a subscription:
    before each event is sent) the reads are written in one statement. If that fails the answer
    is withheld: no credit information without a trail (fail closed)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.drop_loaders()  # a WebSocket context outlives operations: start each afresh
            context.begin_delivery()  # and each operation's reads are audited, whatever came before
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await self._audit(self.execution_context.result)

    async def on_stream_result(self, result: StreamExecutionResult) -> AsyncIterator[None]:
        await self._audit(result)
        yield

    async def _audit(self, result: object) -> None:
        await audit_answer(self.execution_context.context, result)


async def audit_answer(context: object, result: object) -> None:
    """The reads noted for `result` written to the audit trail, or the answer withheld (AuditReads'
    rule, shared with `entrypoints.prepared`)."""
    if not isinstance(context, Context) or not context.reads or context.client is None:
        return
    reads = context.take_reads()
    try:
        await audit.record_reads(context.deps, context.client, reads, context.purpose)
        context.audited.update(reads)
    except Exception:
        logger.exception("could not audit %d reads; the answer is withheld", len(reads))
        context.reads.update(reads)  # still owed: the next answer on this connection retries them
        if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult):
            result.data = None
            result.errors = [GraphQLError(AUDIT_UNAVAILABLE, extensions={"code": "AUDIT_UNAVAILABLE"})]


class WebSocketGate(SchemaExtension):
    """Every operation over a WebSocket is authorised afresh — a revoked token is refused on the
    next message, not at the next connection — and counts against the client's rate limit like
    an HTTP request. (HTTP requests pass `entrypoints.auth.BearerAuth` instead.)

    The refusal is given as a validation error: that is the step before execution whose errors
    Strawberry answers with, over either protocol, without running anything."""

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context) and isinstance(context.request, WebSocket) and context.token is not None:
            refusal = await self._refusal(context)
            if refusal is not None:
                # A new list: CachedValidation may have put its cached (shared) one here.
                self.execution_context.pre_execution_errors = [
                    *(self.execution_context.pre_execution_errors or []),
                    _refusal(refusal),
                ]
        yield

    async def _refusal(self, context: Context) -> DomainError | None:
        client = await clients.authenticate(context.deps, context.token or "")
        if client is None:
            return PermissionDenied(REVOKED)
        context.client = client
        admission = await context.request.app.state.client_gate.admit(client.id)
        if admission.wait > 0:
            return RateLimited(math.ceil(admission.wait))
        return None


class CostLimit(SchemaExtension):
    """Refuses, before execution, a request that asks for more objects than CREDITHUB_MAX_QUERY_COST
    (`entrypoints.cost`), counting list sizes from the document and the variables alike."""

    def __init__(self, limit: int, costs: CostCache) -> None:
        self.limit = limit
        self.costs = costs

    def on_validate(self) -> Iterator[None]:
        # Before yielding: CachedValidation (listed earlier) has validated by now, and errors set
        # after the yield would come too late to stop execution.
        self._check()
        yield

    def _check(self) -> None:
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.pre_execution_errors:
            return  # invalid documents are refused for what is wrong with them
        schema = context.schema._schema
        cost = self.costs.cost(schema, document, context.query, context.operation_name, context.variables)
        if cost is not None and cost > self.limit:
            context.pre_execution_errors = [_refusal(QueryTooCostly(cost, self.limit))]


class CostCache:
    """Costs of the documents a schema was asked lately. A cost reads the variables only for the
    sizes of lists and the integers they hold (`entrypoints.cost`), so those are all the key
    needs of them: the same lookup with another credit code costs what it cost before."""

    MAX_ENTRIES: Final = 512

    def __init__(self) -> None:
        self._known: Recent[tuple[object, ...], int | None] = Recent(self.MAX_ENTRIES)

    def cost(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        query: str | None,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> int | None:
        """None: no operation to count (the document's own errors say why)."""
        if query is None:
            return _cost(schema, document, operation_name, variables)
        key = (query, operation_name, *sorted((name, _size(value)) for name, value in (variables or {}).items()))
        return self._known.get(key, lambda: _cost(schema, document, operation_name, variables))


def _size(value: object) -> object:
    """What `entrypoints.cost` can read of a variable: a list's length or an integer."""
    if isinstance(value, list | tuple):
        return ("list", len(value))
    return value if isinstance(value, int) else None


def _cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> int | None:
    try:
        operation = get_operation_ast(document, operation_name)
    except GraphQLError:
        return None
    if operation is None:
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return compute_cost(schema, operation, fragments, variables)


def _refusal(error: DomainError) -> GraphQLError:
    """An operation refused before it runs, shaped as ErrorPolicy shapes domain errors (it has not
    seen it: the refusal happens before its own hooks)."""
    return GraphQLError(error.message, extensions={"code": error.code, **error.details()}, original_error=error)


def _code_document_error(error: GraphQLError) -> None:
    """The document itself is wrong — it does not parse, or does not fit the schema or its limits:
    say so with a code, like every other client mistake."""
    if (error.extensions or {}).get("code") or error.path is not None or _is_unexpected(error):
        return
    code = "GRAPHQL_PARSE_FAILED" if error.message.startswith("Syntax Error") else "GRAPHQL_VALIDATION_FAILED"
    error.extensions = {**(error.extensions or {}), "code": code}


_NOT_OURS: Final = object()  # a hook strawberry wraps itself (a plain callable)
_HOOK_FACTORIES: dict[tuple[type[SchemaExtension], str], Any] = {}


def _hook_factory(extension_class: type[SchemaExtension], hook_name: str) -> Any:
    """How to enter `hook_name` of an extension of this class: its generator method made a context
    manager once, not on every request (strawberry's own runner inspects and wraps every hook of
    every extension per request). None: the class leaves the hook out."""
    key = (extension_class, hook_name)
    if key not in _HOOK_FACTORIES:
        _HOOK_FACTORIES[key] = _make_hook_factory(extension_class, hook_name)
    return _HOOK_FACTORIES[key]


def _make_hook_factory(extension_class: type[SchemaExtension], hook_name: str) -> Any:
    hook = getattr(extension_class, hook_name)
    if hook is getattr(SchemaExtension, hook_name):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    return _NOT_OURS


class _Hooks(ExtensionContextManagerBase):
    """The hooks of one lifecycle step, entered and left as strawberry's runner does."""

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.default_hook = getattr(SchemaExtension, self.HOOK_NAME)
        self.hooks = []
        for extension in extensions:
            factory = _hook_factory(type(extension), self.HOOK_NAME)
            if factory is None:
                continue
            if factory is _NOT_OURS:
                hook = self.get_hook(extension)
                if hook is not None:
                    self.hooks.append(hook)
                continue
            make, is_async = factory
            self.hooks.append(WrappedHook(extension, functools.partial(make, extension), is_async))


class _OperationHooks(_Hooks, OperationContextManager):
    pass


class _ParsingHooks(_Hooks, ParsingContextManager):
    pass


class _ValidationHooks(_Hooks, ValidationContextManager):
    pass


class _ExecutingHooks(_Hooks, ExecutingContextManager):
    pass


class _StreamResultHooks(_Hooks, StreamResultContextManager):
    def __init__(self, extensions: list[SchemaExtension], result: StreamExecutionResult) -> None:
        self.result = result
        _Hooks.__init__(self, extensions)


class _Runner(SchemaExtensionsRunner):
    """Strawberry's runner, with each extension class's hooks looked up once per process."""

    def operation(self) -> OperationContextManager:
        return _OperationHooks(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _ValidationHooks(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _ParsingHooks(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _ExecutingHooks(self.extensions)

    def on_stream_result(self, result: StreamExecutionResult) -> StreamResultContextManager:
        return _StreamResultHooks(self.extensions, result)

    async def get_extensions_results(self, ctx: ExecutionContext) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for extension in self.extensions:
            if type(extension).get_results is not SchemaExtension.get_results:  # none of ours has results
                data.update(await await_maybe(extension.get_results()))
        data.update(ctx.extensions_results)
        return data


class CreditHubSchema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return _Runner(execution_context=execution_context, extensions=extensions)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log only what is unexpected: a bad credit code is the client's business, not an incident.
        Errors raised before execution (parsing in ParserCache) never pass ErrorPolicy: they get
        their code here."""
        for error in errors:
            _code_document_error(error)
            if _is_unexpected(error):
                logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)


def build_schema(
    *,
    introspection: bool = True,
    projection: bool = True,
    splice: bool = True,
    max_cost: int = DEFAULT_MAX_COST,
    read_routing: bool = True,
) -> CreditHubSchema:
    """`projection=False` leaves every field to graphql-core, `splice=False` decodes every stored
    status before projecting it (the parity tests compare them).
    `read_routing=False` (no replica configured) spares every operation the ReadRouting hook,
    which would find nothing to route."""
    costs = CostCache()
    validations = ValidationResults()
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ParserCache,
        lambda: CachedValidation(validations),
        WebSocketGate,  # after CachedValidation, which sets the validation result it cached
        *([ReadRouting] if read_routing else []),
        lambda: CostLimit(max_cost, costs),
        DocumentLimits,
        ErrorPolicy,
        AuditReads,
        OperationMetrics,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return CreditHubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Merchant, Anchor, McnAgency],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not introspection, scalar_map=SCALAR_MAP),
        execution_context_class=_execution_context(projection=projection, splice=splice),
    )


def _execution_context(*, projection: bool, splice: bool) -> type[MaterializingExecutionContext]:
    if not projection:
        return MaterializingExecutionContext
    return ProjectingExecutionContext if splice else DecodingExecutionContext


class SSE(SSETransport):
    """Server-Sent Events that open with a comment: the server sends the response's headers with
    its first bytes, and a client should not wait for the first event (or the first heartbeat,
    15 s later) to know its subscription is open."""

    send_initial_heartbeat: ClassVar[bool] = True


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, orjson, and the graphql-over-http spec's media
    types and status codes (`graphql_over_http`). The bearer token has been checked by
    `entrypoints.auth` before a request gets here."""

    stream_transport_classes_by_protocol: Mapping[str, type[HTTPStreamTransport]] = {GRAPHQL_SSE_PROTOCOL: SSE}

    _api_deps: tuple[Deps, Deps] | None = None  # the app's Deps, and the same on the GraphQL pool

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        client = getattr(request.state, "client", None)  # set by BearerAuth on POST
        # An SSE subscription re-checks its token at each event, like a WebSocket's.
        return self.make_context(request, client, getattr(request.state, "token", None), response)

    def make_context(
        self, request: Request | WebSocket, client: Client | None, token: str | None, response: object = None
    ) -> Context:
        """The context of one request (or WebSocket connection), on either answer path."""
        deps = self._deps_for_api(request.app.state.deps)
        context = Context(deps=deps, loader_factory=RequestLoaders, client=client, request=request, response=response)
        context.token = token
        return context

    def _deps_for_api(self, deps: Deps) -> Deps:
        """`deps.for_work("api")`, made once rather than copied for every request."""
        if self._api_deps is None or self._api_deps[0] is not deps:
            self._api_deps = (deps, deps.for_work("api"))
        return self._api_deps[1]

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            sub_response.media_type = graphql_over_http.negotiate(request.headers.get("accept"))
        return sub_response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media_type = sub_response.media_type or graphql_over_http.JSON
        status: int = 200
        body: object = response_data
        if isinstance(response_data, dict):
            status, body = graphql_over_http.shape(media_type, response_data)
        response = Response(self.encode_json(body), status_code=sub_response.status_code or status)
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers["content-type"] = f"{media_type}; charset=utf-8"
        response.background = sub_response.background
        return response

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> StrawberryExecutionResult:
        return await execute_request(self.schema, request_data, context, request_adapter.method)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """WebSocket clients authenticate in `connection_init`: {"Authorization": "Bearer <token>"}."""
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        client = await clients.authenticate(context.deps, token) if token else None
        if client is None:
            raise ConnectionRejectionError({"message": UNAUTHENTICATED})
        context.client = client
        context.token = token
        return cast(UnsetType, UNSET)

    async def render_graphql_ide(self, request: Request) -> Response:
        """Our GraphiQL page: local assets only, the token asked once for HTTP and WebSocket alike."""
        return pages.GRAPHIQL.response()

    def encode_json(self, data: Any) -> str:
        # str, not bytes: bytes would make strawberry send binary WebSocket frames.
        return orjson.dumps(data).decode()


async def execute_request(
    schema: BaseSchema, request_data: GraphQLRequestData, context: Context, method: str
) -> StrawberryExecutionResult:
    """One operation answered as one response, on either answer path (`entrypoints.direct`).
    Streams (SSE) never come here, so a subscription here has nothing to carry it: the client's
    mistake, a 400 saying how."""
    allowed = {OperationType.QUERY, OperationType.MUTATION} if method == "POST" else set()
    try:
        return await schema.execute(
            request_data.query,
            variable_values=request_data.variables,
            context_value=context,
            operation_name=request_data.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=request_data.extensions,
        )
    except InvalidOperationTypeError as exc:
        if exc.operation_type is OperationType.SUBSCRIPTION:
            raise HTTPException(400, SUBSCRIPTION_NEEDS_STREAM) from exc
        raise HTTPException(400, exc.as_http_error_reason(method)) from exc
    except CannotGetOperationTypeError as exc:
        raise HTTPException(400, exc.as_http_error_reason()) from exc
    except MissingQueryError as exc:
        raise HTTPException(400, "No GraphQL query found in the request") from exc


def make_view(
    *,
    introspection: bool,
    graphiql: bool,
    max_subscriptions: int = 20,
    max_cost: int = DEFAULT_MAX_COST,
    allowed_origins: tuple[str, ...] = (),
    read_routing: bool = True,
) -> GraphQLView:
    """`allowed_origins`: pages on these other origins may open the WebSocket too (browsers do not
    apply CORS to WebSockets; strawberry refuses other cross-origin handshakes). `read_routing`:
    whether a replica is configured (`build_schema`)."""
    return GraphQLView(
        build_schema(introspection=introspection, max_cost=max_cost, read_routing=read_routing),
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
        # Operations in flight on one WebSocket; the feed also caps a client's subscriptions per instance.
        max_subscriptions_per_connection=max_subscriptions,
        subscription_protocols=SUBSCRIPTION_PROTOCOLS,
        allowed_origins=allowed_origins,
    )
