"""The change feed of all-platform flags (`flagChanges`): what a platform needs to mirror the
joint restrictions locally and screen offline.

Every time the status store takes a new status, the flags of ALL_PLATFORMS measures it holds are
compared with the ones it replaces; each flag that appears or changes is a SET (the whole flag,
absolute), each that disappears a LIFT. A reader starts with a snapshot — every such flag in force
at a position — and then follows the changes after that position. Cursors carry the position, so
a reader resumes from any of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from credithub.domain import pages
from credithub.domain.errors import InvalidCursor
from credithub.domain.flags import CreditStatus
from credithub.domain.measures import Scope
from credithub.domain.status_codec import encode_flag

CURSOR_SCOPE = "flag_changes"
SNAPSHOT = "S"  # the cursor's first element; decode_feed_cursor matches these literals
DELTA = "D"


def compute_flag_key(flag: Mapping[str, Any]) -> str:
    """Which flag an encoded flag is: measure, source platform, source authority and the relation
    it came along. Twin of the SQL function flag_feed_key (a test holds them together)."""
    via = flag.get("via")
    return "|".join(
        (
            str(flag["measure"]),
            flag.get("platform") or "",
            flag.get("authority") or "",
            f"{via[0]}:{via[1]}" if via else "",
        )
    )


def compute_feed_changes(before: CreditStatus | None, after: CreditStatus) -> list[tuple[str, dict[str, Any] | None]]:
    """(flag key, the flag now or None when lifted) for every all-platform flag that differs."""

    def shared(status: CreditStatus | None) -> dict[str, dict[str, Any]]:
        if status is None:
            return {}
        encoded = (encode_flag(flag) for flag in status.flags if flag.scope is Scope.ALL_PLATFORMS)
        return {compute_flag_key(flag): flag for flag in encoded}

    old, new = shared(before), shared(after)
    return [(key, new.get(key)) for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


@dataclass(frozen=True, slots=True)
class SnapshotCursor:
    """Inside the snapshot at `position`, after the flag (`subject_id`, `flag_key`)."""

    position: int
    subject_id: int
    flag_key: str


@dataclass(frozen=True, slots=True)
class DeltaCursor:
    """After the change at `position`."""

    position: int


FeedCursor = SnapshotCursor | DeltaCursor


def encode_feed_cursor(cursor: FeedCursor) -> str:
    if isinstance(cursor, SnapshotCursor):
        return pages.encode_cursor(CURSOR_SCOPE, SNAPSHOT, cursor.position, cursor.subject_id, cursor.flag_key)
    return pages.encode_cursor(CURSOR_SCOPE, DELTA, cursor.position)


def decode_feed_cursor(raw: str) -> FeedCursor:
    key = pages.decode_cursor(CURSOR_SCOPE, raw)
    match key:
        case ["S", int(position), int(subject_id), str(flag_key)] if position >= 0:
            return SnapshotCursor(position, subject_id, flag_key)
        case ["D", int(position)] if position >= 0:
            return DeltaCursor(position)
    raise InvalidCursor("after is not a cursor issued by flagChanges", field="after")
