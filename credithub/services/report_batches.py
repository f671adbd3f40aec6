"""Violation reports applied as a batch: the inbox's set-based path.

`reports.report_violation` applies one report in about eight statements. A batch of reports costs
about as many statements in all: their records are looked up and locked at once, their parties
resolved at once (accounts the hub holds in one statement; organisations seen for the first time
found by credit code or registered, and their accounts added, a statement each; a person's party
the hub has never seen, or one another transaction raced, by `reports.ensure_party`, one at a
time, each in a savepoint), `violation_reports.decide_reports` decides each report in order as if
they were applied one after the other, and the new records go in with their status
changes in one statement, their audit rows in another. Fact versions and the status refresh queue
follow from the record insert's statement trigger (`touch_subjects`): one new version and one
place in the queue per subject touched, not per report, as on the authority import's bulk path.
A refused report gets the error it would have met alone, and nothing of it is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from credithub.db import accounts as db_accounts
from credithub.db import records as db_records
from credithub.db import subjects as db_subjects
from credithub.db.pool import Connection
from credithub.domain import events, records, violation_reports
from credithub.domain.errors import DomainError, IdentityConflict
from credithub.domain.subjects import Subject, SubjectKind
from credithub.domain.violation_reports import NEEDS_PARTY, NewReport, Resolved
from credithub.services import audit, lists, reports

Report = tuple[str, events.ViolationReported]  # (platform, command)
PartyKey = tuple[str, events.Party]  # (platform, party as the report names it)


async def report_violations(conn: Connection, batch: Sequence[Report], now: dt.datetime) -> list[DomainError | None]:
    """Apply violation reports, in order, in the caller's transaction: per report None (kept, or
    a repeat of one kept) or the DomainError that refuses it."""
    if not batch:
        return []
    kept = await db_records.lock_platform_reports(conn, sorted({(p, c.violation_id) for p, c in batch}))
    parties: dict[int, Resolved] = {}
    while True:
        decided = violation_reports.decide_reports(batch, kept, parties)
        needed = [position for position, decision in enumerate(decided) if decision is NEEDS_PARTY]
        if not needed:
            break
        parties |= await _resolve_parties(conn, [(position, *batch[position]) for position in needed])
    new = [
        (batch[n][0], batch[n][1], d, reports.actor(batch[n][0]))
        for n, d in enumerate(decided)
        if isinstance(d, NewReport)
    ]
    if new:
        await _insert(conn, new, now)
    return [decision if isinstance(decision, DomainError) else None for decision in decided]


async def _resolve_parties(
    conn: Connection, needed: list[tuple[int, str, events.ViolationReported]]
) -> dict[int, Resolved]:
    """The party of each report at these positions: accounts the hub holds are read (and locked)
    in one statement, the others seen for the first time (`_first_sight`)."""
    keys = sorted({(platform, _account(command)) for _, platform, command in needed})
    known = await db_accounts.lock_known_parties(conn, keys)
    resolved: dict[int, Resolved] = {}
    unknown: dict[PartyKey, list[int]] = {}  # in the order first named
    for position, platform, command in needed:
        found = known.get((platform, _account(command)))
        if found is not None:
            resolved[position] = violation_reports.resolve_known(command.subject, found)
        else:
            unknown.setdefault((platform, command.subject), []).append(position)
    if unknown:
        first_seen = await _first_sight(conn, list(unknown))
        resolved |= {position: first_seen[key] for key, positions in unknown.items() for position in positions}
    return resolved


async def _first_sight(conn: Connection, parties: list[PartyKey]) -> dict[PartyKey, Resolved]:
    """Parties whose accounts the hub does not hold, in the order first named. Organisations are
    found by credit code or registered, and their accounts added, in a statement each for the
    lot; a person's party, or one another transaction raced, is found or registered by
    `reports.ensure_party` alone."""
    subjects = await _organisations(conn, [party for _, party in parties])
    resolved: dict[PartyKey, Resolved] = {}
    adding: dict[tuple[str, str], tuple[PartyKey, int]] = {}  # account key: the first party to add it
    for key in parties:
        platform, party = key
        subject = subjects.get(party.credit_code or "")
        account = (platform, _party_account(party))
        if subject is None or account in adding:
            continue  # alone, below: a later party naming the same account must match the first
        try:
            violation_reports.check_identity(party, subject.kind, subject.credit_code, same_person=True)
        except IdentityConflict as exc:
            resolved[key] = exc
            continue
        adding[account] = (key, subject.id)
    added = await db_accounts.insert_many_if_absent(
        conn,
        [
            (subject_id, platform, external_id, key[1].name)
            for (platform, external_id), (key, subject_id) in adding.items()
        ],
    )
    for account_key, (key, subject_id) in adding.items():
        if account_key in added:
            resolved[key] = (subject_id, added[account_key].id)
    for key in parties:
        if key not in resolved:
            resolved[key] = await _register(conn, *key)
    return resolved


async def _organisations(conn: Connection, parties: list[events.Party]) -> dict[str, Subject]:
    """The subjects of the organisations these parties name, by credit code: those the hub holds
    (locked), and those registered now under the name of the first party naming them. A code
    whose first party gives no name is left out (its parties go alone: the first is refused)."""
    first: dict[str, events.Party] = {}
    for party in parties:
        if party.credit_code is not None:
            first.setdefault(party.credit_code, party)
    if not first:
        return {}
    found = await db_subjects.lock_many_by_credit_code(conn, sorted(first))
    new = [party for code, party in first.items() if code not in found and party.name is not None]
    if new:
        found |= await db_subjects.insert_organisations_if_absent(
            conn, [(_kind(party), party.name or "", party.credit_code or "") for party in new]
        )
    return found


def _kind(party: events.Party) -> SubjectKind:
    kind = party.kind.subject_kind
    assert kind is not None, "a violation names a subject"
    return kind


def _party_account(party: events.Party) -> str:
    assert party.account_id is not None, "a violation's subject always names its account"
    return party.account_id


def _account(command: events.ViolationReported) -> str:
    return _party_account(command.subject)


async def _register(conn: Connection, platform: str, party: events.Party) -> Resolved:
    """A party first seen: found by its code (or person), or registered, with its account. In a
    savepoint, so a party refused leaves nothing behind."""
    try:
        async with conn.transaction():
            subject, account = await reports.ensure_party(conn, platform, party)
    except DomainError as exc:
        return exc
    return subject.id, account.id if account is not None else None


async def _insert(conn: Connection, new: list[db_records.Reported], now: dt.datetime) -> None:
    """The new records with their status changes and audit rows; a general or serious one in
    force ends its subject's red entry, as for a single report."""
    kept = await db_records.insert_reported(conn, new, now)
    by_platform: dict[str, list[records.CreditRecord]] = defaultdict(list)
    for record in kept:
        assert record.source.platform is not None, "a platform's record"
        by_platform[record.source.platform].append(record)
    await audit.write_many(
        conn,
        at=now,
        writes=[
            (
                reports.actor(record.source.platform or ""),
                "report",
                "record",
                record.id,
                record.subject_id,
                None,
                record,
            )
            for record in kept
        ],
    )
    for platform, recorded in by_platform.items():
        await lists.on_records_reported(
            conn, [(r.subject_id, r.severity, r.occurred_at) for r in recorded], by=reports.actor(platform), at=now
        )
