"""`flagChanges`: mirror the all-platform flags (snapshot, then changes)."""

from __future__ import annotations

import strawberry

from credithub.domain import flag_feed, pages, visibility
from credithub.services import flag_feed as flag_feed_service
from schema.context import Info
from schema.flag_feed import FlagChangeConnection


@strawberry.type
class FlagFeedQueries:
    @strawberry.field(
        description="Every subject's changes in all-platform flags, oldest first (a subject client: its own "
        "alone). Without `after`: a snapshot of every such flag in force, then the changes since. Resume from "
        "any cursor; no change is skipped or repeated, however changes land while you page."
    )
    async def flag_changes(
        self, info: Info, after: str | None = None, first: int | None = pages.DEFAULT_PAGE_SIZE
    ) -> FlagChangeConnection:
        cursor = flag_feed.decode_feed_cursor(after) if after is not None else None
        scope = visibility.compute_enumeration_scope(info.context.viewer)
        page = await flag_feed_service.read_page(
            info.context.reading, cursor, pages.parse_first(first), only_subject=scope.subject_id
        )
        info.context.note_reads("flagChanges", {edge.row.subject_id for edge in page.edges})
        return FlagChangeConnection.from_page(page, has_previous=after is not None)
