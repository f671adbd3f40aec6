"""The GraphQL schema, its protections and error policy, and the HTTP view that serves it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, Final, cast

import asyncpg
import orjson
import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types import ExecutionResult as StrawberryExecutionResult
from strawberry.types.execution import StreamExecutionResult
from strawberry.types.unset import UNSET, UnsetType

from credithub.domain.errors import DomainError
from credithub.entrypoints import pages
from credithub.entrypoints.auth import UNAUTHENTICATED, bearer_token
from credithub.entrypoints.projection import ProjectingExecutionContext
from credithub.services import audit, clients
from credithub.services.ports import Deps
from resolvers import Mutation, Query, Subscription
from resolvers.loaders import make_loaders
from schema.context import Context
from schema.subjects import Anchor, McnAgency, Merchant

MAX_DEPTH: Final = 12
MAX_ALIASES: Final = 15
MAX_TOKENS: Final = 2000
UNEXPECTED_ERROR: Final = "Unexpected error."
AUDIT_UNAVAILABLE: Final = "The answer holds credit information and could not be audited; try again."
UNSTORABLE_TEXT: Final = "Text may not contain control characters such as U+0000."
# What PostgreSQL says of a string it cannot hold: the domain refuses such text field by field
# (domain.texts); this catches any input that reaches a query unchecked (a filter, an id).
_UNSTORABLE: Final = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)

logger = logging.getLogger(__name__)

# Built once: the limiters' rule classes are part of ValidationCache's key, so a fresh class
# per request would miss the cache every time (strawberry#4635, shared/NOTES-graphql.md §1.2).
_LIMIT_RULES: Final = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(MAX_ALIASES).validation_rules,
]


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, (GraphQLError, DomainError, *_UNSTORABLE))


class ErrorPolicy(MaskErrors):
    """The one place GraphQL errors are shaped for clients.

    Domain errors keep their message and gain `extensions.code` plus their fields;
    syntax and validation errors pass through; anything else becomes "Unexpected error."
    (its traceback is logged by `CreditHubSchema.process_errors`)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message=UNEXPECTED_ERROR)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        return [self._shape(error) for error in errors]

    def _shape(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if isinstance(original, DomainError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions={"code": original.code, **original.details()},
            )
        if isinstance(original, _UNSTORABLE):
            code = {"code": "INVALID_VALUE"}
            return GraphQLError(UNSTORABLE_TEXT, nodes=error.nodes, path=error.path, extensions=code)
        if _is_unexpected(error):
            masked = self.anonymise_error(error)
            masked.extensions = {"code": "INTERNAL"}
            return masked
        return error


class AuditReads(SchemaExtension):
    """Every read of credit information is audited before the answer leaves (SPEC §8).

    Resolvers note what they read (`Context.note_reads`); after execution (for a subscription:
    before each event is sent) the reads are written in one statement. If that fails the answer
    is withheld: no credit information without a trail (fail closed)."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        if isinstance(context, Context):
            context.drop_loaders()  # a WebSocket context outlives operations: start each afresh
        yield

    async def on_execute(self) -> AsyncIterator[None]:
        yield
        await self._audit(self.execution_context.result)

    async def on_stream_result(self, result: StreamExecutionResult) -> AsyncIterator[None]:
        await self._audit(result)
        yield

    async def _audit(self, result: object) -> None:
        context = self.execution_context.context
        if not isinstance(context, Context) or not context.reads or context.client is None:
            return
        reads = context.take_reads()
        try:
            await audit.record_reads(context.deps, context.client, reads)
        except Exception:
            logger.exception("could not audit %d reads; the answer is withheld", len(reads))
            context.reads.update(reads)  # still owed: the next answer on this connection retries them
            if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult):
                result.data = None
                result.errors = [GraphQLError(AUDIT_UNAVAILABLE, extensions={"code": "AUDIT_UNAVAILABLE"})]


class CreditHubSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Log only what is unexpected: a bad credit code is the client's business, not an incident."""
        for error in errors:
            if _is_unexpected(error):
                logger.error("GraphQL resolver failed at %s", error.path, exc_info=error.original_error)


def build_schema(*, introspection: bool = True, projection: bool = True) -> CreditHubSchema:
    """`projection=False` leaves every field to graphql-core (the parity tests compare both)."""
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        ParserCache,
        ValidationCache,
        lambda: AddValidationRules(_LIMIT_RULES),
        lambda: MaxTokensLimiter(MAX_TOKENS),
        ErrorPolicy,
        AuditReads,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return CreditHubSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Merchant, Anchor, McnAgency],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=not introspection),
        execution_context_class=ProjectingExecutionContext if projection else None,
    )


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context and orjson. The bearer token has been checked
    by `entrypoints.auth` before a request gets here."""

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        deps: Deps = request.app.state.deps
        client = getattr(request.state, "client", None)  # set by BearerAuth on POST
        return Context(deps=deps, loader_factory=make_loaders, client=client, request=request, response=response)

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


def make_view(*, introspection: bool, graphiql: bool, allowed_origins: tuple[str, ...] = ()) -> GraphQLView:
    """`allowed_origins`: pages on these other origins may open the WebSocket too (browsers do not
    apply CORS to WebSockets; strawberry refuses other cross-origin handshakes)."""
    return GraphQLView(
        build_schema(introspection=introspection),
        graphql_ide="graphiql" if graphiql else None,
        allow_queries_via_get=False,
        allowed_origins=allowed_origins,
    )
