"""Filing and resolving objections, each in one transaction with its record's status change, the
history row, the audit row and what an upheld objection causes (listings ended by their own
authority, exit reviews for any other; a correction kept with what it changed)."""

from __future__ import annotations

from credithub.db import accounts as db_accounts
from credithub.db import objections as db_objections
from credithub.db import records as db_records
from credithub.db.pool import transaction
from credithub.domain import notices as notice_texts
from credithub.domain import objections, records
from credithub.domain.clients import Client
from credithub.domain.errors import NotFound
from credithub.domain.ids import IdKind, format_id
from credithub.domain.lists import ExitCause
from credithub.domain.read_models import ObjectionView
from credithub.domain.texts import parse_text
from credithub.services import audit, catalog, lists, notices, read_models, record_status, statuses
from credithub.services.ports import Deps

SERIOUS = records.Severity.SERIOUS


async def file_objection(deps: Deps, actor: Client, record_id: int, reason: str) -> ObjectionView:
    """The first objection turns the record OBJECTION_PENDING at once: its measures stop being
    enforced. After a rejection, a new one is reviewed but suspends nothing unless the source or a
    regulator files it."""
    reason = parse_text(reason, "reason")
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    async with transaction(deps.pool) as conn:
        record = await record_status.lock_visible(conn, actor, record_id, rules, now)
        since = (
            await db_accounts.platform_known_since(conn, record.subject_id, actor.platform) if actor.platform else None
        )
        objections.check_may_file(actor, record, since)
        suspends = objections.compute_suspends(actor, record, await db_objections.list_of_record(conn, record.id))
        new_status = records.apply_event(record.status, records.RecordEvent.FILE_OBJECTION)
        due_at = objections.compute_due_at(now, deps.settings.objection_days)
        objection = await db_objections.insert(
            conn, record.id, actor.label, actor.platform, reason, now, due_at, suspends=suspends
        )
        if suspends:
            await record_status.change(
                conn, record, new_status, actor=actor.label, reason=f"objection: {reason}", at=now
            )
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
    return read_models.objection_view(objection, actor)


async def resolve_objection(
    deps: Deps,
    actor: Client,
    objection_id: int,
    upheld: bool,
    note: str,
    *,
    outcome: objections.Outcome | None = None,
    correction: records.Reclassification | None = None,
) -> ObjectionView:
    """Upheld: the record is WITHDRAWN, or CORRECTed (category or severity changed, kept in its
    history); rejected: ACTIVE again. Never by whoever filed it."""
    note = parse_text(note, "note")
    chosen = objections.parse_outcome(upheld, outcome, correction)
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    missing = NotFound(f"no objection {format_id(IdKind.OBJECTION, objection_id)}")
    async with transaction(deps.pool) as conn:
        record_id = await db_objections.get_record_id(conn, objection_id)
        record = await record_status.lock_visible_of(conn, actor, record_id, rules, now, missing)
        objection = await db_objections.get_for_update(conn, objection_id)
        assert objection is not None, "objections are never deleted"
        objections.check_may_resolve(actor, record, objection)
        event = objections.ObjectionEvent.UPHOLD if upheld else objections.ObjectionEvent.REJECT
        new_objection_status = objections.apply(objection.status, event)
        new_record_status = records.apply_event(record.status, objections.RECORD_EVENT[(event, chosen)])
        resolved = await db_objections.resolve(conn, objection.id, new_objection_status, actor.label, now, note, chosen)
        reason = f"objection {new_objection_status.value.lower()}: {note}"
        if chosen is objections.Outcome.CORRECT:
            assert correction is not None, "parse_outcome requires it"
            await db_records.correct(
                conn, record, correction, objection_id=objection.id, actor=actor.label, reason=note, at=now
            )
            await statuses.queue_refresh(conn, [record.subject_id])
            if record.severity is SERIOUS and correction.severity is not SERIOUS:
                # No longer serious: it can no longer hold up a blacklist entry.
                await lists.on_record_stopped(conn, record, ExitCause.CORRECTED, actor=actor, by=actor.label, at=now)
        if new_record_status is not record.status:
            await record_status.change(
                conn, record, new_record_status, actor=actor.label, reason=reason, at=now, acting=actor
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
        notice = notice_texts.compose_objection_outcome(
            record.subject_id, objection.id, record.id, upheld, note, actor.label
        )
        await notices.send_outcome(conn, notice, record, rules, adverse=not upheld, at=now, by=actor.label)
    return read_models.objection_view(resolved, actor)
