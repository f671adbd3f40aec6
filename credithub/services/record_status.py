"""A record's status changes, whoever causes them (objections, repair, the source revoking): the
status, its history row, the refresh of the subject's credit status, the audit row, and what the
change leaves without ground — listings resting on it (ended by their own authority, else put to it
in an exit review), an objection or a repair application about a withdrawn record."""

from __future__ import annotations

import datetime as dt

from credithub.db import objections as db_objections
from credithub.db import records as db_records
from credithub.db import repairs as db_repairs
from credithub.db.pool import Connection
from credithub.domain import records
from credithub.domain.clients import Client
from credithub.domain.errors import NotFound
from credithub.domain.ids import IdKind, format_id
from credithub.domain.lists import ExitCause
from credithub.domain.objections import ObjectionStatus
from credithub.domain.rules import RuleSet
from credithub.services import audit, lists, read_models, statuses


async def lock_visible(
    conn: Connection, actor: Client, record_id: int, rules: RuleSet, at: dt.datetime
) -> records.CreditRecord:
    """The record, locked, if `actor` may see it; a record hidden from the actor (another
    platform's unpublished or expired record, a repaired one) is not found, exactly as one that
    does not exist: a workflow must not tell what the read API keeps back.

    Paths that lock a record and its objection or repair application lock the record first."""
    record = await db_records.get_for_update(conn, record_id)
    if record is None or read_models.record_view(record, read_models.record_scope_under(actor, rules, at)) is None:
        raise NotFound(f"no record {format_id(IdKind.RECORD, record_id)}")
    return record


async def lock_visible_of(
    conn: Connection, actor: Client, record_id: int | None, rules: RuleSet, at: dt.datetime, missing: NotFound
) -> records.CreditRecord:
    """The record an objection or repair application is about (`record_id`, read unlocked;
    None: no such workflow), locked as `lock_visible` does — before the caller locks the
    workflow row. A missing workflow, or one about a record hidden from the actor, is `missing`."""
    if record_id is None:
        raise missing
    try:
        return await lock_visible(conn, actor, record_id, rules, at)
    except NotFound:
        raise missing from None


async def change(
    conn: Connection,
    record: records.CreditRecord,
    new_status: records.RecordStatus,
    *,
    actor: str,
    reason: str,
    at: dt.datetime,
    acting: Client | None = None,
) -> None:
    """Move a locked record to `new_status` with its history and audit rows, and queue the
    subject's credit status for a refresh (pushed to platforms when it changes). A WITHDRAWN or
    REPAIRED record ends the listings resting on it only when `acting` is their own authority
    and nothing else holds them up; any other listing gets an exit review for its authority.
    A WITHDRAWN record closes its open objection (upheld) and pending repair (rejected)."""
    updated = await db_records.update_status(conn, record.id, record.status, new_status)
    assert updated, "the record row is locked by the caller"
    await db_records.insert_status_change(
        conn, records.StatusChange(record.id, record.status, new_status, actor, reason, at)
    )
    await statuses.queue_refresh(conn, [record.subject_id])
    await audit.write(
        conn,
        at=at,
        actor=actor,
        action="status",
        entity="record",
        entity_id=record.id,
        subject_id=record.subject_id,
        before={"status": record.status},
        after={"status": new_status},
    )
    if new_status not in (records.RecordStatus.WITHDRAWN, records.RecordStatus.REPAIRED):
        return
    cause = ExitCause.REPAIRED if new_status is records.RecordStatus.REPAIRED else ExitCause.WITHDRAWN
    await lists.on_record_stopped(conn, record, cause, actor=acting, by=actor, at=at)
    if new_status is records.RecordStatus.WITHDRAWN:
        note = f"the record was withdrawn: {reason}"
        closed = await db_objections.resolve_open_of_record(conn, record.id, ObjectionStatus.UPHELD, actor, at, note)
        if closed is not None:
            await _audit_closed(conn, "objection", closed.id, record, actor, at, closed)
        rejected = await db_repairs.reject_pending_of_record(conn, record.id, actor, at, note)
        if rejected is not None:
            await _audit_closed(conn, "repair", rejected.id, record, actor, at, rejected)


async def _audit_closed(
    conn: Connection,
    entity: str,
    entity_id: int,
    record: records.CreditRecord,
    actor: str,
    at: dt.datetime,
    after: object,
) -> None:
    await audit.write(
        conn,
        at=at,
        actor=actor,
        action="close",
        entity=entity,
        entity_id=entity_id,
        subject_id=record.subject_id,
        before=None,
        after=after,
    )
