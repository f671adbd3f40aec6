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
hand-written code; a value encoded by its own type finds how its class is written in one look-up.
Decoding trusts the document: it is one `encode` wrote, so no field is validated again; a
missing key raises KeyError, an unknown enum value ValueError.
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


class _Kind(enum.Enum):
    """The kinds of type hint, each with its JSON form (the module docstring's table)."""

    PLAIN = enum.auto()  # str, int, float, bool, None
    ANY = enum.auto()
    ENUM = enum.auto()
    INSTANT = enum.auto()  # datetime, date
    BYTES = enum.auto()
    DATACLASS = enum.auto()
    OPTIONAL = enum.auto()  # X | None; its detail is X
    ARRAY = enum.auto()  # its detail is (the constructor's name, X)
    OBJECT = enum.auto()  # its detail is (K, X)
    UNION = enum.auto()  # any other union: written by the value's own type, never read


# The kinds a hint is by itself, checked in this order (an enum of str is not a plain str).
_SIMPLE_KINDS: Final[tuple[tuple[_Kind, Callable[[Any], bool]], ...]] = (
    (_Kind.PLAIN, lambda hint: hint in _PLAIN_TYPES),
    (_Kind.ANY, lambda hint: hint is Any),
    (_Kind.ENUM, lambda hint: isinstance(hint, type) and issubclass(hint, enum.Enum)),
    (_Kind.INSTANT, lambda hint: hint in (dt.datetime, dt.date)),
    (_Kind.BYTES, lambda hint: hint is bytes),
    (_Kind.DATACLASS, lambda hint: isinstance(hint, type) and dataclasses.is_dataclass(hint)),
)
# The kinds that hold another type: what their form depends on, or None.
_HOLDING_KINDS: Final[tuple[tuple[_Kind, Callable[[Any], Any | None]], ...]] = (
    (_Kind.OPTIONAL, _optional),
    (_Kind.ARRAY, _array_item),
    (_Kind.OBJECT, _object_items),
)


def _kind_of(hint: Any) -> tuple[_Kind, Any]:
    """The kind of `hint`, and what its form depends on: the hint itself, or for the kinds that
    hold another type, that type (with the array's constructor, the object's key type)."""
    for kind, is_kind in _SIMPLE_KINDS:
        if is_kind(hint):
            return kind, hint
    for kind, detail_of in _HOLDING_KINDS:
        if (detail := detail_of(hint)) is not None:
            return kind, detail
    return _Kind.UNION, hint


class Codec:
    """Encoders and decoders for dataclasses, shaped by `shapes` where a form needs it."""

    def __init__(self, shapes: Mapping[type, Shape] | None = None) -> None:
        self.shapes: Mapping[type, Shape] = dict(shapes or {})
        self._encoders: dict[type, Callable[[Any], Any]] = {}
        self._decoders: dict[type, Callable[[Any], Any]] = {}
        self._by_class: dict[type, Callable[[Any], Any]] = {}  # how `encode` writes a value of each class

    # ---- the API ------------------------------------------------------------------------------

    def encode(self, value: Any) -> Any:
        """Any domain value as JSON, by its own type."""
        cls = type(value)
        found = self._by_class.get(cls)
        if found is None:
            found = self._by_class[cls] = self._encoder_by_class(cls)
        return found(value)

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

    def key(self, cls: type, name: str, inner: str | None = None) -> str | int:
        """Where the form of a `cls` keeps its field `name` (of an inlined field, its field
        `inner`): the key, or the index in a positional form. For readers of the form that do not
        decode it."""
        shape = self.shapes.get(cls, Shape())
        names = [item.name for item, _ in self._fields(cls)]
        if name not in names:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        if shape.positional:
            return names.index(name)
        if name in shape.inline:
            if inner is None:
                raise TypeError(f"{cls.__name__}.{name} is inlined: name the field of it to read")
            return shape.inline[name][inner]
        return shape.keys.get(name, name)

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
            _check_shape(cls, shape, fields)
        return [(item, hints[item.name]) for item in fields]

    def _encoder_by_class(self, cls: type) -> Callable[[Any], Any]:
        """How `encode` writes a value of class `cls`, in the module docstring's order."""
        for bases, encoder in _SCALARS:
            if issubclass(cls, bases):
                return encoder
        if dataclasses.is_dataclass(cls):
            return self.encoder(cls)
        if issubclass(cls, Mapping):
            return self._encode_mapping
        if issubclass(cls, tuple | list | set | frozenset):
            return self._encode_items
        raise TypeError(f"no JSON form for a {cls.__name__}")

    def _encode_mapping(self, value: Mapping[Any, Any]) -> dict[str, Any]:
        return {_key(key): self.encode(item) for key, item in value.items()}

    def _encode_items(self, value: collections.abc.Iterable[Any]) -> list[Any]:
        return [self.encode(item) for item in value]

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
        kind, detail = _kind_of(hint)
        return _ENCODE_EXPR[kind](self, src, detail, value)

    def _decode_expr(self, src: _Source, hint: Any, raw: str) -> str:
        """An expression for the value of type `hint` that `encode` wrote as `raw` (evaluated once)."""
        kind, detail = _kind_of(hint)
        return _DECODE_EXPR[kind](self, src, detail, raw)

    def _encode_array(self, src: _Source, array: tuple[str, Any], value: str) -> str:
        temp = src.temp()
        expr = self._encode_expr(src, array[1], temp)
        return f"list({value})" if expr == temp else f"[{expr} for {temp} in {value}]"

    def _decode_array(self, src: _Source, array: tuple[str, Any], raw: str) -> str:
        temp = src.temp()
        expr = self._decode_expr(src, array[1], temp)
        return f"{array[0]}({raw})" if expr == temp else f"{array[0]}([{expr} for {temp} in {raw}])"

    def _encode_by_value(self, src: _Source, hint: Any, value: str) -> str:
        return f"{src.ref(self.encode)}({value})"  # Any, or a union: by the value's own type


def _check_shape(cls: type, shape: Shape, fields: tuple[dataclasses.Field[Any], ...]) -> None:
    named = set(shape.keys) | set(shape.inline)
    if unknown := named - {item.name for item in fields}:
        raise TypeError(f"the shape of {cls.__name__} names no field of it: {sorted(unknown)}")
    if shape.positional and named:
        raise TypeError(f"the shape of {cls.__name__} is positional: it has no keys to rename or inline")


_ExprOf = Callable[[_Source, Any, str], str]  # `Codec._encode_expr` or `Codec._decode_expr`


def _optional_expr(expr_of: _ExprOf, src: _Source, inner: Any, value: str) -> str:
    """X | None, either way: None as is, else X's expression (none at all when X's is the value)."""
    temp = src.temp()
    expr = expr_of(src, inner, temp)
    return value if expr == temp else f"(None if ({temp} := {value}) is None else {expr})"


def _object_expr(expr_of: _ExprOf, src: _Source, items: tuple[type, Any], value: str) -> str:
    """K → X, either way: a copy of the object when neither its keys nor its values change."""
    key, temp = src.temp(), src.temp()
    key_expr, expr = expr_of(src, items[0], key), expr_of(src, items[1], temp)
    if key_expr == key and expr == temp:
        return f"dict({value})"
    return f"{{{key_expr}: {expr} for {key}, {temp} in {value}.items()}}"


def _decode_enum(codec: Codec, src: _Source, hint: type[enum.Enum], raw: str) -> str:
    members, temp = src.ref({member.value: member for member in hint}), src.temp()
    # The members by value: a dict look-up is a tenth of calling the enum.
    return f"({members}[{temp}] if ({temp} := {raw}) in {members} else {src.ref(hint)}({temp}))"


def _no_decoder(codec: Codec, src: _Source, hint: Any, raw: str) -> str:
    raise TypeError(f"no decoder for {hint!r}")


_Expr = Callable[[Codec, _Source, Any, str], str]

# An expression for the JSON of a value, by the kind of its type hint.
_ENCODE_EXPR: Final[Mapping[_Kind, _Expr]] = {
    _Kind.PLAIN: lambda codec, src, hint, value: value,
    _Kind.ANY: Codec._encode_by_value,
    _Kind.ENUM: lambda codec, src, hint, value: f"{value}.value",
    _Kind.INSTANT: lambda codec, src, hint, value: f"{value}.isoformat()",
    _Kind.BYTES: lambda codec, src, hint, value: f"{value}.hex()",
    _Kind.DATACLASS: lambda codec, src, hint, value: f"{src.ref(codec.encoder(hint))}({value})",
    _Kind.OPTIONAL: lambda codec, src, inner, value: _optional_expr(codec._encode_expr, src, inner, value),
    _Kind.ARRAY: Codec._encode_array,
    _Kind.OBJECT: lambda codec, src, items, value: _object_expr(codec._encode_expr, src, items, value),
    _Kind.UNION: Codec._encode_by_value,
}

# An expression for the value a JSON form holds, by the kind of its type hint.
_DECODE_EXPR: Final[Mapping[_Kind, _Expr]] = {
    _Kind.PLAIN: lambda codec, src, hint, raw: raw,
    _Kind.ANY: lambda codec, src, hint, raw: raw,
    _Kind.ENUM: _decode_enum,
    _Kind.INSTANT: lambda codec, src, hint, raw: f"{src.ref(hint.fromisoformat)}({raw})",
    _Kind.BYTES: lambda codec, src, hint, raw: f"{src.ref(bytes.fromhex)}({raw})",
    _Kind.DATACLASS: lambda codec, src, hint, raw: f"{src.ref(codec.decoder(hint))}({raw})",
    _Kind.OPTIONAL: lambda codec, src, inner, raw: _optional_expr(codec._decode_expr, src, inner, raw),
    _Kind.ARRAY: Codec._decode_array,
    _Kind.OBJECT: lambda codec, src, items, raw: _object_expr(codec._decode_expr, src, items, raw),
    _Kind.UNION: _no_decoder,
}

# How `encode` writes a scalar, by the first of these classes it is an instance of: enums before
# str and int (a StrEnum is a str), datetime with date.
_SCALARS: Final[tuple[tuple[type | types.UnionType, Callable[[Any], Any]], ...]] = (
    (enum.Enum, lambda value: value.value),
    (types.NoneType | str | int | float, lambda value: value),
    (dt.date, lambda value: value.isoformat()),
    (bytes, lambda value: value.hex()),
)


PLAIN: Final = Codec()


def encode(value: Any) -> Any:
    """Any domain value as JSON, dataclasses by field name (the audit trail's before and after)."""
    return PLAIN.encode(value)


def decode(cls: type[T], raw: Any) -> T:
    """The value of `cls` that `encode` wrote as `raw`."""
    return PLAIN.decode(cls, raw)
