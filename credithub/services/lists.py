"""Designation and due process for the lists: propose, defend, decide, end, review an exit.

Each use case is one transaction: the entry, its audit row, and what it causes (a red entry
superseded by a blacklist; exit reviews closed) commit together. Who may do what is decided in
`credithub.domain.lists`; this module loads, asks it, and saves.
"""

from __future__ import annotations

import datetime as dt

from credithub.db import accounts as db_accounts
from credithub.db import config as db_config
from credithub.db import lists as db_lists
from credithub.db import records as db_records
from credithub.db import subjects as db_subjects
from credithub.db.pool import Connection, transaction
from credithub.domain import lists
from credithub.domain.clients import Client, Role
from credithub.domain.errors import ListingConflict, NotFound, PermissionDenied, TransitionNotAllowed, UnknownSubject
from credithub.domain.ids import IdKind, format_id
from credithub.domain.read_models import DefenceView
from credithub.domain.records import CreditRecord, Severity
from credithub.domain.repairs import compute_repairable_from
from credithub.domain.rules import RuleSet, record_counts_at, select_rule_set
from credithub.domain.texts import parse_text
from credithub.services import audit, catalog, notices, read_models
from credithub.services.ports import Deps


def _missing(entry_id: int) -> NotFound:
    return NotFound(f"no list entry {format_id(IdKind.LIST_ENTRY, entry_id)}")


async def propose_listing(deps: Deps, actor: Client, proposal: lists.Proposal) -> lists.ListEntry:
    """Propose a subject for a list: the subject is notified and may state its defence until the
    deadline; the proposal yields no measure until its authority decides it."""
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    authority = lists.compute_designating_authority(proposal.list, actor, deps.settings.joint_list_authority)
    async with transaction(deps.pool) as conn:
        if not await db_subjects.get_many(conn, [proposal.subject_id]):
            raise UnknownSubject(format_id(IdKind.SUBJECT, proposal.subject_id))
        if actor.role is Role.PLATFORM:
            platforms = await db_accounts.list_platforms_of_subject(conn, proposal.subject_id)
            if actor.platform not in platforms:
                raise PermissionDenied("a platform proposes only subjects that hold an account on it")
        lists.check_proposal(proposal, await db_records.get_many(conn, list(proposal.record_ids)), rules, now)
        await _check_red_conflict(conn, proposal.list, proposal.subject_id, rules, now)
        deadline = lists.compute_defence_deadline(now, deps.settings.defence_days)
        entry_id = await db_lists.insert_proposal(
            conn,
            proposal,
            authority=authority,
            proposed_by=actor.label,
            proposed_by_platform=actor.platform if actor.role is Role.PLATFORM else None,
            at=now,
            defence_deadline=deadline,
        )
        entry = (await db_lists.get_many(conn, [entry_id]))[entry_id]
        await _audit(conn, now, actor.label, "propose", entry, None, entry)
        await notices.notify_listing_proposed(
            conn,
            subject_id=entry.subject_id,
            entry_id=entry.id,
            list_name=entry.list.value,
            reason=entry.reason,
            defence_deadline=deadline,
            at=now,
            by=actor.label,
        )
    return entry


async def submit_defence(deps: Deps, actor: Client, entry_id: int, statement: str) -> DefenceView:
    """The subject states its defence (陈述申辩) against a proposal, before the deadline."""
    statement = parse_text(statement, "statement", limit=lists.MAX_DEFENCE)
    now = deps.clock.now()
    async with transaction(deps.pool) as conn:
        entry = await db_lists.lock(conn, entry_id)
        if entry is None or not await _may_see_entry(conn, actor, entry):
            raise _missing(entry_id)
        platforms = frozenset(await db_accounts.list_platforms_of_subject(conn, entry.subject_id))
        lists.check_may_defend(actor, entry, platforms, now)
        defence = await db_lists.insert_defence(conn, entry.id, actor.label, statement, now)
        await audit.write(
            conn,
            at=now,
            actor=actor.label,
            action="defend",
            entity="list_entry",
            entity_id=entry.id,
            subject_id=entry.subject_id,
            before=None,
            after=defence,
        )
    return read_models.defence_view(defence, actor)


async def decide_listing(
    deps: Deps,
    actor: Client,
    entry_id: int,
    *,
    listed: bool,
    note: str,
    decision_ref: str | None,
    valid_until: dt.datetime | None,
) -> lists.ListEntry:
    """A regulator of the entry's authority — not its proposer — puts the proposal in force (after
    the defence deadline, with an end no later than its records' publicity windows) or drops it.
    A blacklist coming into force ends the subject's red entry."""
    note = parse_text(note, "note")
    decision_ref = parse_text(decision_ref, "decisionRef", limit=200) if decision_ref else None
    now = deps.clock.now()
    rules = await catalog.rules_now(deps)
    async with transaction(deps.pool) as conn:
        entry = await db_lists.lock(conn, entry_id)
        if entry is None:
            raise _missing(entry_id)
        lists.check_may_decide(actor, entry)
        basis = list((await db_records.get_many(conn, list(entry.record_ids))).values())
        await _check_decision(conn, entry, basis, rules, listed=listed, valid_until=valid_until, at=now)
        state = lists.ListEntryState.IN_FORCE if listed else lists.ListEntryState.DROPPED
        decided = await db_lists.decide(
            conn, entry.id, state, by=actor.label, at=now, note=note, decision_ref=decision_ref, valid_until=valid_until
        )
        assert decided, "the entry is locked and was a proposal"
        after = (await db_lists.get_many(conn, [entry.id]))[entry.id]
        await _audit(conn, now, actor.label, "list" if listed else "drop", after, entry, after)
        await _notify_decided(conn, after, basis, rules, listed=listed, note=note, by=actor.label, at=now)
        if listed and entry.list.is_blacklist:
            await end_red_entries(conn, entry.subject_id, at=now, by=actor.label, why="the subject was blacklisted")
    return after


async def _check_decision(
    conn: Connection,
    entry: lists.ListEntry,
    basis: list[CreditRecord],
    rules: RuleSet,
    *,
    listed: bool,
    valid_until: dt.datetime | None,
    at: dt.datetime,
) -> None:
    """A blacklist still rests on serious records in force, the proposal may be decided now with
    that end (`lists.check_decision`), and a red entry meets no blacklist."""
    if listed and entry.list.is_blacklist:
        lists.check_blacklist_basis(basis, rules, at)
    latest = lists.compute_latest_end(entry.list, basis, rules, at)
    lists.check_decision(entry, listed, valid_until, latest, at)
    if listed:
        await _check_red_conflict(conn, entry.list, entry.subject_id, rules, at)


async def _notify_decided(
    conn: Connection,
    entry: lists.ListEntry,
    basis: list[CreditRecord],
    rules: RuleSet,
    *,
    listed: bool,
    note: str,
    by: str,
    at: dt.datetime,
) -> None:
    """The subject hears the decision on `entry` and, listed, from when it may apply for repair."""
    adverse = [record for record in basis if record.severity is not None]
    await notices.notify_listing_decided(
        conn,
        subject_id=entry.subject_id,
        entry_id=entry.id,
        list_name=entry.list.value,
        listed=listed,
        note=note,
        valid_until=entry.valid_until,
        repairable_from=max((compute_repairable_from(r, rules) for r in adverse), default=None),
        authority=entry.authority,
        at=at,
        by=by,
    )


async def end_listing(deps: Deps, actor: Client, entry_id: int, reason: str) -> lists.ListEntry:
    """Its authority ends an entry in force (the exit condition was met); open exit reviews close."""
    reason = parse_text(reason, "reason")
    now = deps.clock.now()
    async with transaction(deps.pool) as conn:
        entry = await db_lists.lock(conn, entry_id)
        if entry is None:
            raise _missing(entry_id)
        lists.check_may_end(actor, entry, now)
        return await _end(conn, entry, lists.EndCause.EXIT, by=actor.label, reason=reason, at=now)


async def decide_exit_review(
    deps: Deps, actor: Client, review_id: int, *, end_listing: bool, note: str
) -> lists.ExitReview:
    """The entry's authority answers an exit review: end the listing, or keep it (it rests on
    its own designation, whatever became of the record)."""
    note = parse_text(note, "note")
    now = deps.clock.now()
    missing = NotFound(f"no exit review {format_id(IdKind.EXIT_REVIEW, review_id)}")
    async with transaction(deps.pool) as conn:
        review = await db_lists.get_exit_review_for_update(conn, review_id)
        if review is None:
            raise missing
        entry = await db_lists.lock(conn, review.entry_id)
        assert entry is not None, "exit_reviews.entry_id references list_entries"
        if not actor.acts_for_authority(entry.authority):
            raise PermissionDenied(f"only a regulator of {entry.authority} answers this exit review")
        if review.status is not lists.ExitReviewStatus.OPEN:
            raise TransitionNotAllowed(review.status.value, "DECIDE")
        if end_listing and entry.state_at(now) is lists.ListEntryState.IN_FORCE:
            cause = lists.EndCause.REPAIRED if review.cause is lists.ExitCause.REPAIRED else lists.EndCause.WITHDRAWN
            await _end(conn, entry, cause, by=actor.label, reason=note, at=now)
        else:
            status = lists.ExitReviewStatus.ENDED if end_listing else lists.ExitReviewStatus.KEPT
            await _close_reviews(conn, entry, status, by=actor.label, at=now, note=note)
        closed = await db_lists.get_exit_review_for_update(conn, review_id)
        assert closed is not None
    return closed


async def on_record_stopped(
    conn: Connection,
    record: CreditRecord,
    cause: lists.ExitCause,
    *,
    actor: Client | None,
    by: str,
    at: dt.datetime,
) -> None:
    """A record stopped counting (withdrawn, repaired, corrected below serious). An entry resting
    on it ends only when its own authority acted and no other record holds it up; otherwise its
    authority gets an exit review, and the listing stands until that authority answers. A record
    holds a listing up while it counts (`rules.record_counts_at`): one past its publicity window
    holds nothing up, whatever its stored status."""
    resting = await db_lists.list_resting_on(conn, record.id, at)
    if not resting:
        return
    rules = select_rule_set(await db_config.list_rule_sets(conn), at)
    for entry in resting:
        remaining = await _others_counting(conn, entry, record, rules, at)
        if actor is not None and lists.compute_exit(entry, actor, remaining) is not None:
            end_cause = lists.EndCause.REPAIRED if cause is lists.ExitCause.REPAIRED else lists.EndCause.WITHDRAWN
            reason = f"the record it rested on was {cause.value.lower()} by its authority"
            await _end(conn, entry, end_cause, by=by, reason=reason, at=at)
        else:
            await _open_exit_review(conn, entry, record, cause, by=by, at=at)


async def _others_counting(
    conn: Connection, entry: lists.ListEntry, record: CreditRecord, rules: RuleSet, at: dt.datetime
) -> int:
    """How many of the other records `entry` rests on still count."""
    others = [r for r in (await db_records.get_many(conn, list(entry.record_ids))).values() if r.id != record.id]
    return sum(1 for other in others if record_counts_at(other, rules, at))


async def _open_exit_review(
    conn: Connection, entry: lists.ListEntry, record: CreditRecord, cause: lists.ExitCause, *, by: str, at: dt.datetime
) -> None:
    """Ask the entry's authority whether the listing ends (unless one is open for this entry and record)."""
    review = await db_lists.open_exit_review(conn, entry.id, record.id, cause, by, at)
    if review is not None:
        await audit.write(
            conn,
            at=at,
            actor=by,
            action="open",
            entity="exit_review",
            entity_id=review.id,
            subject_id=entry.subject_id,
            before=None,
            after=review,
        )


async def end_red_entries(conn: Connection, subject_id: int, *, at: dt.datetime, by: str, why: str) -> None:
    """The red list and a blacklist (or a general or serious record in force) never hold one
    subject at once: the red entry ends."""
    for entry in await db_lists.list_in_force_of_subject(conn, subject_id, at):
        if entry.list is lists.ListKind.RED:
            await _end(conn, entry, lists.EndCause.SUPERSEDED, by=by, reason=why, at=at)


async def on_records_reported(
    conn: Connection, reported: list[tuple[int, Severity | None, dt.datetime]], *, by: str, at: dt.datetime
) -> None:
    """New records, as (subject id, severity, occurred at): a general or serious one in force
    ends its subject's red entry (one query for any number of records)."""
    subject_ids = sorted({s for s, severity, occurred_at in reported if lists.ends_red(severity, occurred_at, at)})
    if not subject_ids:
        return
    for entry in await db_lists.list_red_in_force_of_subjects(conn, subject_ids, at):
        await _end(
            conn, entry, lists.EndCause.SUPERSEDED, by=by, reason="a general or serious record came in force", at=at
        )


async def _check_red_conflict(
    conn: Connection, kind: lists.ListKind, subject_id: int, rules: RuleSet, at: dt.datetime
) -> None:
    if kind is not lists.ListKind.RED:
        return
    in_force = await db_lists.list_in_force_of_subject(conn, subject_id, at)
    blacklisted = any(entry.list.is_blacklist for entry in in_force)
    adverse = await db_records.list_of_subject(conn, subject_id)
    counting = sum(
        1 for r in adverse if lists.ends_red(r.severity, r.occurred_at, at) and record_counts_at(r, rules, at)
    )
    conflict = lists.compute_red_conflict(kind, blacklisted, counting)
    if conflict is not None:
        raise ListingConflict(conflict)


async def _end(
    conn: Connection, entry: lists.ListEntry, cause: lists.EndCause, *, by: str, reason: str, at: dt.datetime
) -> lists.ListEntry:
    ended = await db_lists.end(conn, entry.id, at=at, by=by, reason=reason, cause=cause)
    assert ended, "the entry is locked and in force"
    after = (await db_lists.get_many(conn, [entry.id]))[entry.id]
    await _audit(conn, at, by, "end", after, entry, after)
    await _close_reviews(conn, after, lists.ExitReviewStatus.ENDED, by=by, at=at, note=reason)
    return after


async def _close_reviews(
    conn: Connection,
    entry: lists.ListEntry,
    status: lists.ExitReviewStatus,
    *,
    by: str,
    at: dt.datetime,
    note: str,
) -> None:
    for review in await db_lists.close_exit_reviews(conn, entry.id, status, by=by, at=at, note=note):
        await audit.write(
            conn,
            at=at,
            actor=by,
            action=status.value.lower(),
            entity="exit_review",
            entity_id=review.id,
            subject_id=entry.subject_id,
            before=None,
            after=review,
        )


async def _may_see_entry(conn: Connection, actor: Client, entry: lists.ListEntry) -> bool:
    """Subjects see their own entries only; platforms those of subjects with an account on them."""
    if actor.role is Role.SUBJECT:
        return actor.subject_id == entry.subject_id
    if actor.role is Role.PLATFORM:
        return actor.platform in await db_accounts.list_platforms_of_subject(conn, entry.subject_id)
    return True


async def _audit(
    conn: Connection,
    at: dt.datetime,
    actor: str,
    action: str,
    entry: lists.ListEntry,
    before: lists.ListEntry | None,
    after: lists.ListEntry,
) -> None:
    await audit.write(
        conn,
        at=at,
        actor=actor,
        action=action,
        entity="list_entry",
        entity_id=entry.id,
        subject_id=entry.subject_id,
        before=before,
        after=after,
    )
