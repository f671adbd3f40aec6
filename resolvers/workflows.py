"""Objections and credit repair: filing, deciding, browsing."""

from __future__ import annotations

import dataclasses

import strawberry

from credithub.domain import ids, pages
from credithub.domain import objections as objections_domain
from credithub.domain.visibility import compute_subject_filter, compute_workflow_platform
from credithub.services import objections, repairs
from schema import errors
from schema.context import Info, NewestFirstPageKey
from schema.workflows import (
    APPLY_FOR_REPAIR_ERRORS,
    DECIDE_REPAIR_ERRORS,
    FILE_OBJECTION_ERRORS,
    OBJECTION_CURSOR_SCOPE,
    REPAIR_CURSOR_SCOPE,
    RESOLVE_OBJECTION_ERRORS,
    ApplyForRepairResult,
    ApplyForRepairSuccess,
    CorrectionInput,
    DecideRepairResult,
    DecideRepairSuccess,
    FileObjectionResult,
    FileObjectionSuccess,
    Objection,
    ObjectionConnection,
    ObjectionFilter,
    ObjectionOutcome,
    RepairApplication,
    RepairApplicationConnection,
    RepairApplicationFilter,
    ResolveObjectionResult,
    ResolveObjectionSuccess,
)


@strawberry.type
class WorkflowQueries:
    @strawberry.field(
        description="Objections, newest first. A platform sees those it filed and those against its records."
    )
    async def objections(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: ObjectionFilter | None = None,
    ) -> ObjectionConnection:
        viewer = info.context.viewer
        asked = (filter or ObjectionFilter()).to_key(compute_workflow_platform(viewer), info.context.now())
        where = dataclasses.replace(asked, subject_id=compute_subject_filter(viewer, asked.subject_id))
        key = NewestFirstPageKey(
            where, pages.decode_int_cursor(OBJECTION_CURSOR_SCOPE, after), pages.parse_first(first)
        )
        page = await info.context.loaders.objection_page.load(key)
        info.context.note_reads("objections", (item.subject_id for item in page.items))
        return ObjectionConnection.from_page(page, where, has_previous=after is not None)

    @strawberry.field(
        description="Credit repair applications, newest first. A platform sees those it filed and those "
        "about its records."
    )
    async def repair_applications(
        self,
        info: Info,
        first: int | None = pages.DEFAULT_PAGE_SIZE,
        after: str | None = None,
        filter: RepairApplicationFilter | None = None,
    ) -> RepairApplicationConnection:
        viewer = info.context.viewer
        asked = (filter or RepairApplicationFilter()).to_key(compute_workflow_platform(viewer))
        where = dataclasses.replace(asked, subject_id=compute_subject_filter(viewer, asked.subject_id))
        key = NewestFirstPageKey(where, pages.decode_int_cursor(REPAIR_CURSOR_SCOPE, after), pages.parse_first(first))
        page = await info.context.loaders.repair_page.load(key)
        info.context.note_reads("repairApplications", (item.subject_id for item in page.items))
        return RepairApplicationConnection.from_page(page, where, has_previous=after is not None)


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(
        description="Contest a record: the subject itself, a platform where it held an account when the record was "
        "reported, or a regulator. The first objection turns the record OBJECTION_PENDING and its flags stop being "
        "enforced at once; after a rejection, only the source or a regulator suspends it again."
    )
    async def file_objection(self, info: Info, record_id: strawberry.ID, reason: str) -> FileObjectionResult:
        try:
            record = ids.parse_id(ids.IdKind.RECORD, record_id, field_name="recordId")
            objection = await objections.file_objection(info.context.deps, info.context.viewer, record, reason)
        except errors.catchable(FILE_OBJECTION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=FILE_OBJECTION_ERRORS)
        return FileObjectionSuccess(objection=Objection.from_domain(objection))

    @strawberry.mutation(
        description="Decide an objection (the record's source — its platform, or a regulator of its authority — or, "
        "for a platform's record, a regulator; never whoever filed it): upheld → the record is WITHDRAWN (outcome "
        "WITHDRAW, the default) or CORRECTed (outcome CORRECT with `correction`); rejected → ACTIVE again."
    )
    async def resolve_objection(
        self,
        info: Info,
        objection_id: strawberry.ID,
        upheld: bool,
        note: str,
        outcome: ObjectionOutcome | None = None,
        correction: CorrectionInput | None = None,
    ) -> ResolveObjectionResult:
        try:
            number = ids.parse_id(ids.IdKind.OBJECTION, objection_id, field_name="objectionId")
            objection = await objections.resolve_objection(
                info.context.deps,
                info.context.viewer,
                number,
                upheld,
                note,
                outcome=objections_domain.Outcome(outcome) if outcome is not None else None,
                correction=correction.to_domain() if correction is not None else None,
            )
        except errors.catchable(RESOLVE_OBJECTION_ERRORS) as exc:
            return errors.from_domain(exc, allowed=RESOLVE_OBJECTION_ERRORS)
        return ResolveObjectionSuccess(objection=Objection.from_domain(objection))

    @strawberry.mutation(
        description="Apply for credit repair with evidence and a signed credit commitment, once the record's "
        "minimum publicity period has passed (refused with the date it opens otherwise)."
    )
    async def apply_for_repair(
        self, info: Info, record_id: strawberry.ID, evidence: str, commitment: str
    ) -> ApplyForRepairResult:
        try:
            record = ids.parse_id(ids.IdKind.RECORD, record_id, field_name="recordId")
            application = await repairs.apply_for_repair(
                info.context.deps, info.context.viewer, record, evidence, commitment
            )
        except errors.catchable(APPLY_FOR_REPAIR_ERRORS) as exc:
            return errors.from_domain(exc, allowed=APPLY_FOR_REPAIR_ERRORS)
        return ApplyForRepairSuccess(application=RepairApplication.from_domain(application))

    @strawberry.mutation(
        description="Decide a repair application (the record's source platform or a regulator): approved → "
        "REPAIRED, no longer shown or shared, off the lists it alone supported, measures lifted."
    )
    async def decide_repair(
        self, info: Info, application_id: strawberry.ID, approved: bool, note: str
    ) -> DecideRepairResult:
        try:
            number = ids.parse_id(ids.IdKind.REPAIR, application_id, field_name="applicationId")
            application = await repairs.decide_repair(info.context.deps, info.context.viewer, number, approved, note)
        except errors.catchable(DECIDE_REPAIR_ERRORS) as exc:
            return errors.from_domain(exc, allowed=DECIDE_REPAIR_ERRORS)
        return DecideRepairSuccess(application=RepairApplication.from_domain(application))
