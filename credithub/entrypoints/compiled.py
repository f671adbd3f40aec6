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
differ: each resolver is called exactly as graphql-core calls it (the schema's own execution
context builds its resolve info and looks its arguments up), leaves are serialised by their
types, sibling fields that wait run concurrently (DataLoaders batch as before). But anything
that would make graphql-core report an error — a resolver raising, a null where the schema
says non-null, a value of an unexpected type — is not reported here: the plan gives up
(`GiveUp`) and graphql-core answers the whole operation again, errors and partial data as
always. Queries read; their resolvers may run twice then (their DataLoaders keep what they
loaded, and the reads noted for the audit trail are a set).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Final

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
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
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.execution.is_awaitable import optimized_is_awaitable

from credithub.entrypoints.projection import (
    NotProjectable,
    ProjectingExecutionContext,
    leaf_serializer,
    plain_attribute,
)

Complete = Callable[[ProjectingExecutionContext, Any, Any, Path], Any]
"""(execution context, value, resolve info of the field or None, path) → JSON, or an awaitable of it."""

TYPENAME: Final = "__typename"


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


class _Field:
    """One selected field of an object type: how to get its value and complete it."""

    __slots__ = ("complete", "definition", "details", "getter", "has_arguments", "key", "nodes", "parent")

    def __init__(self, key: str, parent: GraphQLObjectType, definition: GraphQLField, details: Any) -> None:
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
        self._unable = False

    async def answer(self, context: ProjectingExecutionContext) -> dict[str, Any] | None:
        """The operation's data, or None when the plan cannot answer it (graphql-core does)."""
        if self._unable:
            return None
        try:
            root = self._root or self._plan_root(context)
        except GiveUp:
            self._unable = True
            return None
        self._root = root
        try:
            answer: Any = root.complete(context, context.root_value, None)
            if isinstance(answer, _Later):
                answer = await answer.run()
        except (GiveUp, NotProjectable):
            return None
        except Exception:
            return None  # a resolver's error: graphql-core reports it, with its path
        assert isinstance(answer, dict)
        return answer

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
            field = _Field(key, object_type, definition, details)
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
