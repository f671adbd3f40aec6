"""The change feed of all-platform flags (`flagChanges`): written with the status store, read
as a snapshot then deltas.

`record_changes` runs inside the status refresher's transaction, so a status and the feed
entries describing its change commit together. `read_page` serves a page: with no cursor it
fixes a position (every change at or below it has committed), pages through the flags in force
there, and then continues with the changes after it; the cursor of every edge resumes there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from credithub.db import flag_feed as db_flag_feed
from credithub.db.pool import Connection
from credithub.domain.flag_feed import (
    DeltaCursor,
    FeedCursor,
    SnapshotCursor,
    compute_feed_changes,
)
from credithub.domain.flags import StatusReplaced
from credithub.services.ports import Deps


async def record_changes(conn: Connection, replaced: Sequence[StatusReplaced], at: dt.datetime) -> int:
    """Append the all-platform flag changes between stored statuses and their successors.
    Call it last in the transaction: it takes the feed lock, held until commit."""
    changes = [
        (item.after.subject_id, key, flag)
        for item in sorted(replaced, key=lambda item: item.after.subject_id)
        for key, flag in compute_feed_changes(item.before, item.after)
    ]
    await db_flag_feed.insert_many(conn, changes, at)
    return len(changes)


@dataclass(frozen=True, slots=True)
class FeedEdge:
    cursor: FeedCursor
    row: db_flag_feed.FeedRow
    snapshot: bool


@dataclass(frozen=True, slots=True)
class FeedPage:
    edges: list[FeedEdge]
    end: FeedCursor  # where to resume, also when the page is empty
    has_next: bool


async def read_page(deps: Deps, after: FeedCursor | None, first: int, *, only_subject: int | None = None) -> FeedPage:
    """Up to `first` entries after `after` (None: from a new snapshot); with `only_subject`, that
    subject's alone (a subject client mirrors its own flags, never anyone else's)."""
    if after is None:
        after = SnapshotCursor(await db_flag_feed.get_position(deps.pool), 0, "")
    edges: list[FeedEdge] = []
    if isinstance(after, SnapshotCursor):
        found = await db_flag_feed.list_snapshot(
            deps.pool, after.position, after.subject_id, after.flag_key, first + 1, only_subject
        )
        for row in found[:first]:
            edges.append(FeedEdge(SnapshotCursor(after.position, row.subject_id, row.flag_key), row, True))
        if len(found) > first:
            return FeedPage(edges, edges[-1].cursor if edges else after, True)
        after = DeltaCursor(after.position)  # the snapshot is done: the changes since follow
    remaining = first - len(edges)
    found = await db_flag_feed.list_after(deps.pool, after.position, remaining + 1, only_subject)
    taken = found[:remaining]
    for row in taken:
        assert row.position is not None
        edges.append(FeedEdge(DeltaCursor(row.position), row, False))
    end = edges[-1].cursor if taken else after
    return FeedPage(edges, end, len(found) > remaining)
