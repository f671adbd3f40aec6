"""Each result union's error members are named once, as a tuple beside it in `schema/`: resolvers
pass it to `from_domain` as `allowed` and catch `errors.catchable(it)`. The union itself is still
written out, since mypy reads no type from a tuple (Strawberry would build one), so these tests
hold the two equal."""

from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from types import ModuleType

import pytest
from strawberry.types.union import StrawberryUnion

import schema
from credithub.domain.errors import DomainError
from credithub.entrypoints.cli import SCHEMA_PATH
from schema import errors
from tests.unit.test_project import _all_subclasses, _example


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"schema.{info.name}") for info in pkgutil.iter_modules(schema.__path__)]


def _result_unions() -> dict[str, tuple[ModuleType, tuple[type, ...]]]:
    """Union name → its module and members, for every `Annotated[..., strawberry.union(...)]` in `schema/`."""
    found = {}
    for module in _modules():
        for name, value in vars(module).items():
            if typing.get_origin(value) is typing.Annotated:
                union, *marks = typing.get_args(value)
                if any(isinstance(mark, StrawberryUnion) for mark in marks):
                    found[name] = (module, typing.get_args(union))
    return found


def _tuple_name(union_name: str) -> str:
    """`ReportViolationResult` → `REPORT_VIOLATION_ERRORS`."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", union_name.removesuffix("Result")).upper() + "_ERRORS"


def _error_tuples() -> dict[str, tuple[type[errors.UserError], ...]]:
    return {
        name: getattr(module, _tuple_name(name))
        for name, (module, _) in _result_unions().items()
        if hasattr(module, _tuple_name(name))
    }


def test_discovery_sees_every_union_with_error_members_in_the_schema() -> None:
    sdl = SCHEMA_PATH.read_text()
    with_errors = {name for name, members in re.findall(r"^union (\w+) = (.*)$", sdl, re.M) if "Error" in members}
    assert with_errors
    assert set(_result_unions()) == with_errors


@pytest.mark.parametrize("union_name", sorted(_result_unions()))
def test_a_result_union_names_its_error_members_beside_it(union_name: str) -> None:
    module, members = _result_unions()[union_name]
    named = getattr(module, _tuple_name(union_name), None)
    assert isinstance(named, tuple), f"{module.__name__} needs {_tuple_name(union_name)} beside {union_name}"
    assert len(set(named)) == len(named)
    assert set(named) == {member for member in members if issubclass(member, errors.UserError)}
    assert len([member for member in members if not issubclass(member, errors.UserError)]) == 1  # the success


@pytest.mark.parametrize("union_name", sorted(_error_tuples()))
def test_catchable_catches_exactly_the_domain_errors_shown_as_members(union_name: str) -> None:
    allowed = _error_tuples()[union_name]
    caught = errors.catchable(allowed)
    assert {errors.MAPPING[cls].kind for cls in caught} == set(allowed)
    for cls in _all_subclasses(DomainError):
        answered = isinstance(errors.from_domain(_example(cls)), allowed)
        if answered:
            assert issubclass(cls, caught), f"{cls.__name__} is a member of {union_name} but is not caught"
        elif issubclass(cls, caught):  # a subclass of a caught class, shown as a type outside the union
            with pytest.raises(cls):
                errors.from_domain(_example(cls), allowed=allowed)


def test_catchable_refuses_a_type_no_domain_error_is_shown_as() -> None:
    with pytest.raises(TypeError, match="UserError"):
        errors.catchable((errors.NotFoundError, errors.UserError))
