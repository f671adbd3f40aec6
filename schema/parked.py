"""What the hub's background work parked, as regulators and admins see it."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import ids, pages
from credithub.domain import parked as domain_parked
from schema.pagination import PageInfo

PARKED_CURSOR_SCOPE = "parked"

ParkedQueue = domain_parked.ParkedQueue
strawberry.enum(
    ParkedQueue,
    description="STATUSES: a subject whose credit status cannot be computed; INBOX: a platform event that "
    "could not be applied; OUTBOX: a push to a platform that was never delivered.",
)


@strawberry.type(description="An item a queue set aside with its error, so that everything else went on.")
class ParkedItem:
    queue: ParkedQueue
    id: str = strawberry.field(
        description="The subject's id (STATUSES), or the inbox event's or outbox message's number."
    )
    subject_id: strawberry.ID | None
    platform: str | None
    error: str
    parked_at: dt.datetime
    attempts: int

    @classmethod
    def from_domain(cls, item: domain_parked.ParkedItem) -> ParkedItem:
        subject = ids.format_id(ids.IdKind.SUBJECT, item.subject_id) if item.subject_id is not None else None
        shown = subject if item.queue is domain_parked.ParkedQueue.STATUSES and subject else str(item.id)
        return cls(
            queue=item.queue,
            id=shown,
            subject_id=strawberry.ID(subject) if subject else None,
            platform=item.platform,
            error=item.error,
            parked_at=item.parked_at,
            attempts=item.attempts,
        )


@strawberry.type
class ParkedItemEdge:
    cursor: str
    node: ParkedItem


@strawberry.type(description="Parked items, most recently parked first.")
class ParkedItemConnection:
    edges: list[ParkedItemEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: pages.Page[domain_parked.ParkedItem], *, has_previous: bool) -> ParkedItemConnection:
        edges = [
            ParkedItemEdge(
                cursor=pages.encode_cursor(PARKED_CURSOR_SCOPE, item.parked_at, item.queue.value, item.id),
                node=ParkedItem.from_domain(item),
            )
            for item in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(edges=edges, page_info=PageInfo.of(cursors, has_next=page.has_next, has_previous=has_previous))


@strawberry.type(description="How many items each queue holds parked.")
class ParkedCounts:
    statuses: int
    inbox: int
    outbox: int
    live_feed: int = strawberry.field(
        description="Live-feed announcements this instance could not give a subscriber since it started (not kept)."
    )

    @classmethod
    def from_domain(cls, counts: domain_parked.ParkedCounts) -> ParkedCounts:
        return cls(statuses=counts.statuses, inbox=counts.inbox, outbox=counts.outbox, live_feed=counts.live_feed)
