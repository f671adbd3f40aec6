"""Applying for credit repair and deciding on it."""

from __future__ import annotations

from credithub.db import accounts as db_accounts
from credithub.db import repairs as db_repairs
from credithub.db.pool import transaction
from credithub.domain import notices as notice_texts
from credithub.domain import records, repairs
from credithub.domain.clients import Client
from credithub.domain.errors import NotFound
from credithub.domain.ids import IdKind, format_id
from credithub.domain.read_models import RepairView
from credithub.domain.texts import parse_text
from credithub.services import audit, catalog, notices, read_models, record_status
from credithub.services.ports import Deps


async def apply_for_repair(deps: Deps, actor: Client, record_id: int, evidence: str, commitment: str) -> RepairView:
    """Refused with the reason before the minimum publicity period, for excluded categories,
    or while the record is not ACTIVE (e.g. under objection)."""
    evidence = parse_text(evidence, "evidence")
    commitment = repairs.parse_commitment(commitment)
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    async with transaction(deps.pool) as conn:
        record = await record_status.lock_visible(conn, actor, record_id, rules, now)
        repairs.check_may_apply(actor, record, await db_accounts.list_platforms_of_subject(conn, record.subject_id))
        repairs.check_eligible(record, rules, now)
        application = await db_repairs.insert(conn, record.id, actor.label, actor.platform, evidence, commitment, now)
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action="apply",
            entity="repair",
            entity_id=application.id,
            subject_id=record.subject_id,
            before=None,
            after=application,
        )
    return read_models.repair_view(application, actor)


async def decide_repair(deps: Deps, actor: Client, application_id: int, approved: bool, note: str) -> RepairView:
    """Approved: the record is REPAIRED — no longer shown or shared, its measures lifted; a listing
    resting on it ends if the decider is that listing's own authority, else its authority gets an
    exit review. Rejected: the reason is kept, the record stays as it was. Never by the applicant."""
    note = parse_text(note, "note")
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    missing = NotFound(f"no repair application {format_id(IdKind.REPAIR, application_id)}")
    async with transaction(deps.pool) as conn:
        record_id = await db_repairs.get_record_id(conn, application_id)
        record = await record_status.lock_visible_of(conn, actor, record_id, rules, now, missing)
        application = await db_repairs.get_for_update(conn, application_id)
        assert application is not None, "repair applications are never deleted"
        repairs.check_may_decide(actor, record, application)
        event = repairs.RepairEvent.APPROVE if approved else repairs.RepairEvent.REJECT
        new_status = repairs.apply(application.status, event)
        if approved:
            repaired = records.apply_event(record.status, records.RecordEvent.REPAIR)
            await record_status.change(
                conn, record, repaired, actor=actor.label, reason=f"credit repair: {note}", at=now, acting=actor
            )
        decided = await db_repairs.decide(conn, application.id, new_status, actor.label, now, note)
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action=event.value.lower(),
            entity="repair",
            entity_id=application.id,
            subject_id=record.subject_id,
            before=application,
            after=decided,
        )
        outcome = notice_texts.compose_repair_outcome(
            record.subject_id, application.id, record.id, approved, note, actor.label
        )
        await notices.send_outcome(conn, outcome, record, rules, adverse=not approved, at=now, by=actor.label)
    return read_models.repair_view(decided, actor)
