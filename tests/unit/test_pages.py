from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.errors import InvalidCursor, InvalidPageSize
from credithub.domain.pages import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    decode_int_cursor,
    decode_time_cursor,
    encode_cursor,
    parse_first,
)


@given(st.integers(min_value=0, max_value=2**62))
def test_an_id_cursor_decodes_to_the_id_it_was_made_from(row_id: int) -> None:
    assert decode_int_cursor("subjects", encode_cursor("subjects", row_id)) == row_id


def test_a_time_cursor_keeps_the_instant_and_the_id() -> None:
    instant = dt.datetime(2026, 4, 1, 8, 30, 15, 123456, tzinfo=dt.UTC)
    assert decode_time_cursor("records", encode_cursor("records", instant, 42)) == (instant, 42)


def test_a_cursor_from_another_list_is_refused() -> None:
    with pytest.raises(InvalidCursor):
        decode_int_cursor("subjects", encode_cursor("signings", 7))


@given(st.text(max_size=40))
def test_garbage_cursors_raise_invalid_cursor_and_nothing_else(raw: str) -> None:
    with contextlib.suppress(InvalidCursor):
        decode_time_cursor("records", raw)


def test_page_size_defaults_and_limits() -> None:
    assert parse_first(None) == DEFAULT_PAGE_SIZE
    assert parse_first(0) == 0
    assert parse_first(MAX_PAGE_SIZE) == MAX_PAGE_SIZE
    for bad in (-1, MAX_PAGE_SIZE + 1):
        with pytest.raises(InvalidPageSize):
            parse_first(bad)
