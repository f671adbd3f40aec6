"""Which audit months may be archived: whole UTC months wholly before the retention period."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain import audit_retention
from credithub.domain.errors import InvalidValue

DECEMBER = dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)


def test_with_36_months_of_retention_in_december_2026_december_2023_on_is_kept() -> None:
    audit_retention.check_may_archive_before(dt.date(2023, 12, 1), DECEMBER, 36)
    with pytest.raises(InvalidValue, match="the latest allowed now is --before 2023-12") as refused:
        audit_retention.check_may_archive_before(dt.date(2024, 1, 1), DECEMBER, 36)
    assert refused.value.field == "before"


def test_months_are_cut_in_utc() -> None:
    new_year_in_shanghai = dt.datetime(2027, 1, 1, 7, 59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert audit_retention.month_of(new_year_in_shanghai) == dt.date(2026, 12, 1)


@pytest.mark.parametrize("text", ["2024-13", "2024-00", "2024-1", "24-01", "January", ""])
def test_a_month_must_be_written_year_dash_month(text: str) -> None:
    with pytest.raises(InvalidValue, match="YYYY-MM"):
        audit_retention.parse_month(text)


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("audit_reads_2024_01", dt.date(2024, 1, 1)),
        ("audit_reads_default", None),
        ("audit_reads_2024_13", None),
        ("audit_writes_2024_01", None),  # another table's
    ],
)
def test_a_partition_is_a_month_only_when_named_like_one_of_its_table(name: str, month: dt.date | None) -> None:
    assert audit_retention.partition_month("audit_reads", name) == month


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9000, 1, 1)), st.integers(-1200, 1200))
def test_adding_months_then_taking_them_away_gives_the_month_back(day: dt.date, count: int) -> None:
    month = day.replace(day=1)
    moved = audit_retention.add_months(month, count)
    assert moved.day == 1
    assert audit_retention.add_months(moved, -count) == month
    assert audit_retention.parse_month(audit_retention.format_month(moved)) == moved
