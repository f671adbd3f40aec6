"""`flagChanges`: the change feed of all-platform flags, as a Relay connection."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import strawberry

from credithub.domain import flag_feed, ids
from credithub.domain.status_codec import decode_flag
from credithub.services.flag_feed import FeedEdge, FeedPage
from schema.context import Info
from schema.credit_status import RestrictionFlag
from schema.pagination import PageInfo

if TYPE_CHECKING:
    from schema.subjects import Subject


@strawberry.enum(description="A flag appeared or changed (SET, the whole flag as it now is), or was LIFTED.")
class FlagChangeType(StrEnum):
    SET = "SET"
    LIFTED = "LIFTED"


@strawberry.type(
    description="One entry of the feed: in the snapshot, a flag in force; after it, a change. Apply "
    "entries in order, keyed by (subjectId, flagKey), and the mirror equals the hub's flags."
)
class FlagChange:
    change: FlagChangeType
    snapshot: bool = strawberry.field(description="Part of the initial snapshot of flags in force.")
    subject_id: strawberry.ID
    flag_key: str = strawberry.field(description="Which flag: measure|source platform|source authority|via.")
    flag: RestrictionFlag | None = strawberry.field(description="The flag as it now is; null when LIFTED.")
    at: dt.datetime = strawberry.field(description="When the hub stored the change.")
    subject_number: strawberry.Private[int]

    @strawberry.field(description="The subject (e.g. `... on Merchant { creditCode }` to mirror by code).")
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        from schema.subjects import subject_from_domain

        found = await info.context.loaders.subject.load(self.subject_number)
        assert found is not None, "flag_changes.subject_id references subjects"
        return subject_from_domain(found)

    @classmethod
    def from_feed(cls, edge: FeedEdge) -> FlagChange:
        row = edge.row
        return cls(
            change=FlagChangeType.SET if row.flag is not None else FlagChangeType.LIFTED,
            snapshot=edge.snapshot,
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, row.subject_id)),
            flag_key=row.flag_key,
            flag=RestrictionFlag.from_domain(decode_flag(row.flag), row.subject_id) if row.flag is not None else None,
            at=row.at,
            subject_number=row.subject_id,
        )


@strawberry.type
class FlagChangeEdge:
    cursor: str
    node: FlagChange


@strawberry.type(
    description="A page of the feed. `pageInfo.endCursor` is where to resume, also on an empty page; "
    "`hasNextPage` says whether more is waiting now."
)
class FlagChangeConnection:
    edges: list[FlagChangeEdge]
    page_info: PageInfo

    @classmethod
    def from_page(cls, page: FeedPage, *, has_previous: bool) -> FlagChangeConnection:
        edges = [
            FlagChangeEdge(cursor=flag_feed.encode_feed_cursor(edge.cursor), node=FlagChange.from_feed(edge))
            for edge in page.edges
        ]
        start = edges[0].cursor if edges else None
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=has_previous,
                start_cursor=start,
                end_cursor=flag_feed.encode_feed_cursor(page.end),
            ),
        )
