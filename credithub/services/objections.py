"""Filing and resolving objections (SPEC §6), each in one transaction with its record's status
change, the history row, the audit row and — when upheld — the list entries it no longer supports."""

from __future__ import annotations

from credithub.db import accounts as db_accounts
from credithub.db import objections as db_objections
from credithub.db.pool import transaction
from credithub.domain import notices as notice_texts
from credithub.domain import objections, records
from credithub.domain.clients import Client
from credithub.domain.errors import NotFound
from credithub.domain.ids import IdKind, format_id
from credithub.services import audit, catalog, notices, record_status
from credithub.services.ports import Deps


async def file_objection(deps: Deps, actor: Client, record_id: int, reason: str) -> objections.Objection:
    """The record turns OBJECTION_PENDING at once: its measures stop being enforced."""
    reason = objections.parse_text(reason, "reason")
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    async with transaction(deps.pool) as conn:
        record = await record_status.lock_visible(conn, actor, record_id, rules, now)
        objections.check_may_file(actor, await db_accounts.list_platforms_of_subject(conn, record.subject_id))
        new_status = records.apply_event(record.status, records.RecordEvent.FILE_OBJECTION)
        due_at = objections.compute_due_at(now, deps.settings.objection_days)
        objection = await db_objections.insert(conn, record.id, actor.label, actor.platform, reason, now, due_at)
        await record_status.change(conn, record, new_status, actor=actor.label, reason=f"objection: {reason}", at=now)
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action="file",
            entity="objection",
            entity_id=objection.id,
            subject_id=record.subject_id,
            before=None,
            after=objection,
        )
    return objection


async def resolve_objection(
    deps: Deps, actor: Client, objection_id: int, upheld: bool, note: str
) -> objections.Objection:
    """Upheld: the record is WITHDRAWN (and leaves lists it alone supported); rejected: ACTIVE again."""
    note = objections.parse_text(note, "note")
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    missing = NotFound(f"no objection {format_id(IdKind.OBJECTION, objection_id)}")
    async with transaction(deps.pool) as conn:
        record_id = await db_objections.get_record_id(conn, objection_id)
        record = await record_status.lock_visible_of(conn, actor, record_id, rules, now, missing)
        objection = await db_objections.get_for_update(conn, objection_id)
        assert objection is not None, "objections are never deleted"
        objections.check_may_resolve(actor, record)
        event = objections.ObjectionEvent.UPHOLD if upheld else objections.ObjectionEvent.REJECT
        new_objection_status = objections.apply(objection.status, event)
        new_record_status = records.apply_event(record.status, objections.RECORD_EVENT[event])
        resolved = await db_objections.resolve(conn, objection.id, new_objection_status, actor.label, now, note)
        await record_status.change(
            conn,
            record,
            new_record_status,
            actor=actor.label,
            reason=f"objection {new_objection_status.value.lower()}: {note}",
            at=now,
        )
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action=event.value.lower(),
            entity="objection",
            entity_id=objection.id,
            subject_id=record.subject_id,
            before=objection,
            after=resolved,
        )
        outcome = notice_texts.compose_objection_outcome(
            record.subject_id, objection.id, record.id, upheld, note, actor.label
        )
        await notices.send_outcome(conn, outcome, record, rules, adverse=not upheld, at=now, by=actor.label)
    return resolved
