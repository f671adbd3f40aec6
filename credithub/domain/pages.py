"""Keyset pagination: page sizes, and cursors that carry the sort key of the last row seen."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from credithub.domain.errors import InvalidCursor, InvalidPageSize, InvalidValue
from credithub.domain.instants import parse_instant

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_CURSOR_LENGTH = 500  # ours are under 100 characters
MAX_ROW_ID = 2**63 - 1
NOT_OURS = "after is not a cursor issued by this list"

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
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(NOT_OURS, field="after")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        raise InvalidCursor(NOT_OURS, field="after") from None
    if not isinstance(decoded, list) or not decoded or decoded[0] != scope:
        raise InvalidCursor(NOT_OURS, field="after")
    return decoded[1:]


def _row_id(value: object) -> int:
    """Ids are PostgreSQL bigints: a crafted cursor may hold any JSON number, or true."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ROW_ID:
        raise InvalidCursor(NOT_OURS, field="after")
    return value


def decode_int_cursor(scope: str, cursor: str | None) -> int | None:
    """For lists ordered by id alone."""
    if cursor is None:
        return None
    key = decode_cursor(scope, cursor)
    if len(key) != 1:
        raise InvalidCursor(NOT_OURS, field="after")
    return _row_id(key[0])


def decode_time_cursor(scope: str, cursor: str | None) -> tuple[dt.datetime, int] | None:
    """For lists ordered by (time, id)."""
    if cursor is None:
        return None
    key = decode_cursor(scope, cursor)
    if len(key) != 2:
        raise InvalidCursor(NOT_OURS, field="after")
    try:
        instant = parse_instant(key[0], "after")
    except InvalidValue:
        raise InvalidCursor(NOT_OURS, field="after") from None
    return instant, _row_id(key[1])


def decode_parked_cursor(scope: str, cursor: str | None) -> tuple[dt.datetime, str, int] | None:
    """For lists ordered by (time, kind, id), e.g. parked items of several queues."""
    if cursor is None:
        return None
    key = decode_cursor(scope, cursor)
    if len(key) != 3 or not isinstance(key[1], str):
        raise InvalidCursor(NOT_OURS, field="after")
    try:
        instant = parse_instant(key[0], "after")
    except InvalidValue:
        raise InvalidCursor(NOT_OURS, field="after") from None
    return instant, key[1], _row_id(key[2])
