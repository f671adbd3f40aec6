"""What one GraphQL request asks the hub to produce, counted before anything runs.

Depth, alias and token limits bound the document, not the work: fifteen aliases of
`creditStatuses` with 1,000 codes each is a short document and 15,000 statuses. The cost is the
number of objects the answer can hold: a field that returns an object counts 1 for each time its
parent occurs; a list is counted by the size the request gives it — `first` for pages (20 when
omitted), the number of items in a list argument (`creditCodes`, `subjectIds`) for batches,
whether written in the document or passed as variables — and multiplies everything below it.
Lists whose size the request does not choose (a status's flags, a subject's accounts) count as
UNSIZED_LIST items. Scalars are free. Fragments count where they are spread, aliases each.

A request over CREDITHUB_MAX_QUERY_COST is refused with QUERY_TOO_COSTLY before execution,
naming its cost and the limit. One batch of 1,000 codes with their flags fits; two do not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    is_list_type,
)

from credithub.domain.pages import DEFAULT_PAGE_SIZE

DEFAULT_MAX_COST: Final = 5000  # CREDITHUB_MAX_QUERY_COST
UNSIZED_LIST: Final = 1
MAX_FRAGMENT_DEPTH: Final = 20  # depth is limited elsewhere; this only stops a cycle the validator missed


def compute_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    """The number of objects the operation's answer can hold (see the module docstring)."""
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[operation.operation]
    if root is None:
        return 0
    return _Counter(schema, fragments, variables or {}).selection(root, operation.selection_set, 1, 0)


class _Counter:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selection(self, parent: GraphQLNamedType, selection_set: SelectionSetNode, times: int, depth: int) -> int:
        if depth > MAX_FRAGMENT_DEPTH:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(parent, node, times, depth)
            elif isinstance(node, InlineFragmentNode):
                target = self._type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection(target or parent, node.selection_set, times, depth + 1)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None:
                    target = self._type(fragment.type_condition.name.value) or parent
                    total += self.selection(target, fragment.selection_set, times, depth + 1)
        return total

    def field(self, parent: GraphQLNamedType, node: FieldNode, times: int, depth: int) -> int:
        fields = getattr(parent, "fields", None)
        definition = fields.get(node.name.value) if fields else None
        if definition is None or node.selection_set is None:
            return 0  # a scalar, an enum, __typename, or a field the validator refuses anyway
        output: GraphQLOutputType = definition.type
        if isinstance(output, GraphQLNonNull):
            output = output.of_type
        size, paged = self.size(node, is_list_type(output))
        named = _named(output)
        if paged:  # a connection: one object per parent, `size` items (edges, nodes) inside it
            return times + self.selection(named, node.selection_set, times * size, depth + 1)
        occurrences = times * size
        return occurrences + self.selection(named, node.selection_set, occurrences, depth + 1)

    def size(self, node: FieldNode, returns_list: bool) -> tuple[int, bool]:
        """How many items this field asks for, and whether they are a page inside a connection:
        `first` (a page), else the longest list argument (a batch), else the default page size
        for a connection, else 1 (an object) or UNSIZED_LIST (a list the request does not size)."""
        first, longest = self._sizes(node)
        if first is not None:
            return max(first, 0), True
        if longest is not None:
            return longest, False
        if _is_connection(node):
            return DEFAULT_PAGE_SIZE, True
        return (UNSIZED_LIST if returns_list else 1), False

    def _sizes(self, node: FieldNode) -> tuple[int | None, int | None]:
        """The field's `first`, and the length of its longest list argument (None: not given)."""
        first: int | None = None
        longest: int | None = None
        for argument in node.arguments or ():
            resolved = self._value(argument.value)
            if argument.name.value == "first" and isinstance(resolved, int):
                first = resolved
            elif isinstance(resolved, list | tuple):
                longest = max(longest or 0, len(resolved))
        return first, longest

    def _value(self, value: ValueNode) -> Any:
        """A variable's value, an integer's, a list's items; None for any other literal."""
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, ListValueNode):
            return value.values
        return None

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)


def _named(output: GraphQLOutputType) -> GraphQLNamedType:
    while isinstance(output, GraphQLNonNull | GraphQLList):
        output = output.of_type
    return output


def _is_connection(node: FieldNode) -> bool:
    """A paged list asked for without `first` gets the default page size."""
    return node.selection_set is not None and any(
        isinstance(child, FieldNode) and child.name.value == "edges" for child in node.selection_set.selections
    )
