"""What the hub parked, for regulators and admins."""

from __future__ import annotations

import strawberry

from credithub.domain import pages, parked
from credithub.services import parked as parked_service
from schema.context import Info
from schema.parked import PARKED_CURSOR_SCOPE, ParkedCounts, ParkedItemConnection, ParkedQueue


@strawberry.type
class ParkedQueries:
    @strawberry.field(
        description="Items the background work set aside with their errors — subjects whose status cannot "
        "be computed, platform events that could not be applied, pushes never delivered — most recently "
        "parked first (regulators and admins)."
    )
    async def parked_items(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        queue: ParkedQueue | None = None,
    ) -> ParkedItemConnection:
        parked.check_may_see(info.context.viewer)
        page = await parked_service.list_parked(
            info.context.reading,
            queue=queue,
            after=pages.decode_parked_cursor(PARKED_CURSOR_SCOPE, after),
            first=pages.parse_first(first),
        )
        return ParkedItemConnection.from_page(page, has_previous=after is not None)

    @strawberry.field(description="How many items each queue holds parked (regulators and admins).")
    async def parked_counts(self, info: Info) -> ParkedCounts:
        parked.check_may_see(info.context.viewer)
        return ParkedCounts.from_domain(await parked_service.count_parked(info.context.reading))
