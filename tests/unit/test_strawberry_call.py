"""A compiled plan calls a resolver function itself where Strawberry's wrapper would only pass
scalar arguments on (credithub/entrypoints/compiled.py, `strawberry_call`): it must give the
resolver exactly what the wrapper gives it — arguments by Python name, defaults, enums, custom
scalars, self, root, parent and Info — and leave every other field to the wrapper."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry
from graphql import parse
from strawberry.permission import BasePermission
from strawberry.types import Info

from credithub.entrypoints.compiled import CompiledQuery, strawberry_call
from credithub.entrypoints.projection import ProjectingExecutionContext, static


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.input
class Range:
    low: int
    high: int = 10


class Never(BasePermission):
    message = "never"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return True  # allowed: the answer must still come, through Strawberry's wrapper


def _seen(*parts: Any) -> str:
    return repr(parts)


@strawberry.type
class Item:
    name: str

    @strawberry.field
    def plain(
        self,
        info: Info,
        times: int = 2,
        some_word: str | None = None,
        colour: Colour = Colour.RED,
        at: dt.datetime | None = None,
    ) -> str:
        return _seen(self.name, type(info).__name__, info.field_name, info.path.key, times, some_word, colour, at)

    @strawberry.field
    @staticmethod
    def by_root(root: Item, shout: bool = False) -> str:
        return _seen(root.name, shout)

    @strawberry.field
    async def by_parent(self, parent: strawberry.Parent[Item], n: int) -> str:
        return _seen(self.name, parent.name, n)

    @strawberry.field
    def ranged(self, within: Range) -> str:  # an input object: Strawberry builds it
        return _seen(self.name, within.low, within.high)

    @strawberry.field
    def listed(self, words: list[str] | None = None) -> str:  # a list: Strawberry copies it
        return _seen(self.name, words)

    @strawberry.field(permission_classes=[Never])
    def guarded(self) -> str:  # a permission class: a field extension
        return _seen(self.name)


@strawberry.type
class Query:
    @strawberry.field
    def item(self, name: str) -> Item:
        return Item(name=name)


SCHEMA = strawberry.Schema(Query)
DOCUMENT = """query($name: String!, $word: String, $at: DateTime, $colour: Colour!) {
  item(name: $name) {
    name
    first: plain
    second: plain(times: 5, someWord: $word, colour: $colour, at: $at)
    third: plain(someWord: null)
    byRoot
    loud: byRoot(shout: true)
    byParent(n: 3)
    ranged(within: {low: 1})
    listed(words: ["a", $name])
    none: listed
    guarded
  }
}"""
VARIABLES = {"name": "壹", "word": "词", "at": "2026-06-01T08:00:00+08:00", "colour": "BLUE"}


def test_only_fields_whose_wrapper_just_passes_scalars_on_are_called_directly() -> None:
    fields = SCHEMA._schema.get_type("Item").fields  # type: ignore[union-attr]
    direct = {name for name, definition in fields.items() if strawberry_call(definition, SCHEMA._schema)}
    assert direct == {"plain", "byRoot", "byParent"}


async def test_the_resolvers_get_what_strawberrys_wrapper_gives_them() -> None:
    expected = await SCHEMA.execute(DOCUMENT, variable_values=VARIABLES)
    assert expected.errors is None
    plan = CompiledQuery()
    plan.plan(static(ProjectingExecutionContext), SCHEMA._schema, parse(DOCUMENT), VARIABLES, None)
    assert plan.planned
    for variables in (VARIABLES, {**VARIABLES, "word": None, "at": None, "colour": "RED"}):
        wanted = await SCHEMA.execute(DOCUMENT, variable_values=variables)
        assert await plan.answer(None, variables, None) == wanted.data
    assert "'词'" in expected.data["item"]["second"]  # type: ignore[index]
