"""JSON forms of domain values, derived from the frozen dataclasses' fields and type hints.

Every stored or pushed form of a domain value is written and read here: the status store and
the status cache (`status_codec`), the inbox (`event_codec`), the flag feed, the push messages
(`deliveries`) and the audit trail. By type hint:

    str, int, float, bool, None     as is
    an Enum                         its value
    datetime                        ISO 8601 with its offset (`isoformat`), read back with that offset
    date                            ISO 8601
    bytes                           hex
    tuple[X, ...], list[X], frozenset[X]     an array
    Mapping[K, X], dict[K, X]       an object (K: str, or an enum of str values)
    X | None                        X or null
    a dataclass                     an object of its fields by name, in field order; a field
                                    with a default takes it when its key is missing
    Any, or a union of types        by the value's own type, as above (encoding only)

A `Shape` keeps a form stored before this module readable: other keys for some fields, a nested
value's fields inlined, an array instead of an object, constant keys (a format version).

Each dataclass gets one encoder and one decoder, generated on first use as plain Python (as
`dataclasses` generates `__init__`), so a status read on the hot path costs no more than
hand-written code. Decoding trusts the document: it is one `encode` wrote, so no field is
validated again; a missing key raises KeyError, an unknown enum value ValueError.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar, cast

T = TypeVar("T")

_PLAIN_TYPES: Final = (str, int, float, bool, type(None))
_ARRAYS: Final = {
    tuple: "tuple",
    list: "list",
    frozenset: "frozenset",
    set: "set",
    collections.abc.Sequence: "tuple",
    collections.abc.Set: "frozenset",
}
_OBJECTS: Final = (dict, collections.abc.Mapping)


@dataclass(frozen=True, slots=True)
class Shape:
    """How a dataclass's JSON departs from its fields (for forms stored before this module)."""

    keys: Mapping[str, str] = field(default_factory=dict)  # field → its key
    inline: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # field → its own fields' keys here
    positional: bool = False  # an array of the fields in order, not an object
    stamp: Mapping[str, Any] = field(default_factory=dict)  # constant keys written first, not read back


class _Source:
    """The names and temporaries of one generated function."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {}
        self.temps = 0

    def ref(self, value: Any) -> str:
        name = f"_r{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def compile(self, name: str, arg: str, body: str) -> Callable[[Any], Any]:
        code = f"def {name}({arg}):\n    return {body}\n"
        exec(code, self.names)  # noqa: S102  # generated from type hints and field names only
        return cast(Callable[[Any], Any], self.names[name])


def _optional(hint: Any) -> Any | None:
    """X for `X | None`, else None."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(others) == 1 and len(typing.get_args(hint)) == 2:
            return others[0]
    return None


def _array_item(hint: Any) -> tuple[str, Any] | None:
    """(the constructor's name, X) for an array of X, else None."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin not in _ARRAYS:
        return None
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        return None  # a fixed tuple has no array form here
    return _ARRAYS[origin], args[0] if args else Any


def _object_items(hint: Any) -> tuple[type, Any] | None:
    """(K, X) for an object of K → X, K being str or an enum of str values, else None."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin not in _OBJECTS:
        return None
    if not args:
        return str, Any
    if args[0] is str or (isinstance(args[0], type) and issubclass(args[0], enum.Enum)):
        return args[0], args[1]
    return None


def _key(key: Any) -> str:
    return str(key.value) if isinstance(key, enum.Enum) else str(key)


class Codec:
    """Encoders and decoders for dataclasses, shaped by `shapes` where a form needs it."""

    def __init__(self, shapes: Mapping[type, Shape] | None = None) -> None:
        self.shapes: Mapping[type, Shape] = dict(shapes or {})
        self._encoders: dict[type, Callable[[Any], Any]] = {}
        self._decoders: dict[type, Callable[[Any], Any]] = {}

    # ---- the API ------------------------------------------------------------------------------

    def encode(self, value: Any) -> Any:
        """Any domain value as JSON, by its own type."""
        if isinstance(value, enum.Enum):
            return value.value
        if value is None or isinstance(value, str | int | float):
            return value
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bytes):
            return value.hex()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.encoder(type(value))(value)
        if isinstance(value, Mapping):
            return {_key(key): self.encode(item) for key, item in value.items()}
        if isinstance(value, tuple | list | set | frozenset):
            return [self.encode(item) for item in value]
        raise TypeError(f"no JSON form for a {type(value).__name__}")

    def decode(self, cls: type[T], raw: Any) -> T:
        """The value of `cls` that `encode` wrote as `raw`."""
        return self.decoder(cls)(raw)

    def encoder(self, cls: type[T]) -> Callable[[T], Any]:
        found = self._encoders.get(cls)
        if found is None:
            found = self._encoders[cls] = self._compile_encoder(cls)
        return found

    def decoder(self, cls: type[T]) -> Callable[[Any], T]:
        found = self._decoders.get(cls)
        if found is None:
            found = self._decoders[cls] = self._compile_decoder(cls)
        return found

    # ---- generated code -----------------------------------------------------------------------

    def _fields(self, cls: type, *, decoding: bool = False) -> list[tuple[dataclasses.Field[Any], Any]]:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls!r} is not a dataclass")
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)
        if decoding and any(not item.init for item in fields):
            raise TypeError(f"{cls.__name__} has fields its constructor does not take: it cannot be decoded")
        shape = self.shapes.get(cls)
        if shape is not None:
            named = set(shape.keys) | set(shape.inline)
            if unknown := named - {item.name for item in fields}:
                raise TypeError(f"the shape of {cls.__name__} names no field of it: {sorted(unknown)}")
            if shape.positional and named:
                raise TypeError(f"the shape of {cls.__name__} is positional: it has no keys to rename or inline")
        return [(item, hints[item.name]) for item in fields]

    def _compile_encoder(self, cls: type) -> Callable[[Any], Any]:
        src, shape = _Source(), self.shapes.get(cls, Shape())
        parts: list[str] = [f"{key!r}: {src.ref(value)}" for key, value in shape.stamp.items()]
        values: list[str] = []
        for item, hint in self._fields(cls):
            if item.name in shape.inline:
                keys = shape.inline[item.name]
                for inner, inner_hint in self._fields(hint):
                    expr = self._encode_expr(src, inner_hint, f"value.{item.name}.{inner.name}")
                    parts.append(f"{keys[inner.name]!r}: {expr}")
                continue
            expr = self._encode_expr(src, hint, f"value.{item.name}")
            values.append(expr)
            parts.append(f"{shape.keys.get(item.name, item.name)!r}: {expr}")
        body = f"[{', '.join(values)}]" if shape.positional else f"{{{', '.join(parts)}}}"
        return src.compile(f"encode_{cls.__name__}", "value", body)

    def _compile_decoder(self, cls: type) -> Callable[[Any], Any]:
        src, shape = _Source(), self.shapes.get(cls, Shape())
        args: list[str] = []
        for index, (item, hint) in enumerate(self._fields(cls, decoding=True)):
            if item.name in shape.inline:
                keys = shape.inline[item.name]
                fields = self._fields(hint, decoding=True)
                inner = [self._decode_expr(src, h, f"raw[{keys[f.name]!r}]") for f, h in fields]
                args.append(f"{src.ref(hint)}({', '.join(inner)})")
                continue
            key = shape.keys.get(item.name, item.name)
            expr = self._decode_expr(src, hint, f"raw[{index}]" if shape.positional else f"raw[{key!r}]")
            if not shape.positional and item.default is not dataclasses.MISSING:
                expr = f"({expr} if {key!r} in raw else {src.ref(item.default)})"
            elif not shape.positional and item.default_factory is not dataclasses.MISSING:
                expr = f"({expr} if {key!r} in raw else {src.ref(item.default_factory)}())"
            args.append(f"{item.name}={expr}" if item.kw_only else expr)
        return src.compile(f"decode_{cls.__name__}", "raw", f"{src.ref(cls)}({', '.join(args)})")

    def _encode_expr(self, src: _Source, hint: Any, value: str) -> str:
        """An expression for the JSON of `value` (evaluated at most once) of type `hint`."""
        if hint in _PLAIN_TYPES:
            return value
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return f"{value}.value"
        if hint in (dt.datetime, dt.date):
            return f"{value}.isoformat()"
        if hint is bytes:
            return f"{value}.hex()"
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return f"{src.ref(self.encoder(hint))}({value})"
        if (inner := _optional(hint)) is not None:
            temp = src.temp()
            expr = self._encode_expr(src, inner, temp)
            return value if expr == temp else f"(None if ({temp} := {value}) is None else {expr})"
        if (array := _array_item(hint)) is not None:
            temp = src.temp()
            expr = self._encode_expr(src, array[1], temp)
            return f"list({value})" if expr == temp else f"[{expr} for {temp} in {value}]"
        if (items := _object_items(hint)) is not None:
            key, temp = src.temp(), src.temp()
            key_expr, expr = self._encode_expr(src, items[0], key), self._encode_expr(src, items[1], temp)
            if key_expr == key and expr == temp:
                return f"dict({value})"
            return f"{{{key_expr}: {expr} for {key}, {temp} in {value}.items()}}"
        return f"{src.ref(self.encode)}({value})"  # Any, or a union: by the value's own type

    def _decode_expr(self, src: _Source, hint: Any, raw: str) -> str:
        """An expression for the value of type `hint` that `encode` wrote as `raw` (evaluated once)."""
        if hint in _PLAIN_TYPES or hint is Any:
            return raw
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            members, temp = src.ref({member.value: member for member in hint}), src.temp()
            # The members by value: a dict look-up is a tenth of calling the enum.
            return f"({members}[{temp}] if ({temp} := {raw}) in {members} else {src.ref(hint)}({temp}))"
        if hint in (dt.datetime, dt.date):
            return f"{src.ref(hint.fromisoformat)}({raw})"
        if hint is bytes:
            return f"{src.ref(bytes.fromhex)}({raw})"
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return f"{src.ref(self.decoder(hint))}({raw})"
        if (inner := _optional(hint)) is not None:
            temp = src.temp()
            expr = self._decode_expr(src, inner, temp)
            return raw if expr == temp else f"(None if ({temp} := {raw}) is None else {expr})"
        if (array := _array_item(hint)) is not None:
            temp = src.temp()
            expr = self._decode_expr(src, array[1], temp)
            return f"{array[0]}({raw})" if expr == temp else f"{array[0]}([{expr} for {temp} in {raw}])"
        if (items := _object_items(hint)) is not None:
            key, temp = src.temp(), src.temp()
            key_expr, expr = self._decode_expr(src, items[0], key), self._decode_expr(src, items[1], temp)
            if key_expr == key and expr == temp:
                return f"dict({raw})"
            return f"{{{key_expr}: {expr} for {key}, {temp} in {raw}.items()}}"
        raise TypeError(f"no decoder for {hint!r}")


PLAIN: Final = Codec()


def encode(value: Any) -> Any:
    """Any domain value as JSON, dataclasses by field name (the audit trail's before and after)."""
    return PLAIN.encode(value)


def decode(cls: type[T], raw: Any) -> T:
    """The value of `cls` that `encode` wrote as `raw`."""
    return PLAIN.decode(cls, raw)
