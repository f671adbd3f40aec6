"""The codec behind every stored form: what `encode` writes, `decode` reads back as it was, for
every kind of field a domain dataclass has; shapes that name no field are refused when built."""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import inspect
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

import credithub.domain
from credithub.domain import codec


class Colour(StrEnum):
    RED = "RED"
    GREEN = "GREEN"


@dataclass(frozen=True, slots=True)
class Inner:
    colour: Colour
    at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Outer:
    name: str
    count: int
    ratio: float
    flag: bool
    day: dt.date
    digest: bytes | None
    inners: tuple[Inner, ...]
    colours: frozenset[Colour]
    by_name: Mapping[str, bool]
    by_colour: Mapping[Colour, int]
    inner: Inner | None
    anything: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class Later:
    first: str
    added: int | None = None  # a field added after documents were stored without it
    tags: tuple[str, ...] = field(default_factory=tuple)
    last: str


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=10)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.datetimes(timezones=offsets)
inners = st.builds(Inner, st.sampled_from(Colour), st.none() | instants)
outers = st.builds(
    Outer,
    texts,
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(),
    st.none() | st.binary(max_size=8),
    st.lists(inners, max_size=3).map(tuple),
    st.frozensets(st.sampled_from(Colour)),
    st.dictionaries(texts, st.booleans(), max_size=3),
    st.dictionaries(st.sampled_from(Colour), st.integers(min_value=-(2**53), max_value=2**53), max_size=2),
    st.none() | inners,
    st.none() | texts | st.lists(st.integers(min_value=0, max_value=2**53), max_size=3),
)


@given(outers)
def test_what_is_encoded_decodes_to_the_same_value_through_json_text(value: Outer) -> None:
    read = codec.decode(Outer, orjson.loads(orjson.dumps(codec.encode(value))))
    assert read == value
    assert [i.at.utcoffset() if i.at else None for i in read.inners] == [
        i.at.utcoffset() if i.at else None for i in value.inners
    ]


def test_fields_are_written_by_name_in_order_in_their_json_types() -> None:
    at = dt.datetime(2026, 12, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    value = Outer(
        "n", 1, 0.5, True, dt.date(2026, 1, 2), b"\x01\xff", (Inner(Colour.RED, at),), frozenset(),
        {"a": True}, {Colour.GREEN: 2}, None, {"k": Colour.RED},
    )  # fmt: skip
    assert orjson.dumps(codec.encode(value)) == orjson.dumps(
        {
            "name": "n",
            "count": 1,
            "ratio": 0.5,
            "flag": True,
            "day": "2026-01-02",
            "digest": "01ff",
            "inners": [{"colour": "RED", "at": "2026-12-01T08:00:00+08:00"}],
            "colours": [],
            "by_name": {"a": True},
            "by_colour": {"GREEN": 2},
            "inner": None,
            "anything": {"k": "RED"},
        }
    )


def test_a_missing_key_takes_the_fields_default() -> None:
    assert codec.decode(Later, {"first": "a", "last": "z"}) == Later(first="a", last="z")
    assert codec.decode(Later, {"first": "a", "added": 3, "tags": ["t"], "last": "z"}) == Later(
        first="a", added=3, tags=("t",), last="z"
    )


def test_a_missing_key_without_a_default_is_an_error() -> None:
    with pytest.raises(KeyError, match="at"):
        codec.decode(Inner, {"colour": "RED"})


def test_a_value_its_enum_does_not_have_is_an_error() -> None:
    with pytest.raises(ValueError, match="BLUE"):
        codec.decode(Inner, {"colour": "BLUE", "at": None})


@dataclass(frozen=True, slots=True)
class Shaped:
    name: str
    inner: Inner
    items: tuple[Inner, ...]


def test_a_shape_renames_inlines_stamps_and_writes_arrays() -> None:
    shaped = codec.Codec(
        {
            Shaped: codec.Shape(stamp={"v": 1}, keys={"name": "n"}, inline={"inner": {"colour": "c", "at": "t"}}),
            Inner: codec.Shape(positional=True),
        }
    )
    value = Shaped("x", Inner(Colour.GREEN, None), (Inner(Colour.RED, None),))
    encoded = shaped.encode(value)
    assert orjson.dumps(encoded) == b'{"v":1,"n":"x","c":"GREEN","t":null,"items":[["RED",null]]}'
    assert shaped.decode(Shaped, encoded) == value


def test_a_shape_naming_no_field_is_refused() -> None:
    with pytest.raises(TypeError, match="names no field"):
        codec.Codec({Inner: codec.Shape(keys={"colour_": "c"})}).encoder(Inner)
    with pytest.raises(TypeError, match="positional"):
        codec.Codec({Inner: codec.Shape(positional=True, keys={"colour": "c"})}).decoder(Inner)


@dataclass(frozen=True, slots=True)
class Either:
    value: Inner | Later


def test_a_union_is_written_by_the_values_own_type_and_cannot_be_read_back() -> None:
    assert codec.encode(Either(Later(first="a", last="z"))) == {
        "value": {"first": "a", "added": None, "tags": [], "last": "z"}
    }
    with pytest.raises(TypeError, match="no decoder"):
        codec.PLAIN.decoder(Either)


def test_a_value_with_no_json_form_is_refused() -> None:
    with pytest.raises(TypeError, match="no JSON form"):
        codec.encode(object())


def _domain_dataclasses() -> list[type]:
    found = []
    for module in pkgutil.iter_modules(credithub.domain.__path__):
        loaded = importlib.import_module(f"credithub.domain.{module.name}")
        found += [
            cls
            for cls in vars(loaded).values()
            if inspect.isclass(cls) and dataclasses.is_dataclass(cls) and cls.__module__ == loaded.__name__
        ]
    return found


@pytest.mark.parametrize("cls", _domain_dataclasses(), ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_domain_value_can_be_kept_in_the_audit_trail(cls: type) -> None:
    """Audit rows keep any domain value a service passes: each has an encoder (its type hints
    resolve, its fields have JSON forms)."""
    assert callable(codec.PLAIN.encoder(cls))


def test_a_shape_says_where_each_field_is_kept() -> None:
    shaped = codec.Codec(
        {
            Shaped: codec.Shape(keys={"name": "n"}, inline={"inner": {"colour": "c", "at": "t"}}),
            Inner: codec.Shape(positional=True),
        }
    )
    assert [shaped.key(Shaped, "name"), shaped.key(Shaped, "inner", "at"), shaped.key(Shaped, "items")] == [
        "n",
        "t",
        "items",
    ]
    assert [shaped.key(Inner, "colour"), shaped.key(Inner, "at")] == [0, 1]
    with pytest.raises(TypeError, match="inlined"):
        shaped.key(Shaped, "inner")
    with pytest.raises(TypeError, match="no field"):
        shaped.key(Shaped, "nope")
