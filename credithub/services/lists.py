"""Putting subjects on the SERIOUS_DISHONEST and RED lists, and taking them off."""

from __future__ import annotations

from credithub.db import lists as db_lists
from credithub.db import records as db_records
from credithub.db import subjects as db_subjects
from credithub.db.pool import transaction
from credithub.domain.clients import Client, Role
from credithub.domain.errors import Conflict, InvalidValue, NotFound, PermissionDenied, UnknownSubject
from credithub.domain.ids import IdKind, format_id
from credithub.domain.lists import ListEntry, NewEntry, check_listing
from credithub.domain.texts import check_storable
from credithub.services import audit
from credithub.services.ports import Deps

LISTING_ROLES = frozenset({Role.REGULATOR, Role.ADMIN})


def _require_lister(actor: Client) -> None:
    if actor.role not in LISTING_ROLES:
        raise PermissionDenied("only regulators and admins manage the lists")


async def add_entry(deps: Deps, actor: Client, entry: NewEntry) -> ListEntry:
    """List a subject, resting on its records; checked by `domain.lists.check_listing`."""
    _require_lister(actor)
    async with transaction(deps.pool) as conn:
        if not await db_subjects.get_many(conn, [entry.subject_id]):
            raise UnknownSubject(format_id(IdKind.SUBJECT, entry.subject_id))
        check_listing(entry, await db_records.get_many(conn, list(entry.record_ids)))
        entry_id = await db_lists.insert(conn, entry, listed_by=actor.label, listed_at=deps.clock.now())
        added = (await db_lists.get_many(conn, [entry_id]))[entry_id]
        await audit.write(
            conn,
            at=deps.clock.now(),
            actor=actor.label,
            action="list",
            entity="list_entry",
            entity_id=entry_id,
            subject_id=entry.subject_id,
            before=None,
            after=added,
        )
        return added


async def remove_entry(deps: Deps, actor: Client, entry_id: int, reason: str) -> ListEntry:
    """Take a subject off a list; the entry stays, with who removed it, when and why."""
    _require_lister(actor)
    if not reason.strip():
        raise InvalidValue("a removal needs a reason", field="reason")
    check_storable(reason, "reason")
    async with transaction(deps.pool) as conn:
        if not await db_lists.lock(conn, entry_id):
            raise NotFound(f"no list entry {format_id(IdKind.LIST_ENTRY, entry_id)}")
        before = (await db_lists.get_many(conn, [entry_id]))[entry_id]
        if not await db_lists.remove(conn, entry_id, at=deps.clock.now(), by=actor.label, reason=reason.strip()):
            raise Conflict(f"list entry {format_id(IdKind.LIST_ENTRY, entry_id)} was already removed")
        after = (await db_lists.get_many(conn, [entry_id]))[entry_id]
        await audit.write(
            conn,
            at=deps.clock.now(),
            actor=actor.label,
            action="unlist",
            entity="list_entry",
            entity_id=entry_id,
            subject_id=after.subject_id,
            before=before,
            after=after,
        )
        return after
