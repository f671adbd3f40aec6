"""Sending notices to a subject, inside the transaction of the decision they report.

`send` keeps the notice and queues a `notice.created` message to every platform where the
subject has an account the hub can push to (the outbox delivers it, with retries, in order with
the subject's status messages); the notice is DELIVERED once a platform takes one, NO_CHANNEL when
no platform can carry it. Call it from any service, with that service's connection:

    await notices.send(conn, notices.compose_objection_outcome(...), at=now, by=actor.label)

For listings (proposeListing / decideListing): `notify_listing_proposed` and
`notify_listing_decided`, the latter with the notice of the right to repair when the subject is
listed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from credithub.db import notices as db_notices
from credithub.db import outbox as db_outbox
from credithub.db.pool import Connection
from credithub.domain import notices, repairs
from credithub.domain.ids import IdKind, format_id
from credithub.domain.notices import Delivery, NewNotice, Notice, NoticeRefs
from credithub.domain.records import CreditRecord
from credithub.domain.rules import RuleSet

MESSAGE_TYPE: Final = "notice.created"


def _payload(notice: Notice, accounts: tuple[str, ...]) -> dict[str, Any]:
    refs = notice.refs
    return {
        "notice_id": format_id(IdKind.NOTICE, notice.id),
        "subject_id": format_id(IdKind.SUBJECT, notice.subject_id),
        "accounts": list(accounts),
        "kind": notice.kind.value,
        "title": notice.title,
        "body": notice.body,
        "record_id": format_id(IdKind.RECORD, refs.record_id) if refs.record_id else None,
        "list_entry_id": format_id(IdKind.LIST_ENTRY, refs.list_entry_id) if refs.list_entry_id else None,
        "repairable_from": notice.repairable_from.isoformat() if notice.repairable_from else None,
        "created_at": notice.created_at.isoformat(),
    }


async def send(conn: Connection, notice: NewNotice, *, at: dt.datetime, by: str) -> Notice:
    """Keep the notice and queue it to the subject's platforms, in the caller's transaction."""
    recipients = (await db_outbox.list_recipients(conn, [notice.subject_id])).get(notice.subject_id, [])
    kept = await db_notices.insert(conn, notice, at, by, Delivery.QUEUED if recipients else Delivery.NO_CHANNEL)
    messages = [(r.platform, notice.subject_id, _payload(kept, r.account_ids)) for r in recipients]
    await db_outbox.insert_many(conn, messages, MESSAGE_TYPE, at)
    return kept


async def send_outcome(
    conn: Connection,
    outcome: NewNotice,
    record: CreditRecord,
    rules: RuleSet,
    *,
    adverse: bool,
    at: dt.datetime,
    by: str,
) -> list[Notice]:
    """A decision on a record and, when it leaves an adverse record standing, the notice of the
    right to repair it (when it can be repaired at all)."""
    sent = [await send(conn, outcome, at=at, by=by)]
    repairable = record.severity is not None and record.category.value not in rules.repair_excluded_categories
    if adverse and repairable:
        whom = record.source.platform or record.source.authority or "the record's source"
        right = notices.compose_right_to_repair(
            record.subject_id,
            f"the decision on record {format_id(IdKind.RECORD, record.id)}",
            repairs.compute_repairable_from(record, rules),
            NoticeRefs(record_id=record.id),
            whom,
        )
        sent.append(await send(conn, right, at=at, by=by))
    return sent


async def notify_listing_proposed(
    conn: Connection,
    *,
    subject_id: int,
    entry_id: int,
    list_name: str,
    reason: str,
    defence_deadline: dt.datetime,
    at: dt.datetime,
    by: str,
) -> Notice:
    """For `proposeListing`: the proposal and the defence window."""
    return await send(
        conn,
        notices.compose_listing_proposed(subject_id, entry_id, list_name, reason, defence_deadline, by),
        at=at,
        by=by,
    )


async def notify_listing_decided(
    conn: Connection,
    *,
    subject_id: int,
    entry_id: int,
    list_name: str,
    listed: bool,
    note: str,
    valid_until: dt.datetime | None,
    repairable_from: dt.datetime | None,
    authority: str,
    at: dt.datetime,
    by: str,
) -> list[Notice]:
    """For `decideListing`: the decision, and when listed the notice of the right to repair
    (apply to `authority`, from `repairable_from`: the end of the minimum publicity period of the
    records the entry rests on, `repairs.compute_repairable_from`)."""
    sent = [
        await send(
            conn,
            notices.compose_listing_decided(subject_id, entry_id, list_name, listed, note, valid_until, by),
            at=at,
            by=by,
        )
    ]
    if listed:
        right = notices.compose_right_to_repair(
            subject_id,
            f"the decision to list you on {list_name}",
            repairable_from,
            NoticeRefs(list_entry_id=entry_id),
            authority,
        )
        sent.append(await send(conn, right, at=at, by=by))
    return sent
