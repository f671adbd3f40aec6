"""Keyset pagination: page sizes, and cursors that carry the sort key of the last row seen."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from credithub.domain.errors import InvalidCursor, InvalidPageSize

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list; `has_next` says whether rows follow the last one."""

    items: list[T]
    has_next: bool


def parse_first(first: int | None, *, maximum: int = MAX_PAGE_SIZE, default: int = DEFAULT_PAGE_SIZE) -> int:
    """Validate a requested page size; the limit keeps one query's cost bounded."""
    if first is None:
        return default
    if first < 0 or first > maximum:
        raise InvalidPageSize(f"first must be between 0 and {maximum}, got {first}", field="first")
    return first


def encode_cursor(scope: str, *key: int | str | dt.datetime) -> str:
    """An opaque cursor for the row whose sort key is `key`, valid only for lists of `scope`."""
    parts = [value.isoformat() if isinstance(value, dt.datetime) else value for value in key]
    raw = json.dumps([scope, *parts], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(scope: str, cursor: str) -> list[int | str]:
    """The sort key inside a cursor issued by `encode_cursor(scope, …)`; raises `InvalidCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidCursor("after is not a cursor issued by this list", field="after") from None
    if not isinstance(decoded, list) or not decoded or decoded[0] != scope:
        raise InvalidCursor("after is not a cursor issued by this list", field="after")
    return decoded[1:]


def decode_int_cursor(scope: str, cursor: str | None) -> int | None:
    """For lists ordered by id alone."""
    if cursor is None:
        return None
    key = decode_cursor(scope, cursor)
    if len(key) != 1 or not isinstance(key[0], int):
        raise InvalidCursor("after is not a cursor issued by this list", field="after")
    return key[0]


def decode_time_cursor(scope: str, cursor: str | None) -> tuple[dt.datetime, int] | None:
    """For lists ordered by (time, id)."""
    if cursor is None:
        return None
    key = decode_cursor(scope, cursor)
    try:
        if len(key) != 2 or not isinstance(key[0], str) or not isinstance(key[1], int):
            raise ValueError
        return dt.datetime.fromisoformat(key[0]), key[1]
    except ValueError:
        raise InvalidCursor("after is not a cursor issued by this list", field="after") from None
