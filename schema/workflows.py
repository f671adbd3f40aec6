"""Objections and credit repair applications: the workflows that protect subjects."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Final

import strawberry

from credithub.domain import ids, objections, pages, records, repairs
from credithub.domain.read_models import ObjectionView, RepairView
from schema.context import Info, ObjectionFilterKey, RepairFilterKey
from schema.errors import (
    AlreadyExistsError,
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    NotRepairableError,
    PermissionDeniedError,
    RepairTooEarlyError,
    TransitionNotAllowedError,
)
from schema.pagination import PageInfo
from schema.records import CreditRecord, RecordCategory, Severity

if TYPE_CHECKING:
    from schema.subjects import Subject

ObjectionStatus = objections.ObjectionStatus
strawberry.enum(ObjectionStatus, description="OPEN until the source or a regulator upholds or rejects it.")
ObjectionOutcome = objections.Outcome
strawberry.enum(ObjectionOutcome, description="What an upheld objection does: WITHDRAW the record, or CORRECT it.")
RepairStatus = repairs.RepairStatus
strawberry.enum(RepairStatus, description="PENDING until the source or a regulator decides.")
OBJECTION_CURSOR_SCOPE = "objections"
REPAIR_CURSOR_SCOPE = "repairs"


async def _record(info: Info, record_id: int) -> CreditRecord | None:
    """The record as the viewer may see it; null when hidden from the viewer (e.g. repaired)."""
    record = await info.context.loaders.record.load(record_id)
    return CreditRecord.from_domain(record) if record is not None else None


async def _subject(info: Info, subject_id: int) -> Subject:
    from schema.subjects import subject_from_domain

    found = await info.context.loaders.subject.load(subject_id)
    assert found is not None, "credit_records.subject_id references subjects"
    return subject_from_domain(found)


_TEXTS_HIDDEN = "Null for dashboard (viewer) clients: written by and about the parties, it may name people."


@strawberry.type(description="A subject contests a record. While it is open the record's flags are not enforced.")
class Objection:
    id: strawberry.ID
    record_id: strawberry.ID
    filed_by: str
    filed_by_platform: str | None
    filed_at: dt.datetime
    due_at: dt.datetime = strawberry.field(description="When the source must have resolved it.")
    status: ObjectionStatus
    resolved_by: str | None
    resolved_at: dt.datetime | None
    suspends: bool = strawberry.field(
        description="Whether filing it suspended the record's measures: after a rejection, a new objection is "
        "reviewed but suspends nothing unless the record's source or a regulator filed it."
    )
    outcome: ObjectionOutcome | None = strawberry.field(
        description="Upheld only: the record was WITHDRAWN or CORRECTed."
    )
    reason: str | None = strawberry.field(description=f"Why it was filed. {_TEXTS_HIDDEN}")
    resolution_note: str | None = strawberry.field(description=f"Why it was upheld or rejected. {_TEXTS_HIDDEN}")
    objection: strawberry.Private[ObjectionView]

    @strawberry.field(description="Open and past its deadline.")
    def overdue(self, info: Info) -> bool:
        return self.objection.overdue_at(info.context.now())

    @strawberry.field(
        description="Open past its deadline: escalated to regulators. The record's measures stay suspended until "
        "it is resolved."
    )
    def escalated(self, info: Info) -> bool:
        return self.objection.overdue_at(info.context.now())

    @strawberry.field(description="The contested record as you may see it; null when it is hidden from you.")
    async def record(self, info: Info) -> CreditRecord | None:
        return await _record(info, self.objection.record_id)

    @strawberry.field
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        return await _subject(info, self.objection.subject_id)

    @classmethod
    def from_domain(cls, objection: ObjectionView) -> Objection:
        """`objection` as the viewer is shown it: the texts it may not read are None already."""
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.OBJECTION, objection.id)),
            record_id=strawberry.ID(ids.format_id(ids.IdKind.RECORD, objection.record_id)),
            filed_by=objection.filed_by,
            filed_by_platform=objection.filed_by_platform,
            filed_at=objection.filed_at,
            due_at=objection.due_at,
            status=objection.status,
            resolved_by=objection.resolved_by,
            resolved_at=objection.resolved_at,
            suspends=objection.suspends,
            outcome=objection.outcome,
            reason=objection.reason,
            resolution_note=objection.resolution_note,
            objection=objection,
        )


@strawberry.type(description="An application for credit repair, with its evidence, commitment and decision.")
class RepairApplication:
    id: strawberry.ID
    record_id: strawberry.ID
    applied_by: str
    applied_by_platform: str | None
    applied_at: dt.datetime
    status: RepairStatus
    decided_by: str | None
    decided_at: dt.datetime | None
    evidence: str | None = strawberry.field(description=f"What the applicant shows it has put right. {_TEXTS_HIDDEN}")
    commitment: str | None = strawberry.field(description=f"The signed credit commitment (信用承诺书). {_TEXTS_HIDDEN}")
    decision_note: str | None = strawberry.field(description=f"Why it was approved or rejected. {_TEXTS_HIDDEN}")
    application: strawberry.Private[RepairView]

    @strawberry.field(description="The record as you may see it; null when it is hidden from you (e.g. repaired).")
    async def record(self, info: Info) -> CreditRecord | None:
        return await _record(info, self.application.record_id)

    @strawberry.field
    async def subject(self, info: Info) -> Annotated[Subject, strawberry.lazy("schema.subjects")]:
        return await _subject(info, self.application.subject_id)

    @classmethod
    def from_domain(cls, application: RepairView) -> RepairApplication:
        """`application` as the viewer is shown it: the texts it may not read are None already."""
        return cls(
            id=strawberry.ID(ids.format_id(ids.IdKind.REPAIR, application.id)),
            record_id=strawberry.ID(ids.format_id(ids.IdKind.RECORD, application.record_id)),
            applied_by=application.applied_by,
            applied_by_platform=application.applied_by_platform,
            applied_at=application.applied_at,
            status=application.status,
            decided_by=application.decided_by,
            decided_at=application.decided_at,
            evidence=application.evidence,
            commitment=application.commitment,
            decision_note=application.decision_note,
            application=application,
        )


@strawberry.type
class ObjectionEdge:
    cursor: str
    node: Objection


@strawberry.type(description="A page of objections, newest first.")
class ObjectionConnection:
    edges: list[ObjectionEdge]
    page_info: PageInfo
    where: strawberry.Private[ObjectionFilterKey]

    @strawberry.field(description="How many objections match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.objection_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[ObjectionView], where: ObjectionFilterKey, *, has_previous: bool
    ) -> ObjectionConnection:
        edges = [
            ObjectionEdge(cursor=pages.encode_cursor(OBJECTION_CURSOR_SCOPE, item.id), node=Objection.from_domain(item))
            for item in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(
            edges=edges, where=where, page_info=PageInfo.of(cursors, has_next=page.has_next, has_previous=has_previous)
        )


@strawberry.type
class RepairApplicationEdge:
    cursor: str
    node: RepairApplication


@strawberry.type(description="A page of repair applications, newest first.")
class RepairApplicationConnection:
    edges: list[RepairApplicationEdge]
    page_info: PageInfo
    where: strawberry.Private[RepairFilterKey]

    @strawberry.field(description="How many applications match (all pages).")
    async def total_count(self, info: Info) -> int:
        return await info.context.loaders.repair_count.load(self.where)

    @classmethod
    def from_page(
        cls, page: pages.Page[RepairView], where: RepairFilterKey, *, has_previous: bool
    ) -> RepairApplicationConnection:
        edges = [
            RepairApplicationEdge(
                cursor=pages.encode_cursor(REPAIR_CURSOR_SCOPE, item.id), node=RepairApplication.from_domain(item)
            )
            for item in page.items
        ]
        cursors = [edge.cursor for edge in edges]
        return cls(
            edges=edges, where=where, page_info=PageInfo.of(cursors, has_next=page.has_next, has_previous=has_previous)
        )


@strawberry.input(description="Narrow a list of objections; fields combine with AND.")
class ObjectionFilter:
    status: ObjectionStatus | None = None
    subject_id: strawberry.ID | None = None
    record_id: strawberry.ID | None = None
    overdue: bool = strawberry.field(
        default=False, description="Only open objections past their deadline (escalated to regulators)."
    )

    def to_key(self, involving_platform: str | None, now: dt.datetime) -> ObjectionFilterKey:
        return ObjectionFilterKey(
            status=self.status.value if self.status is not None else None,
            subject_id=ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            record_id=ids.parse_optional_id(ids.IdKind.RECORD, self.record_id, field_name="recordId"),
            overdue_at=now if self.overdue else None,
            involving_platform=involving_platform,
        )


@strawberry.input(description="What an upheld objection with outcome CORRECT changes in the record.")
class CorrectionInput:
    category: RecordCategory
    severity: Severity | None = None

    def to_domain(self) -> records.Reclassification:
        return records.Reclassification(
            records.Category(self.category), records.Severity(self.severity) if self.severity else None
        )


@strawberry.input(description="Narrow a list of repair applications; fields combine with AND.")
class RepairApplicationFilter:
    status: RepairStatus | None = None
    subject_id: strawberry.ID | None = None
    record_id: strawberry.ID | None = None

    def to_key(self, involving_platform: str | None) -> RepairFilterKey:
        return RepairFilterKey(
            status=self.status.value if self.status is not None else None,
            subject_id=ids.parse_optional_id(ids.IdKind.SUBJECT, self.subject_id, field_name="subjectId"),
            record_id=ids.parse_optional_id(ids.IdKind.RECORD, self.record_id, field_name="recordId"),
            involving_platform=involving_platform,
        )


@strawberry.type
class FileObjectionSuccess:
    objection: Objection


@strawberry.type
class ResolveObjectionSuccess:
    objection: Objection


@strawberry.type
class ApplyForRepairSuccess:
    application: RepairApplication


@strawberry.type
class DecideRepairSuccess:
    application: RepairApplication


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
FILE_OBJECTION_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    AlreadyExistsError,  # one open objection per record
    TransitionNotAllowedError,
    PermissionDeniedError,
)
FileObjectionResult = Annotated[
    FileObjectionSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | AlreadyExistsError
    | TransitionNotAllowedError
    | PermissionDeniedError,
    strawberry.union("FileObjectionResult"),
]
RESOLVE_OBJECTION_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    TransitionNotAllowedError,
    PermissionDeniedError,
)
ResolveObjectionResult = Annotated[
    ResolveObjectionSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | TransitionNotAllowedError
    | PermissionDeniedError,
    strawberry.union("ResolveObjectionResult"),
]
APPLY_FOR_REPAIR_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    AlreadyExistsError,  # one pending application per record
    TransitionNotAllowedError,
    RepairTooEarlyError,
    NotRepairableError,
    PermissionDeniedError,
)
ApplyForRepairResult = Annotated[
    ApplyForRepairSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | AlreadyExistsError
    | TransitionNotAllowedError
    | RepairTooEarlyError
    | NotRepairableError
    | PermissionDeniedError,
    strawberry.union("ApplyForRepairResult"),
]
DECIDE_REPAIR_ERRORS: Final = (
    InvalidIdError,
    InvalidValueError,
    NotFoundError,
    TransitionNotAllowedError,
    PermissionDeniedError,
)
DecideRepairResult = Annotated[
    DecideRepairSuccess
    | InvalidIdError
    | InvalidValueError
    | NotFoundError
    | TransitionNotAllowedError
    | PermissionDeniedError,
    strawberry.union("DecideRepairResult"),
]
