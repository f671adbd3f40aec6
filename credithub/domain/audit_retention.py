"""Which months of the audit trail may leave the database, and what their partitions and archives
are called.

The trail is kept by calendar month in UTC, one partition per month and table. A month may be
archived (written to a file, then its partition dropped) once it lies wholly before the retention
period: with a retention of 36 months, on any day of December 2026 the months from December 2023
on are kept, so `--before 2023-12` is the latest an operator may ask for. The retention is a
setting (CREDITHUB_AUDIT_RETENTION_MONTHS): how long credit-information reads must be kept is for
each deployment's rules to say, not for this code.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from credithub.domain.errors import InvalidValue

AUDIT_TABLES: Final = ("audit_reads", "audit_writes")
MONTHS_AHEAD: Final = 3  # partitions kept ready: this month and the next two
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})")
_PARTITION_SUFFIX = re.compile(r"_(?P<year>\d{4})_(?P<month>\d{2})")


def parse_month(text: str, *, field: str = "before") -> dt.date:
    """`YYYY-MM` → the first day of that month."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match["month"]) <= 12:
        raise InvalidValue(f"{field} must be a month written YYYY-MM, got {text!r}", field=field)
    return dt.date(int(match["year"]), int(match["month"]), 1)


def format_month(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def month_of(instant: dt.datetime) -> dt.date:
    """The month (its first day) an instant falls in, in UTC, as the partitions are cut."""
    utc = instant.astimezone(dt.UTC)
    return dt.date(utc.year, utc.month, 1)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def compute_retained_from(now: dt.datetime, retention_months: int) -> dt.date:
    """The oldest month still inside the retention period at `now`."""
    return add_months(month_of(now), -retention_months)


def check_may_archive_before(before: dt.date, now: dt.datetime, retention_months: int) -> None:
    """Archiving every month before `before` must leave the retention period whole."""
    retained_from = compute_retained_from(now, retention_months)
    if before > retained_from:
        raise InvalidValue(
            f"audit months from {format_month(retained_from)} on are within the {retention_months}-month "
            f"retention (CREDITHUB_AUDIT_RETENTION_MONTHS): --before {format_month(before)} would archive some "
            f"of them; the latest allowed now is --before {format_month(retained_from)}",
            field="before",
        )


def partition_month(table: str, partition: str) -> dt.date | None:
    """The month a partition of `table` holds (`audit_reads_2024_01` → 2024-01-01); None for the
    DEFAULT partition and any table not named like a month's."""
    suffix = partition.removeprefix(table)
    match = _PARTITION_SUFFIX.fullmatch(suffix) if suffix != partition else None
    if match is None or not 1 <= int(match["month"]) <= 12:
        return None
    return dt.date(int(match["year"]), int(match["month"]), 1)


def archive_stem(table: str, month: dt.date, attempt: int = 1) -> str:
    """The name an archive's files start with: `audit_reads-2024-01`, then `audit_reads-2024-01.2`
    if that month was archived before (rows restored later, and archived again)."""
    stem = f"{table}-{format_month(month)}"
    return stem if attempt == 1 else f"{stem}.{attempt}"
