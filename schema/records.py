"""Credit records as clients see them: in full, or redacted by the visibility rules
(`credithub.domain.visibility`, applied by `credithub.services.read_models`)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import strawberry
from strawberry.scalars import JSON

from credithub.domain import ids, pages, records
from credithub.domain.read_models import RecordView
from schema.context import Info, RecordCountKey
from schema.pagination import PageInfo

RecordCategory = records.Category
strawberry.enum(RecordCategory, name="RecordCategory", description="What a record is about.")
Severity = records.Severity
strawberry.enum(Severity, description="How serious a negative record is.")
RecordStatus = records.RecordStatus
strawberry.enum(RecordStatus, description="Where a record stands; EXPIRED is derived from time.")
SourceType = records.SourceType
strawberry.enum(SourceType, description="Whether a platform or a public authority reported it.")

RECORD_CURSOR_SCOPE = "records"
T = TypeVar("T")


@strawberry.type(description="Who reported a record. Redacted records show only the type.")
class RecordSource:
    type: SourceType
    platform: str | None
    authority: str | None
    reference: str | None = strawberry.field(description="The source's own id for the fact.")


@strawberry.type(description="One transition of a record's status.")
class StatusChange:
    from_status: RecordStatus | None
    to_status: RecordStatus
    actor: str
    reason: str
    at: dt.datetime


@strawberry.type(description="An upheld objection's correction of a record's category or severity.")
class RecordCorrection:
    from_category: RecordCategory
    from_severity: Severity | None
    to_category: RecordCategory
    to_severity: Severity | None
    actor: str
    reason: str
    at: dt.datetime


@strawberry.type(description="An earlier version of a record: its fields before the source re-published it changed.")
class RecordVersion:
    version: int
    replaced_at: dt.datetime
    replaced_by: str
    fields: JSON = strawberry.field(description="category, severity, dates, description and legal basis as they were.")


@strawberry.type(
    description="One fact about a subject. Records of other sources are redacted for platforms: "
    "category, severity, status, dates and source type only."
)
class CreditRecord:
    id: strawberry.ID
    category: RecordCategory
    severity: Severity | None
    status: RecordStatus
    occurred_at: dt.datetime
    reported_at: dt.datetime
    decided_at: dt.datetime | None = strawberry.field(
        description="The source's decision date (处罚决定日期), when it gives one: the record counts, and "
        "its publicity window runs, from it (else from occurredAt)."
    )
    publicity_until: dt.datetime | None = strawberry.field(
        description="The source's own end of publicity (公示截止期) or term: the record is never shown or "
        "shared past it, whatever the rule set allows."
    )
    valid_until: dt.datetime | None = strawberry.field(deprecation_reason="The same instant as publicityUntil.")
    version: int = strawberry.field(description="1, plus one for each time the source re-published it changed.")
    source: RecordSource
    redacted: bool
    description: str | None
    legal_basis: str | None = strawberry.field(
        description="The law, regulation or rule it rests on; null when redacted."
    )
    legal_basis_reference: str | None
    record_id: strawberry.Private[int]

    @strawberry.field(description="Every status transition with actor, reason and time; null when redacted.")
    async def status_history(self, info: Info) -> list[StatusChange] | None:
        if self.redacted:
            return None
        changes = await info.context.loaders.status_changes.load(self.record_id)
        return [
            StatusChange(from_status=c.from_status, to_status=c.to_status, actor=c.actor, reason=c.reason, at=c.at)
            for c in changes
        ]

    @strawberry.field(
        description="What upheld objections corrected (category, severity: before and after), oldest first; "
        "null when redacted."
    )
    async def corrections(self, info: Info) -> list[RecordCorrection] | None:
        if self.redacted:
            return None
        found = await info.context.loaders.record_corrections.load(self.record_id)
        return [
            RecordCorrection(
                from_category=c.from_category,
                from_severity=c.from_severity,
                to_category=c.to_category,
                to_severity=c.to_severity,
                actor=c.actor,
                reason=c.reason,
                at=c.at,
            )
            for c in found
        ]

    @strawberry.field(description="Earlier versions, oldest first; null when redacted.")
    async def versions(self, info: Info) -> list[RecordVersion] | None:
        if self.redacted:
            return None
        found = await info.context.loaders.record_versions.load(self.record_id)
        return [
            RecordVersion(
                version=v.version, replaced_at=v.replaced_at, replaced_by=v.replaced_by, fields=JSON(dict(v.fields))
            )
            for v in found
        ]

    @classmethod
    def from_domain(cls, record: RecordView) -> CreditRecord:
        """`record` as the viewer is shown it: a redacted one has its withheld fields None already."""
        legal_basis = record.legal_basis
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.RECORD, record.id)),
            category=record.category,
            severity=record.severity,
            status=record.status,
            occurred_at=record.occurred_at,
            reported_at=record.reported_at,
            decided_at=record.decided_at,
            publicity_until=record.valid_until,
            valid_until=record.valid_until,
            version=record.version,
            source=RecordSource(
                type=record.source_type,
                platform=record.source_platform,
                authority=record.source_authority,
                reference=record.source_ref,
            ),
            redacted=record.redacted,
            description=record.description,
            legal_basis=legal_basis.text if legal_basis is not None else None,
            legal_basis_reference=legal_basis.reference if legal_basis is not None else None,
            record_id=record.id,
        )


@strawberry.type
class CreditRecordEdge:
    cursor: str
    node: CreditRecord


@strawberry.type(description="A page of credit records, newest occurrence first.")
class CreditRecordConnection:
    edges: list[CreditRecordEdge]
    page_info: PageInfo
    count_key: strawberry.Private[RecordCountKey]

    @strawberry.field(description="How many records match the filter (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.record_count.load(self.count_key)

    @classmethod
    def from_page(
        cls, page: pages.Page[RecordView], *, count_key: RecordCountKey, has_previous: bool
    ) -> CreditRecordConnection:
        edges = [
            CreditRecordEdge(
                cursor=pages.encode_cursor(RECORD_CURSOR_SCOPE, record.occurred_at, record.id),
                node=CreditRecord.from_domain(record),
            )
            for record in page.items
        ]
        return cls(
            edges=edges,
            page_info=PageInfo.of([edge.cursor for edge in edges], has_next=page.has_next, has_previous=has_previous),
            count_key=count_key,
        )


def _as_tuple(values: list[T] | None) -> tuple[T, ...] | None:
    return tuple(values) if values is not None else None


@strawberry.input(description="Narrow a list of records; every field is optional and they combine with AND.")
class RecordFilter:
    categories: list[RecordCategory] | None = None
    severities: list[Severity] | None = None
    statuses: list[RecordStatus] | None = strawberry.field(
        default=None,
        description="Stored statuses. EXPIRED is derived from time and shown on each record; "
        "ACTIVE here also matches records shown as EXPIRED.",
    )
    source_platform: str | None = strawberry.field(
        default=None,
        description="Only records this platform reported, among those whose source you are shown: "
        "a platform matches its own records only (others' are redacted, their source with them).",
    )
    occurred_from: dt.datetime | None = None
    occurred_before: dt.datetime | None = None

    def to_domain(self) -> records.RecordFilter:
        return records.RecordFilter(
            categories=_as_tuple(self.categories),
            severities=_as_tuple(self.severities),
            statuses=_as_tuple(self.statuses),
            source_platform=self.source_platform,
            occurred_from=self.occurred_from,
            occurred_before=self.occurred_before,
        )
