"""Instants the hub accepts: timezone-aware, and inside the span credit information can concern.

Every instant that enters the hub — an event's `occurred_at`, a relation's `valid_from`, a
GraphQL `asOf`, a filter's `since`, a cursor's sort key — passes through here. Python and
PostgreSQL disagree at the edges of the calendar (PostgreSQL stores `0001-01-01T00:00:00Z` as
`-infinity`, which comes back as a naive `datetime.min`), and window arithmetic on such an
instant overflows; one such value stored once would fail every computation that reads it. So
the hub refuses it at the edge, naming the field, and never stores it.

The span is generous on purpose: it rules out nonsense, not old or far-future facts.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.domain.errors import InvalidValue

EARLIEST: Final = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST: Final = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)  # exclusive
EXAMPLE: Final = "2026-05-01T10:00:00+08:00"


def check_instant(value: dt.datetime, field: str) -> dt.datetime:
    """`value` in UTC, or InvalidValue naming `field` when it has no UTC offset or lies
    outside [EARLIEST, LATEST)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(f"{field} must include a UTC offset, e.g. {EXAMPLE}", field=field)
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+08:00 lies before the first representable instant
        raise InvalidValue(_out_of_range(field), field=field) from None
    if not EARLIEST <= utc < LATEST:
        raise InvalidValue(_out_of_range(field), field=field)
    return utc


def parse_instant(raw: object, field: str) -> dt.datetime:
    """An ISO 8601 date-time with a UTC offset, in range, as UTC; or InvalidValue naming `field`."""
    if not isinstance(raw, str):
        raise InvalidValue(f"{field} must be an ISO 8601 date-time string, e.g. {EXAMPLE}", field=field)
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidValue(f"{field} must be an ISO 8601 date-time, e.g. {EXAMPLE}", field=field) from None
    return check_instant(value, field)


def _out_of_range(field: str) -> str:
    return f"{field} must lie between {EARLIEST.date().isoformat()} and {LATEST.date().isoformat()} (UTC)"
