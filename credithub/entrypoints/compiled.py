"""Prepared queries answered by a plan made from their document, without graphql-core's
field-by-field execution (docs/adr/0019-compiled-answers-for-prepared-queries.md).

graphql-core executes every field through the same generic steps (collect the selection, build
a resolve info, look the arguments up, call the resolver, check for awaitables, complete by
type, gather, track paths and errors); for a single lookup that is some 40% of the CPU the
hub spends. A prepared query (`entrypoints.prepared`: known to parse and validate, a query,
no directive) is the same document every time, so `CompiledQuery` walks it once, on its first
answer, into a tree of small steps: per selected field its resolver (or the attribute it reads)
and how its value is completed; subtrees the projection answers (`entrypoints.projection`:
plain attributes, stored statuses spliced) are handed to it whole.

Semantics stay graphql-core's where they matter and are graphql-core's where they could
differ: each resolver is called as graphql-core calls it (the schema's own execution context
builds its resolve info and looks its arguments up) — where Strawberry's wrapper around a
resolver would only pass scalar arguments on (no field extension, no exception handler), its
function is called with what the wrapper would give it (`strawberry_call`) — leaves are
serialised by their types, sibling fields that wait run concurrently (DataLoaders batch as
before). Each answer runs on a copy of the executor the plan was made with, with the request's
own context value and coerced variables (as graphql-core copies one per subscription event),
not on one built from the document again.

But anything that would make graphql-core report an error — a resolver raising, a null where
the schema says non-null, a value of an unexpected type, variables that do not coerce — is not
reported here: the plan gives up (`GiveUp`) and graphql-core answers the whole operation
again, errors and partial data as always. Queries read; their resolvers may run twice then
(their DataLoaders keep what they loaded, and the reads noted for the audit trail are a set).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Final, cast

from graphql import (
    DocumentNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.executor import CollectedErrors
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.relay.types import GlobalID
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.arguments import _is_leaf_type
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.field import StrawberryField

from credithub.entrypoints.projection import (
    NotProjectable,
    ProjectingExecutionContext,
    leaf_serializer,
    plain_attribute,
)

Complete = Callable[[ProjectingExecutionContext, Any, Any, Path], Any]
"""(execution context, value, resolve info of the field or None, path) → JSON, or an awaitable of it."""

TYPENAME: Final = "__typename"
MAX_COERCION_ERRORS: Final = 50  # graphql-core's default, as `Executor.build` coerces


class GiveUp(Exception):
    """The plan does not answer this operation: graphql-core does."""


class _Later:
    """A value still to come: its `parts` (a resolver's awaitable, or other _Later) awaited
    together, then `finish`ed. Giving up, whatever was started but not awaited is `close`d."""

    __slots__ = ("finish", "parts")

    def __init__(self, parts: list[Any], finish: Callable[[list[Any]], Any]) -> None:
        self.parts = parts
        self.finish = finish

    async def run(self) -> Any:
        parts = [part.run() if isinstance(part, _Later) else part for part in self.parts]
        if len(parts) == 1:
            found = [await parts[0]]
        else:
            found = await asyncio.gather(*parts, return_exceptions=True)
            for item in found:
                if isinstance(item, BaseException):
                    raise GiveUp from item
        done = self.finish(found)
        return await done.run() if isinstance(done, _Later) else done

    def close(self) -> None:
        _close(self.parts)


def _close(started: list[Any]) -> None:
    """Giving up: what was started will never be awaited."""
    for value in started:
        if isinstance(value, _Later) or asyncio.iscoroutine(value):
            value.close()


def _then(value: Any, then: Callable[[Any], Any]) -> Any:
    """`then(value)`, once `value` is there."""
    if isinstance(value, _Later) or optimized_is_awaitable(value):
        return _Later([value], lambda found: then(found[0]))
    return then(value)


Call = Callable[[Any, Any, dict[str, Any]], Any]
"""(source, graphql-core's resolve info, the field's arguments by GraphQL name) → the resolver's value."""


def strawberry_call(definition: GraphQLField, schema: Any) -> Call | None:
    """The field's own resolver called as Strawberry's wrapper calls it, without the wrapper,
    where the wrapper would do no more than that: no field extensions or exception handlers,
    and every argument a scalar or enum (which Strawberry passes on as graphql-core coerced it).
    None: graphql-core calls Strawberry's wrapper."""
    field = (definition.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if not isinstance(field, StrawberryField) or field.base_resolver is None or strawberry_schema is None:
        return None
    # Where Strawberry would do more than pass arguments on: field extensions (permission classes
    # among them), exception handlers (a private attribute: if it moves, the wrapper is kept), a
    # field class of its own.
    converter = strawberry_schema.schema_converter
    handlers = getattr(converter, "_exception_handler_specs", None)
    if field.extensions or handlers is None or handlers or type(field).get_result is not StrawberryField.get_result:
        return None
    config, registry = strawberry_schema.config, converter.scalar_registry
    names: list[tuple[str, str]] = []
    for argument in field.arguments:
        kind = argument.type
        if isinstance(kind, StrawberryOptional) and not isinstance(kind, StrawberryMaybe):
            kind = kind.of_type
        if isinstance(kind, StrawberryMaybe) or not _is_leaf_type(kind, registry, skip_classes=(GlobalID,)):
            return None
        assert argument.python_name
        names.append((config.name_converter.from_argument(argument), argument.python_name))
    resolver = field.base_resolver
    function = resolver.wrapped_func
    if not callable(function):
        return None
    takes_self = resolver.self_parameter is not None
    sources = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p is not None]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None
    info_class = config.info_class

    def call(source: Any, info: Any, arguments: dict[str, Any]) -> Any:
        kwargs = {python: arguments[graphql] for graphql, python in names if graphql in arguments}
        for name in sources:
            kwargs[name] = source
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)
        return function(source, **kwargs) if takes_self else function(**kwargs)

    return call


class _Field:
    """One selected field of an object type: how to get its value and complete it."""

    __slots__ = ("call", "complete", "definition", "details", "getter", "has_arguments", "key", "nodes", "parent")

    def __init__(
        self, key: str, parent: GraphQLObjectType, definition: GraphQLField, details: Any, call: Call | None
    ) -> None:
        self.key = key
        self.parent = parent
        self.definition = definition
        self.details = details
        self.nodes = [detail.node for detail in details]
        self.has_arguments = bool(definition.args or self.nodes[0].arguments)
        # An attribute is read without a resolve info, unless its type is abstract: resolving the
        # type of its value asks for one.
        abstract = is_abstract_type(get_named_type(definition.type))
        self.getter = None if abstract else plain_attribute(parent, self.nodes[0].name.value, details)
        self.call = call
        self.complete: Complete | None = None  # set by the plan, once the field's type is walked

    def value(self, context: ProjectingExecutionContext, source: Any, path: Path) -> tuple[Any, Any]:
        """(the field's value or an awaitable of it, the resolve info or None)."""
        if self.getter is not None:
            return self.getter(source), None
        info = context.build_resolve_info(self.definition, self.nodes, self.parent, path)
        first = self.details[0]
        arguments = (
            get_argument_values(
                self.definition,
                first.node,
                context.variable_values,
                first.fragment_variable_values,
                context.hide_suggestions,
            )
            if self.has_arguments
            else {}
        )
        if self.call is not None:
            return self.call(source, info, arguments), info
        resolve = self.definition.resolve or context.field_resolver
        return resolve(source, info, **arguments), info


class _Completing:
    """Completes a field's value once it is there (a callable, not a closure per field)."""

    __slots__ = ("complete", "context", "info", "path")

    def __init__(self, complete: Complete, context: ProjectingExecutionContext, info: Any, path: Path) -> None:
        self.complete, self.context, self.info, self.path = complete, context, info, path

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Exception):  # a resolver's error returned rather than raised
            raise GiveUp
        return self.complete(self.context, value, self.info, self.path)


class _Object:
    """The selection on one object type."""

    def __init__(self, object_type: GraphQLObjectType, fields: list[_Field | tuple[str, str]]) -> None:
        self.type = object_type
        self.fields = fields

    def complete(self, context: ProjectingExecutionContext, source: Any, path: Path | None) -> Any:
        answer: dict[str, Any] = {}
        pending: list[_Later] = []
        keys: list[str] = []
        type_name = self.type.name
        try:
            for field in self.fields:
                if isinstance(field, tuple):
                    answer[field[0]] = field[1]
                    continue
                field_path = Path(path, field.key, type_name)
                value, info = field.value(context, source, field_path)
                assert field.complete is not None
                completed = _then(value, _Completing(field.complete, context, info, field_path))
                answer[field.key] = completed
                if isinstance(completed, _Later):
                    pending.append(completed)
                    keys.append(field.key)
        except BaseException:
            _close(pending)
            raise
        if not pending:
            return answer

        def finish(found: list[Any]) -> dict[str, Any]:
            for key, value in zip(keys, found, strict=True):
                answer[key] = value
            return answer

        return _Later(list(pending), finish)


class CompiledQuery:
    """The plan of one prepared query, made on its first answer (the schema's execution context
    collects the fields, which do not depend on the variables: a prepared document holds no
    directive)."""

    def __init__(self) -> None:
        self._root: _Object | None = None
        self._made_with: ProjectingExecutionContext | None = None
        self._unable = False

    @property
    def planned(self) -> bool:
        """Whether the plan was made (or found unable to answer this operation)."""
        return self._root is not None or self._unable

    def plan(
        self,
        context_class: type[ProjectingExecutionContext],
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> None:
        """Make the plan with an executor the schema's execution context class builds for this
        document (no context value; the variables only need to coerce: each answer brings its
        own). Variables that do not coerce leave it unmade: graphql-core says why."""
        if self.planned:
            return
        executor = context_class.build(
            schema,
            document,
            None,
            None,
            variables,
            operation_name,
            is_awaitable=cast(Any, optimized_is_awaitable),  # a TypeGuard in all but its annotation
            operation_extensions=None,
        )
        if not isinstance(executor, ProjectingExecutionContext):
            return
        if executor.middleware_manager is not None:  # resolvers wrapped: graphql-core calls them
            self._unable = True
            return
        try:
            self._root = self._plan_root(executor)
        except GiveUp:
            self._unable = True
            return
        executor.variable_values = VariableValues({}, {})  # the first request's are its own, not the plan's
        self._made_with = executor

    async def answer(
        self, context_value: Any, variables: dict[str, Any] | None, extensions: Any
    ) -> dict[str, Any] | None:
        """The operation's data, or None when the plan cannot answer it (graphql-core does)."""
        root, executor = self._root, self._executor(context_value, variables, extensions)
        if root is None or executor is None:
            return None
        try:
            answer: Any = root.complete(executor, executor.root_value, None)
            if isinstance(answer, _Later):
                answer = await answer.run()
        except (GiveUp, NotProjectable):
            return None
        except Exception:
            return None  # a resolver's error: graphql-core reports it, with its path
        assert isinstance(answer, dict)
        return answer

    def _executor(
        self, context_value: Any, variables: dict[str, Any] | None, extensions: Any
    ) -> ProjectingExecutionContext | None:
        """The executor the plan was made with, copied for one answer with its own context value,
        variables and extensions (as graphql-core copies an executor for each event of a
        subscription); None where the variables do not coerce (graphql-core says why)."""
        made_with = self._made_with
        if made_with is None:
            return None
        coerced = get_variable_values(
            made_with.schema,
            made_with.operation.variable_definitions or (),
            variables or {},
            max_errors=MAX_COERCION_ERRORS,
            hide_suggestions=made_with.hide_suggestions,
        )
        if isinstance(coerced, list):
            return None
        executor = object.__new__(type(made_with))  # copy(made_with), without its generic machinery
        executor.__dict__.update(made_with.__dict__)
        executor.context_value = context_value
        executor.variable_values = coerced
        executor.operation_extensions = extensions
        executor.collected_errors = CollectedErrors()
        return executor

    # ---- making the plan ------------------------------------------------------------------

    def _plan_root(self, context: ProjectingExecutionContext) -> _Object:
        operation: OperationDefinitionNode = context.operation
        root_type = context.schema.get_root_type(operation.operation)
        if root_type is None:
            raise GiveUp
        grouped, deferred, _ = collect_fields(
            context.schema, context.fragments, context.variable_values, root_type, operation, context.hide_suggestions
        )
        if deferred:
            raise GiveUp
        return self._object(context, root_type, grouped)

    def _object(self, context: ProjectingExecutionContext, object_type: GraphQLObjectType, grouped: Any) -> _Object:
        fields: list[_Field | tuple[str, str]] = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name == TYPENAME:
                fields.append((key, object_type.name))
                continue
            if name.startswith("__"):
                raise GiveUp  # introspection: graphql-core's own resolvers
            definition = object_type.fields.get(name)
            if definition is None:
                raise GiveUp
            field = _Field(key, object_type, definition, details, strawberry_call(definition, context.schema))
            field.complete = self._completion(context, definition.type, details)
            fields.append(field)
        return _Object(object_type, fields)

    def _completion(
        self, context: ProjectingExecutionContext, return_type: GraphQLOutputType, details: Any
    ) -> Complete:
        projection = context.projection_of(return_type, details)
        if projection is not None:  # a subtree the projection answers whole (plain data, stored forms)

            def projected(_ctx: ProjectingExecutionContext, value: Any, _info: Any, _path: Path) -> Any:
                return projection(value)

            return projected
        if is_non_null_type(return_type):
            inner = self._completion(context, return_type.of_type, details)

            def required(ctx: ProjectingExecutionContext, value: Any, info: Any, path: Path) -> Any:
                if value is None:
                    raise GiveUp
                return _then(inner(ctx, value, info, path), _not_null)

            return required
        if is_list_type(return_type):
            return self._list(context, return_type.of_type, details)
        if is_leaf_type(return_type):
            serialize = leaf_serializer(return_type)

            def leaf(_ctx: ProjectingExecutionContext, value: Any, _info: Any, _path: Path) -> Any:
                if value is None:
                    return None
                serialized = serialize(value)
                if serialized is None or serialized is Undefined:
                    raise GiveUp
                return serialized

            return leaf
        if is_object_type(return_type):
            return self._object_completion(context, return_type, details)
        if is_abstract_type(return_type):
            members = {
                possible.name: self._object_completion(context, possible, details)
                for possible in context.schema.get_possible_types(return_type)
            }

            def abstract(ctx: ProjectingExecutionContext, value: Any, info: Any, path: Path) -> Any:
                if value is None:
                    return None
                if info is None:
                    raise GiveUp
                resolve_type = return_type.resolve_type or ctx.type_resolver
                name = resolve_type(value, info, return_type)
                complete = members.get(name) if isinstance(name, str) else None
                if complete is None:
                    raise GiveUp
                return complete(ctx, value, info, path)

            return abstract
        raise GiveUp

    def _object_completion(
        self, context: ProjectingExecutionContext, object_type: GraphQLObjectType, details: Any
    ) -> Complete:
        grouped, deferred, _ = context.collect_subfields(object_type, details)
        if deferred:
            raise GiveUp
        plan = self._object(context, object_type, grouped)

        def complete(ctx: ProjectingExecutionContext, value: Any, _info: Any, path: Path) -> Any:
            if value is None:
                return None
            is_type_of = object_type.is_type_of
            if is_type_of is not None and is_type_of(value, _info) is not True:
                raise GiveUp
            return plan.complete(ctx, value, path)

        return complete

    def _list(self, context: ProjectingExecutionContext, item_type: GraphQLOutputType, details: Any) -> Complete:
        item = self._completion(context, item_type, details)

        def complete(ctx: ProjectingExecutionContext, value: Any, info: Any, path: Path) -> Any:
            if value is None:
                return None
            if not isinstance(value, list | tuple):
                raise GiveUp
            items: list[Any] = []
            try:
                for index, entry in enumerate(value):
                    items.append(item(ctx, entry, info, Path(path, index, None)))
            except BaseException:
                _close(items)
                raise
            waiting = [index for index, entry in enumerate(items) if isinstance(entry, _Later)]
            if not waiting:
                return items

            def finish(found: list[Any]) -> list[Any]:
                for index, settled in zip(waiting, found, strict=True):
                    items[index] = settled
                return items

            return _Later([items[index] for index in waiting], finish)

        return complete


def _not_null(value: Any) -> Any:
    if value is None:
        raise GiveUp
    return value
