"""Known queries executed without Strawberry's per-request machinery.

For every operation Strawberry builds an execution context, a fresh instance of each of the nine
schema extensions, a hook runner, and four stacks of context managers (operation, parsing,
validation, execution) whose hooks it enters and leaves one by one — about a sixth of a lookup's
CPU, though for a query it has answered before every one of those hooks does the same thing
again. `PreparedQueries` keeps, per query text and operation name, what does not change (the
parsed document, that it validates under the schema's rules, its operation's name) and runs the
hooks' effects as one fixed sequence around graphql-core's `execute`, in Strawberry's order:

1. operation start: fresh loaders and audit batch (`AuditReads`), the clock (`OperationMetrics`);
2. the cost (`CostLimit`, remembered per document and list sizes);
3. execution start: where reads go (`ReadRouting`, with a replica);
4. the document's compiled plan (`entrypoints.compiled`, ADR 0019), or where it gives up
   graphql-core's execute, both with the schema's execution context (projection, splice);
   unexpected errors logged (`CreditHubSchema.process_errors`);
5. execution end: the audit rows committed, or the answer withheld (`AuditReads`, fail closed);
6. operation end, in reverse: counted (`OperationMetrics`), then errors shaped (`ErrorPolicy`).

It answers only a query over HTTP whose document parses, holds no directive, names one
operation and validates without error under the same rules (depth, aliases, tokens, and no
introspection when it is off), within the cost limit. Anything else — a mutation, a document
with errors, one over its cost — returns None and goes through `schema.execute`, which shapes
every refusal as it always has. Tests run documents through both (tests/e2e/test_direct_path.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import DocumentNode, GraphQLError, OperationType, get_operation_ast, parse, specified_rules
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.http import GraphQLRequestData
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType
from strawberry.utils.operation import get_first_operation

from credithub.entrypoints import metrics, read_routing
from credithub.entrypoints.compiled import CompiledQuery
from credithub.entrypoints.graphql import (
    LIMIT_RULES,
    MAX_TOKENS,
    CostCache,
    CreditHubSchema,
    audit_answer,
    shape_error,
)
from credithub.entrypoints.projection import ProjectingExecutionContext, has_directive, static
from credithub.recent import Recent
from schema.context import Context

QUERY: Final = "query"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A query known to parse and validate: its document, its name as metrics give it, and its
    compiled plan (made on its first answer)."""

    document: DocumentNode
    name: str | None
    compiled: CompiledQuery = field(default_factory=CompiledQuery, compare=False)


class PreparedQueries:
    """The queries of one schema answered without its extension runner (None: not answered here)."""

    MAX_ENTRIES: Final = 512

    def __init__(self, schema: CreditHubSchema, *, max_cost: int, introspection: bool) -> None:
        self.schema = schema
        self.max_cost = max_cost
        self.rules = (*specified_rules, *LIMIT_RULES, *(() if introspection else (NoSchemaIntrospectionCustomRule,)))
        self.costs = CostCache()
        self.execute_function = schema._get_execute_function()
        # The schema's own execution context (projection, splice), told that a prepared document
        # holds no directive.
        context_class: type[Any] = schema.execution_context_class
        if issubclass(context_class, ProjectingExecutionContext):
            context_class = static(context_class)
        self.context_class = context_class
        self._known: Recent[tuple[str, object], Prepared | None] = Recent(self.MAX_ENTRIES)

    def prepared(self, query: str, operation_name: object) -> Prepared | None:
        return self._known.get((query, operation_name), lambda: self._prepare(query, operation_name))

    def _prepare(self, query: str, operation_name: object) -> Prepared | None:
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY or has_directive(document):
            return None
        if validate_document(self.schema._schema, document, self.rules):
            return None
        if operation_name is None:
            first = get_first_operation(document)
            operation_name = first.name.value if first is not None and first.name is not None else None
        return Prepared(document, operation_name)

    async def execute(self, request_data: GraphQLRequestData, context: Context) -> ExecutionResult | None:
        query = request_data.query
        if query is None:
            return None
        prepared = self.prepared(query, request_data.operation_name)
        if prepared is None or not self._affordable(prepared, request_data):
            return None
        started = time.perf_counter()
        context.drop_loaders()
        context.begin_delivery()
        read_routing.route_reads(context, StrawberryOperationType.QUERY)
        try:
            result = await self._run(prepared, request_data, context)
        except Exception as exc:  # as Strawberry answers an exception out of its hooks: no count, no shaping
            error = GraphQLError(str(exc), original_error=exc)
            self.schema.process_errors([error])
            return ExecutionResult(data=None, errors=[error])
        metrics.count_operation(
            context.request, prepared.name, QUERY, metrics.outcome(result, None), time.perf_counter() - started
        )
        errors = result.errors
        if errors:
            errors = [shape_error(error, prepared.document) for error in errors]
        return ExecutionResult(data=result.data, errors=errors or None)

    def _affordable(self, prepared: Prepared, request_data: GraphQLRequestData) -> bool:
        schema = self.schema._schema
        cost = self.costs.cost(
            schema, prepared.document, request_data.query, request_data.operation_name, request_data.variables
        )
        return cost is None or cost <= self.max_cost

    async def _run(
        self, prepared: Prepared, request_data: GraphQLRequestData, context: Context
    ) -> GraphQLExecutionResult:
        result = await self._compiled(prepared, request_data, context) or await self._executed(
            prepared, request_data, context
        )
        if result.errors:
            self.schema.process_errors(result.errors)
        await audit_answer(context, result)
        return result

    async def _compiled(
        self, prepared: Prepared, request_data: GraphQLRequestData, context: Context
    ) -> GraphQLExecutionResult | None:
        """The answer of the compiled plan, or None where graphql-core must answer."""
        if not issubclass(self.context_class, ProjectingExecutionContext):
            return None
        plan = prepared.compiled
        operation_name = request_data.operation_name
        plan.plan(self.context_class, self.schema._schema, prepared.document, request_data.variables, operation_name)
        data = await plan.answer(context, request_data.variables, request_data.extensions)
        return None if data is None else GraphQLExecutionResult(data=data, errors=None)

    async def _executed(
        self, prepared: Prepared, request_data: GraphQLRequestData, context: Context
    ) -> GraphQLExecutionResult:
        result = self.execute_function(
            self.schema._schema,
            prepared.document,
            variable_values=request_data.variables,
            operation_name=request_data.operation_name,
            context_value=context,
            is_awaitable=optimized_is_awaitable,
            executor_class=self.context_class,
            operation_extensions=request_data.extensions,
        )
        if optimized_is_awaitable(result):
            result = await result
        assert isinstance(result, GraphQLExecutionResult)  # no @defer: has_directive keeps those out
        return result
