"""The audit trail as regulators browse it."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from credithub.domain import audit, ids, pages
from schema.context import AuditReadFilterKey, AuditWriteFilterKey, Info
from schema.pagination import PageInfo

AUDIT_READ_CURSOR_SCOPE = "audit_reads"
AUDIT_WRITE_CURSOR_SCOPE = "audit_writes"


@strawberry.type(description="A read of credit information: which client saw which subject, how, and when.")
class AuditRead:
    id: strawberry.ID
    at: dt.datetime
    client_id: strawberry.ID
    client: str
    role: str
    platform: str | None
    operation: str = strawberry.field(description="The field that served it, e.g. creditStatus or records.")
    subject_id: strawberry.ID
    purpose: str | None = strawberry.field(
        description="Why the client read it: the purpose stated for it (a credit report's), else the request's "
        "Credit-Purpose header, else the client's default purpose."
    )

    @classmethod
    def from_domain(cls, row: audit.AuditRead) -> AuditRead:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.AUDIT_READ, row.id)),
            at=row.at,
            client_id=strawberry.ID(ids.format_id(ids.IdKind.CLIENT, row.client_id)),
            client=row.client,
            role=row.role,
            platform=row.platform,
            operation=row.operation,
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, row.subject_id)),
            purpose=row.purpose,
        )


@strawberry.type(description="A change: who made it, to what, and the entity before and after.")
class AuditWrite:
    id: strawberry.ID
    at: dt.datetime
    actor: str
    action: str
    entity: str = strawberry.field(description="record, objection, repair, list_entry or measure.")
    entity_id: str
    subject_id: strawberry.ID | None
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_domain(cls, row: audit.AuditWrite) -> AuditWrite:
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.AUDIT_WRITE, row.id)),
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            subject_id=(
                strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, row.subject_id)) if row.subject_id is not None else None
            ),
            before=row.before,
            after=row.after,
        )


@strawberry.type
class AuditReadEdge:
    cursor: str
    node: AuditRead


@strawberry.type
class AuditWriteEdge:
    cursor: str
    node: AuditWrite


@strawberry.type(description="A page of audited reads, newest first.")
class AuditReadConnection:
    edges: list[AuditReadEdge]
    page_info: PageInfo
    where: strawberry.Private[AuditReadFilterKey]

    @strawberry.field(description="How many rows match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.audit_read_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[audit.AuditRead], where: AuditReadFilterKey, *, has_previous: bool
    ) -> AuditReadConnection:
        edges = [
            AuditReadEdge(cursor=pages.encode_cursor(AUDIT_READ_CURSOR_SCOPE, row.id), node=AuditRead.from_domain(row))
            for row in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(
            edges=edges, where=where, page_info=PageInfo.of(cursors, has_next=page.has_next, has_previous=has_previous)
        )


@strawberry.type(description="A page of audited writes, newest first.")
class AuditWriteConnection:
    edges: list[AuditWriteEdge]
    page_info: PageInfo
    where: strawberry.Private[AuditWriteFilterKey]

    @strawberry.field(description="How many rows match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.audit_write_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[audit.AuditWrite], where: AuditWriteFilterKey, *, has_previous: bool
    ) -> AuditWriteConnection:
        edges = [
            AuditWriteEdge(
                cursor=pages.encode_cursor(AUDIT_WRITE_CURSOR_SCOPE, row.id), node=AuditWrite.from_domain(row)
            )
            for row in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(
            edges=edges, where=where, page_info=PageInfo.of(cursors, has_next=page.has_next, has_previous=has_previous)
        )


@strawberry.input(description="Narrow the audited reads; fields combine with AND.")
class AuditReadFilter:
    client_id: strawberry.ID | None = None
    subject_id: strawberry.ID | None = None
    operation: str | None = None
    since: dt.datetime | None = strawberry.field(default=None, description="At or after this instant.")
    until: dt.datetime | None = strawberry.field(default=None, description="Before this instant.")

    def to_key(self) -> AuditReadFilterKey:
        return AuditReadFilterKey(
            client_id=ids.parse_optional_id(ids.IdKind.CLIENT, self.client_id, field_name="clientId"),
            subject_id=ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            operation=self.operation,
            since=self.since,
            until=self.until,
        )


@strawberry.input(description="Narrow the audited writes; fields combine with AND.")
class AuditWriteFilter:
    actor: str | None = strawberry.field(default=None, description="e.g. platform:shopmall or regulator:samr")
    entity: str | None = None
    subject_id: strawberry.ID | None = None
    since: dt.datetime | None = strawberry.field(default=None, description="At or after this instant.")
    until: dt.datetime | None = strawberry.field(default=None, description="Before this instant.")

    def to_key(self) -> AuditWriteFilterKey:
        return AuditWriteFilterKey(
            actor=self.actor,
            entity=self.entity,
            subject_id=ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            since=self.since,
            until=self.until,
        )
