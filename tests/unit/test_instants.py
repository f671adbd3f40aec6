"""Instants at the edge: aware, inside [1900, 2200), in UTC; anything else refused with its field."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.errors import InvalidCursor, InvalidValue
from credithub.domain.instants import EARLIEST, LATEST, check_instant, parse_instant
from credithub.domain.pages import decode_int_cursor, decode_time_cursor, encode_cursor


def test_an_instant_with_an_offset_comes_back_in_utc() -> None:
    assert parse_instant("2026-05-01T10:00:00+08:00", "at") == dt.datetime(2026, 5, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+00:00",  # PostgreSQL would store -infinity
        "0001-01-01T00:00:00+08:00",  # overflows on the way to UTC
        "9999-12-31T23:59:59+00:00",
        "1899-12-31T23:59:59+00:00",
        "2200-01-01T00:00:00+00:00",
        "2026-05-01T10:00:00",  # naive
        "2026-05-01",
        "",
        "\ud800",
    ],
)
def test_nonsense_is_refused_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_instant(raw, "data.occurred_at")
    assert refused.value.field == "data.occurred_at"


def test_the_span_is_inclusive_at_its_start_and_exclusive_at_its_end() -> None:
    assert check_instant(EARLIEST, "at") == EARLIEST
    with pytest.raises(InvalidValue):
        check_instant(LATEST, "at")


OFFSETS = st.builds(dt.timezone, st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)))


@given(st.datetimes(timezones=OFFSETS))
def test_any_aware_datetime_is_either_in_range_in_utc_or_refused(value: dt.datetime) -> None:
    try:
        checked = check_instant(value, "at")
    except InvalidValue:
        return
    assert checked.tzinfo is dt.UTC
    assert checked == value
    assert EARLIEST <= checked < LATEST


@given(st.text(max_size=60))
def test_any_text_parses_or_raises_invalid_value_and_nothing_else(raw: str) -> None:
    with contextlib.suppress(InvalidValue):
        parse_instant(raw, "at")


def _crafted(*key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(["records", *key]).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _crafted("0001-01-01T00:00:00", 1),  # naive, year 1
        _crafted("2026-01-01T00:00:00+00:00", 2**70),  # not a bigint
        _crafted("2026-01-01T00:00:00+00:00", True),
        _crafted("2026-01-01T00:00:00+00:00", -1),
        "W" * 10_000,
        "WwW" + "[" * 5000,
    ],
)
def test_crafted_time_cursors_are_invalid_cursors(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_time_cursor("records", cursor)


def test_a_deeply_nested_cursor_is_an_invalid_cursor() -> None:
    nested = base64.urlsafe_b64encode(b"[" * 400 + b"]" * 400).decode()
    with pytest.raises(InvalidCursor):
        decode_int_cursor("subjects", nested)
    with pytest.raises(InvalidCursor):
        decode_int_cursor("subjects", encode_cursor("subjects", 2**64))
