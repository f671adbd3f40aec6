"""Guards on the shape of the project itself."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import inspect
import re

import pytest

import credithub.domain.errors as errors_module
from credithub.db.migrate import MIGRATIONS_DIR, read_migrations
from credithub.db.queries import DuplicateQueryName, parse_queries
from credithub.domain.errors import DomainError

OUR_TOP_LEVEL_PACKAGES = ("credithub", "schema", "resolvers", "platform_adapters", "migrations", "tests", "bench")


def test_no_installed_distribution_provides_one_of_our_top_level_names() -> None:
    # We run from the repository root (docs/adr/0001); a wheel owning `schema/` would shadow ours.
    provided = importlib.metadata.packages_distributions()
    clashes = {name: provided[name] for name in OUR_TOP_LEVEL_PACKAGES if name in provided}
    assert clashes == {}


def test_migrations_are_numbered_without_gaps() -> None:
    versions = [migration.version for migration in read_migrations(MIGRATIONS_DIR)]
    assert versions == list(range(1, len(versions) + 1))


def _all_subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def test_every_domain_error_has_its_own_code_and_says_when_it_is_raised() -> None:
    classes = [DomainError, *_all_subclasses(DomainError)]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "two DomainError classes share a code"
    for cls in classes:
        assert (cls.__doc__ or "").strip(), f"{cls.__name__} needs a docstring"
        assert re.fullmatch(r"[A-Z_]+", cls.code)


def test_the_error_module_draws_the_whole_hierarchy() -> None:
    doc = inspect.getdoc(errors_module) or ""
    for cls in [*_all_subclasses(DomainError)]:
        if cls.__module__ == errors_module.__name__:
            assert cls.__name__ in doc


def test_a_query_file_may_not_define_a_name_twice() -> None:
    with pytest.raises(DuplicateQueryName):
        parse_queries("-- get --\nSELECT 1;\n-- get --\nSELECT 2;\n")


def test_query_files_split_into_named_queries() -> None:
    queries = parse_queries("-- file comment\n\n-- one --\n-- first\nSELECT 1;\n\n-- two --\n-- second\nSELECT 2;\n")
    assert queries == {"one": "-- first\nSELECT 1;", "two": "-- second\nSELECT 2;"}


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    root = MIGRATIONS_DIR.parent
    readme_commands = re.findall(r"```sh\n(.*?)\n```", (root / "README.md").read_text(), re.DOTALL)
    test_command = next(command for command in readme_commands if "pytest" in command and "pip install" in command)
    assert test_command in (root / ".ci" / "run").read_text().splitlines()


def _example(cls: type[DomainError]) -> DomainError:
    """An instance of any DomainError subclass, whatever its constructor wants."""
    import inspect as _inspect

    samples = {"int": 1, "dt.datetime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}
    parameters = [
        (name, parameter)
        for name, parameter in _inspect.signature(cls.__init__).parameters.items()
        if name not in ("self", "field")
        and parameter.default is _inspect.Parameter.empty
        and parameter.kind is not _inspect.Parameter.VAR_KEYWORD
    ]
    positional = [samples.get(str(p.annotation), "x") for _, p in parameters if p.kind is not p.KEYWORD_ONLY]
    keywords = {name: samples.get(str(p.annotation), "x") for name, p in parameters if p.kind is p.KEYWORD_ONLY}
    try:
        return cls(*positional, field="x", **keywords)  # type: ignore[call-arg]
    except TypeError:
        return cls(*positional, **keywords)


def test_every_domain_error_has_a_graphql_error_type() -> None:
    from schema.errors import UserError, from_domain

    for cls in [DomainError, *_all_subclasses(DomainError)][1:]:
        mapped = from_domain(_example(cls))
        assert isinstance(mapped, UserError)
        assert type(mapped).__name__ == cls.__name__ + "Error", f"{cls.__name__} is shown as {type(mapped).__name__}"


def test_an_error_outside_the_result_union_is_raised_again_not_returned() -> None:
    """`except NotFound` also catches `UnknownSubject`: returned as a member its union does not
    list, Strawberry would fail the field (INTERNAL); raised again, the client gets its code."""
    from schema.errors import NotFoundError, PermissionDeniedError, UnknownSubjectError, from_domain

    allowed = (NotFoundError, PermissionDeniedError)
    assert isinstance(from_domain(errors_module.NotFound("no objection obj_1"), allowed=allowed), NotFoundError)
    unknown = errors_module.UnknownSubject("sub_1")
    with pytest.raises(errors_module.UnknownSubject) as raised:
        from_domain(unknown, allowed=allowed)
    assert raised.value is unknown
    shown = from_domain(unknown, allowed=(*allowed, UnknownSubjectError))
    assert (type(shown), shown.code) == (UnknownSubjectError, "UNKNOWN_SUBJECT")
