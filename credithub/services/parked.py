"""What the background work set aside, for operators (CLI), regulators (GraphQL) and metrics."""

from __future__ import annotations

import datetime as dt

from credithub.db import parked as db_parked
from credithub.domain.pages import Page
from credithub.domain.parked import ParkedCounts, ParkedItem, ParkedQueue
from credithub.services.ports import Deps


async def count_parked(deps: Deps) -> ParkedCounts:
    """How many items each queue holds parked: one cheap query (partial indexes), for a metrics
    exporter to call on every scrape."""
    counts = await db_parked.count(deps.pool)
    return ParkedCounts(counts["statuses"], counts["inbox"], counts["outbox"], deps.feed.undeliverable)


async def list_parked(
    deps: Deps, *, queue: ParkedQueue | None = None, after: tuple[dt.datetime, str, int] | None = None, first: int = 20
) -> Page[ParkedItem]:
    """Parked items, most recently parked first."""
    found = await db_parked.list_page(deps.pool, queue=queue, after=after, limit=first + 1)
    return Page(items=found[:first], has_next=len(found) > first)
