"""Execution gaps: mandatory flags not reported applied in time, and relations made in breach."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from credithub.domain import executions, ids
from schema.context import Info
from schema.pagination import PageInfo

if TYPE_CHECKING:
    from schema.subjects import Subject

GAP_CURSOR_SCOPE = "execution_gaps"

ExecutionGapKind = executions.GapKind
strawberry.enum(
    ExecutionGapKind,
    name="ExecutionGapKind",
    description="NOT_APPLIED: a mandatory flag pushed to a platform that has not reported it applied within "
    "CREDITHUB_EXECUTION_DAYS; RELATION_IN_BREACH: a relation made while a flag forbade it (an agency under "
    "SIGNING_BAN signing an anchor).",
)


async def _subject(info: Info, subject_id: int | None) -> Subject | None:
    from schema.subjects import subject_from_domain

    if subject_id is None:
        return None
    found = await info.context.loaders.subject.load(subject_id)
    return subject_from_domain(found) if found is not None else None


@strawberry.type(description="A flag the hub pushed and a platform has not carried out, or a relation made in breach.")
class ExecutionGap:
    kind: ExecutionGapKind
    subject_id: strawberry.ID
    platform: str | None = strawberry.field(
        description="The platform that should report the measure applied; for a relation, where it was reported."
    )
    measure: str
    since: dt.datetime = strawberry.field(
        description="When the flag was first pushed (NOT_APPLIED), or when the relation began."
    )
    due_by: dt.datetime | None = strawberry.field(description="NOT_APPLIED: when the report was due.")
    related_subject_id: strawberry.ID | None = strawberry.field(description="The other end of the relation.")
    detail: str
    gap: strawberry.Private[executions.ExecutionGap]

    @strawberry.field(description="The flagged subject (null if the viewer may not see it).")
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")] | None:
        return await _subject(info, self.gap.subject_id)

    @strawberry.field(description="The other end of the relation (null if none, or if the viewer may not see it).")
    async def related_subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")] | None:
        return await _subject(info, self.gap.related_subject_id)

    @classmethod
    def from_domain(cls, gap: executions.ExecutionGap) -> ExecutionGap:
        related = gap.related_subject_id
        related_id = strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, related)) if related is not None else None
        return cls(
            kind=gap.kind,
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, gap.subject_id)),
            platform=gap.platform,
            measure=gap.measure,
            since=gap.since,
            due_by=gap.due_by,
            related_subject_id=related_id,
            detail=gap.detail,
            gap=gap,
        )


@strawberry.type
class ExecutionGapEdge:
    cursor: str
    node: ExecutionGap


@strawberry.type(description="A page of execution gaps, oldest first.")
class ExecutionGapConnection:
    edges: list[ExecutionGapEdge]
    page_info: PageInfo
    total_count: int
