"""Fast completion of plain-data subtrees of a GraphQL result.

graphql-core completes every field of every object through the same generic machinery (build
an info object, call a resolver, check awaitables, complete the value), about 3 µs a field; a
batch of 1,000 credit statuses has some 30,000 fields. Most of them are plain attributes of
objects the resolvers already built (CreditStatus, RestrictionFlag, …). For a subtree in which
every selected field is such an attribute, this execution context builds a "projection" once
per selection: a tree of small functions that read the attributes and serialise the leaves.

A plan depends only on the document's nodes and the schema's types, unless a directive
(@skip/@include reading a variable, @defer) decides which fields are collected: plans of
documents without directives are kept across requests (`SharedPlans`), the others per request.

Semantics stay graphql-core's own, because the projection reuses its parts:
- fields are collected by graphql-core's `collect_subfields` (fragments, aliases, type
  conditions, @skip/@include, merging);
- leaves are serialised by each type's own `serialize` (enums, DateTime, ID, …);
- anything else — a field with a resolver or arguments, @defer, a null where the schema says
  non-null, an object of an unexpected class — is left to graphql-core, which then reports
  errors exactly as it always does.

tests/integration/test_projection.py runs documents through both paths and compares them.

Splicing stored statuses (docs/adr/0015). A value may come still in a stored form: an object
whose class names the GraphQL type it stands for (`STORED_TYPE`) and can `materialize()` into
the object graphql-core would complete. Where every field selected on it (and below it) is one
its type answers from that form (`STORED_FIELDS` on the Strawberry type: field name → a reader
of the field's JSON), the plan reads the answer straight from the stored form; otherwise the
value is materialized and projected, or completed by graphql-core, as any other.
tests/integration/test_splice.py compares both, byte for byte.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from operator import attrgetter
from typing import Any, ClassVar, Final

from graphql import (
    BREAK,
    GraphQLBoolean,
    GraphQLID,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    is_abstract_type,
    is_enum_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.language import Node, Visitor
from graphql.pyutils import Path
from graphql.type.scalars import GRAPHQL_MAX_INT as MAX_INT
from graphql.type.scalars import GRAPHQL_MIN_INT as MIN_INT
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

STRAWBERRY_DEFINITION: Final = "strawberry-definition"

Projection = Callable[[Any], Any]


class NotProjectable(Exception):
    """This value cannot be projected; let graphql-core complete it."""


class SharedPlans:
    """Plans of selections of documents without directives, kept across requests (the least
    recently used dropped beyond MAX_PLANS). A plan is keyed by its type and the ids of its field
    nodes, which it keeps alive so that no other node can take those ids while it is kept."""

    MAX_PLANS: Final = 2048
    MAX_DOCUMENTS: Final = 256

    def __init__(self) -> None:
        self._plans: OrderedDict[tuple[Any, ...], tuple[tuple[Node, ...], Projection | None]] = OrderedDict()
        self._static: OrderedDict[int, tuple[list[Node], bool]] = OrderedDict()

    def is_static(self, operation: Node, fragments: Iterable[Node]) -> bool:
        """Whether fields are collected the same way whatever the variables: no directive anywhere."""
        key = id(operation)
        known = self._static.get(key)
        if known is not None and known[0][0] is operation:
            return known[1]
        nodes = [operation, *fragments]
        static = not any(has_directive(node) for node in nodes)
        self._static[key] = (nodes, static)
        if len(self._static) > self.MAX_DOCUMENTS:
            self._static.popitem(last=False)
        return static

    def plan(
        self, return_type: Any, nodes: tuple[Node, ...], make: Callable[[], Projection | None]
    ) -> Projection | None:
        key = (return_type, *map(id, nodes))
        known = self._plans.get(key)
        if known is not None:
            self._plans.move_to_end(key)
            return known[1]
        plan = make()
        self._plans[key] = (nodes, plan)
        if len(self._plans) > self.MAX_PLANS:
            self._plans.popitem(last=False)
        return plan


class _DirectiveFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_directive(self, *_args: object) -> object:
        self.found = True
        return BREAK


def has_directive(node: Node) -> bool:
    finder = _DirectiveFinder()
    visit(node, finder)
    return finder.found


SHARED_PLANS: Final = SharedPlans()


def _stored_type(value: Any) -> str:
    """The GraphQL type a value in a stored form stands for; "" for any other value."""
    return str(getattr(type(value), "STORED_TYPE", ""))


def _is_stored(value: Any) -> bool:
    return _stored_type(value) != ""


class MaterializingExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's completion, every value in a stored form materialized first."""

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if _is_stored(result):
            result = result.materialize()
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)


class ProjectingExecutionContext(MaterializingExecutionContext):
    """Projects plain subtrees, and splices selections the stored form of a value answers."""

    SPLICE: ClassVar[bool] = True
    SHARED: ClassVar[SharedPlans] = SHARED_PLANS
    STATIC: ClassVar[bool] = False  # known to hold no directive: plans are shared without looking (`static`)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed like graphql-core's own memo: (type, id(field_details_list)); the list is kept
        # alive with the plan so that its id cannot be reused during the request.
        self._projections: dict[tuple[GraphQLOutputType, int], tuple[Any, Projection | None]] = {}

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if not isinstance(result, Exception):
            projection = self._projection(return_type, field_details_list)
            if projection is not None:
                try:
                    return projection(result)
                except NotProjectable:
                    pass
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def projection_of(self, return_type: GraphQLOutputType, field_details_list: Any) -> Projection | None:
        """The projection of this selection on values of `return_type`, if the selection is one a
        projection answers (`entrypoints.compiled` hands such subtrees here)."""
        return self._projection(return_type, field_details_list)

    def _projection(self, return_type: GraphQLOutputType, field_details_list: Any) -> Projection | None:
        key = (return_type, id(field_details_list))
        cached = self._projections.get(key)
        if cached is None:
            cached = (field_details_list, self._shared_plan(return_type, field_details_list))
            self._projections[key] = cached
        return cached[1]

    def _shared_plan(self, return_type: GraphQLOutputType, field_details_list: Any) -> Projection | None:
        fragments = (details.definition for details in self.fragments.values())
        if not self.STATIC and not self.SHARED.is_static(self.operation, fragments):
            return self._plan(return_type, field_details_list)
        nodes = tuple(details.node for details in field_details_list)
        return self.SHARED.plan(return_type, nodes, lambda: self._plan(return_type, field_details_list))

    def _plan(self, return_type: GraphQLOutputType, field_details_list: Any) -> Projection | None:
        if is_non_null_type(return_type):
            if is_leaf_type(return_type.of_type):
                return _required_leaf(return_type.of_type)
            inner = self._plan(return_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if is_list_type(return_type):
            inner = self._plan(return_type.of_type, field_details_list)
            return None if inner is None else _list(inner)
        if is_leaf_type(return_type):
            return _leaf(return_type)
        if is_abstract_type(return_type):
            members = {}
            for possible in self.schema.get_possible_types(return_type):
                plan = self._object_plan(possible, field_details_list)
                if plan is None:
                    return None
                members[possible.name] = plan
            return _abstract(members)
        if is_object_type(return_type):
            plan = self._object_plan(return_type, field_details_list)
            return None if plan is None else _nullable(plan)
        return None

    def _collect(self, object_type: GraphQLObjectType, field_details_list: Any) -> dict[str, Any] | None:
        """The fields selected on `object_type`, by response key; None when some are deferred."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        return None if new_defer_usages else grouped_field_set

    def _object_plan(self, object_type: GraphQLObjectType, field_details_list: Any) -> Projection | None:
        grouped_field_set = self._collect(object_type, field_details_list)
        if grouped_field_set is None:
            return None
        fields = self._attribute_fields(object_type, grouped_field_set)
        stored = self._stored_object_plan(object_type, grouped_field_set) if self.SPLICE else None
        if fields is None and stored is None:
            return None
        return _object(object_type.name, fields, stored)

    def _attribute_fields(self, object_type: GraphQLObjectType, grouped_field_set: dict[str, Any]) -> Fields | None:
        fields: Fields = []
        for response_key, sub_details in grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                fields.append((response_key, None, object_type.name))
                continue
            getter = plain_attribute(object_type, name, sub_details)
            if getter is None:
                return None
            sub_plan = self._plan(object_type.fields[name].type, sub_details)
            if sub_plan is None:
                return None
            fields.append((response_key, getter, sub_plan))
        return fields

    # ---- splicing: plans that read a value's stored form ----------------------------------------

    def _stored_object_plan(
        self, object_type: GraphQLObjectType, grouped_field_set: dict[str, Any]
    ) -> Projection | None:
        """A plan answering the selection from the stored form, when `object_type` has one and
        it holds every field selected (each a plain field, without arguments), down to the leaves."""
        readers = _stored_fields(object_type)
        if readers is None:
            return None
        fields: Fields = []
        for response_key, sub_details in grouped_field_set.items():
            name = sub_details[0].node.name.value
            if name == "__typename":
                fields.append((response_key, None, object_type.name))
                continue
            reader = readers.get(name)
            if reader is None or plain_attribute(object_type, name, sub_details) is None:
                return None
            sub_plan = self._stored_plan(object_type.fields[name].type, sub_details)
            if sub_plan is None:
                return None
            fields.append((response_key, reader, sub_plan))
        return _fields_of(fields)

    def _stored_plan(self, return_type: GraphQLOutputType, field_details_list: Any) -> Projection | None:
        """For what a stored reader returned: leaves are their JSON already."""
        if is_non_null_type(return_type):
            if is_leaf_type(return_type.of_type):
                return _required
            inner = self._stored_plan(return_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if is_list_type(return_type):
            inner = self._stored_plan(return_type.of_type, field_details_list)
            return None if inner is None else _list(inner)
        if is_leaf_type(return_type):
            return _as_is
        if is_object_type(return_type):
            grouped_field_set = self._collect(return_type, field_details_list)
            plan = None if grouped_field_set is None else self._stored_object_plan(return_type, grouped_field_set)
            return None if plan is None else _nullable(plan)
        return None


Fields = list[tuple[str, Callable[[Any], Any] | None, Projection | str]]
"""(response key, attribute getter or stored reader, projection of its value) or, for
__typename, (response key, None, the type name)."""


class DecodingExecutionContext(ProjectingExecutionContext):
    """Projection without splicing: a value in a stored form is materialized, then projected
    (today's path for a stored status; the parity tests compare it with the splice)."""

    SPLICE: ClassVar[bool] = False
    SHARED: ClassVar[SharedPlans] = SharedPlans()


def static(context_class: type[ProjectingExecutionContext]) -> type[ProjectingExecutionContext]:
    """The same execution context for documents already known to hold no directive (the
    prepared queries': `entrypoints.prepared`), which need not be searched for one per request."""
    return type(f"Static{context_class.__name__}", (context_class,), {"STATIC": True})


def _stored_fields(object_type: GraphQLObjectType) -> Mapping[str, Callable[[Any], Any]] | None:
    """The readers of the type's stored form (`STORED_FIELDS` on its Strawberry class), if any."""
    definition = (object_type.extensions or {}).get(STRAWBERRY_DEFINITION)
    origin = getattr(definition, "origin", None)
    found: Mapping[str, Callable[[Any], Any]] | None = getattr(origin, "STORED_FIELDS", None)
    return found


def _as_is(value: Any) -> Any:
    return value


def _required(value: Any) -> Any:
    if value is None:
        raise NotProjectable  # graphql-core reports the non-null violation with its path
    return value


def plain_attribute(object_type: GraphQLObjectType, name: str, details: Iterable[Any]) -> Callable[[Any], Any] | None:
    """A getter for a field that is just an attribute: no resolver, arguments or extensions."""
    field = object_type.fields.get(name)
    definition = (field.extensions or {}).get(STRAWBERRY_DEFINITION) if field is not None else None
    if definition is None or definition.base_resolver is not None or definition.arguments:
        return None
    if definition.permission_classes or definition.extensions or definition.directives:
        return None
    if any(detail.node.arguments for detail in details):
        return None
    return attrgetter(definition.python_name)


def _non_null(inner: Projection) -> Projection:
    def project(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise NotProjectable  # graphql-core reports the non-null violation with its path
        return completed

    return project


def _nullable(inner: Projection) -> Projection:
    return lambda value: None if value is None else inner(value)


_SEQUENCES: Final = (list, tuple)  # the lists values hold, spared the checks of the ABCs


def _list(inner: Projection) -> Projection:
    def project(value: Any) -> Any:
        if value is None:
            return None
        if value.__class__ not in _SEQUENCES and (
            isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable)
        ):
            raise NotProjectable
        return [inner(item) for item in value]

    return project


def leaf_serializer(leaf_type: Any) -> Callable[[Any], Any]:
    """The type's own `serialize`, short-cut where the value already is what it would return:
    a str for String and ID, a bool for Boolean, an int in range for Int, a member of the enum."""
    serialize: Callable[[Any], Any] = leaf_type.serialize
    if leaf_type in (GraphQLString, GraphQLID):
        return lambda value: value if value.__class__ is str else serialize(value)
    if leaf_type is GraphQLBoolean:
        return lambda value: value if value.__class__ is bool else serialize(value)
    if leaf_type is GraphQLInt:
        return lambda value: value if value.__class__ is int and MIN_INT <= value <= MAX_INT else serialize(value)
    if is_enum_type(leaf_type):
        names = {definition.value: name for name, definition in leaf_type.values.items()}
        return lambda value: names.get(value) or serialize(value)
    return serialize


def _leaf(leaf_type: Any) -> Projection:
    serialize = leaf_serializer(leaf_type)

    def project(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise NotProjectable
        return serialized

    return project


def _required_leaf(leaf_type: Any) -> Projection:
    """A non-null leaf: one call instead of two on the hottest path."""
    serialize = leaf_serializer(leaf_type)

    def project(value: Any) -> Any:
        if value is None or value is Undefined:
            raise NotProjectable  # graphql-core reports the non-null violation with its path
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise NotProjectable
        return serialized

    return project


def _fields_of(fields: Fields) -> Projection:
    def project(value: Any) -> dict[str, Any]:
        return {
            key: then if getter is None else then(getter(value))  # type: ignore[operator]
            for key, getter, then in fields
        }

    return project


def _object(type_name: str, fields: Fields | None, stored: Projection | None) -> Projection:
    """The object's plan: `fields` read from its attributes (None: graphql-core completes it),
    `stored` from its stored form (None: a value in that form is materialized first)."""

    def project(value: Any) -> dict[str, Any]:
        if _type_name(value) != type_name:
            if _stored_type(value) != type_name:
                raise NotProjectable  # not the object this plan was made for: let graphql-core judge it
            if stored is not None:
                spliced: dict[str, Any] = stored(value)
                return spliced
            value = value.materialize()
        if fields is None:
            raise NotProjectable
        return {
            key: then if getter is None else then(getter(value))  # type: ignore[operator]
            for key, getter, then in fields
        }

    return project


def _abstract(members: dict[str, Projection]) -> Projection:
    def project(value: Any) -> Any:
        if value is None:
            return None
        plan = members.get(_type_name(value) or _stored_type(value))
        if plan is None:
            raise NotProjectable
        return plan(value)

    return project


def _type_name(value: Any) -> str | None:
    definition = getattr(type(value), "__strawberry_definition__", None)
    return getattr(definition, "name", None)
