"""Notices to a subject, with their delivery state."""

from __future__ import annotations

import datetime as dt

import strawberry

from credithub.domain import ids, notices, pages
from schema.context import Info
from schema.pagination import PageInfo

NoticeKind = notices.NoticeKind
strawberry.enum(NoticeKind, description="What the notice tells the subject.")
NoticeDelivery = notices.Delivery
strawberry.enum(
    NoticeDelivery,
    name="NoticeDelivery",
    description="QUEUED to the subject's platforms; DELIVERED (a platform took it); NO_CHANNEL (no platform "
    "can carry it: serve it another way).",
)
NOTICE_CURSOR_SCOPE = "notices"


def _optional_id(kind: ids.IdKind, number: int | None) -> strawberry.ID | None:
    return strawberry.ID(ids.format_id(kind, number)) if number is not None else None


@strawberry.type(description="A notice to the subject about a decision on it.")
class Notice:
    id: strawberry.ID
    kind: NoticeKind
    title: str
    body: str
    record_id: strawberry.ID | None
    list_entry_id: strawberry.ID | None
    objection_id: strawberry.ID | None
    repair_application_id: strawberry.ID | None
    repairable_from: dt.datetime | None = strawberry.field(
        description="A notice of the right to repair: when an application can first be granted."
    )
    created_at: dt.datetime
    created_by: str
    delivery: NoticeDelivery
    delivered_at: dt.datetime | None
    acknowledged_at: dt.datetime | None

    @classmethod
    def from_domain(cls, notice: notices.Notice) -> Notice:
        refs = notice.refs
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.NOTICE, notice.id)),
            kind=notice.kind,
            title=notice.title,
            body=notice.body,
            record_id=_optional_id(ids.IdKind.RECORD, refs.record_id),
            list_entry_id=_optional_id(ids.IdKind.LIST_ENTRY, refs.list_entry_id),
            objection_id=_optional_id(ids.IdKind.OBJECTION, refs.objection_id),
            repair_application_id=_optional_id(ids.IdKind.REPAIR, refs.repair_id),
            repairable_from=notice.repairable_from,
            created_at=notice.created_at,
            created_by=notice.created_by,
            delivery=notice.delivery,
            delivered_at=notice.delivered_at,
            acknowledged_at=notice.acknowledged_at,
        )


@strawberry.type
class NoticeEdge:
    cursor: str
    node: Notice


@strawberry.type(description="A page of a subject's notices, newest first.")
class NoticeConnection:
    edges: list[NoticeEdge]
    page_info: PageInfo
    subject_number: strawberry.Private[int]

    @strawberry.field(description="How many notices the subject has (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.notice_count.load(self.subject_number)

    @classmethod
    def from_page(cls, page: pages.Page[notices.Notice], subject_id: int, *, has_previous: bool) -> NoticeConnection:
        edges = [
            NoticeEdge(cursor=pages.encode_cursor(NOTICE_CURSOR_SCOPE, notice.id), node=Notice.from_domain(notice))
            for notice in page.items
        ]
        return cls(
            edges=edges,
            page_info=PageInfo.of([edge.cursor for edge in edges], has_next=page.has_next, has_previous=has_previous),
            subject_number=subject_id,
        )
