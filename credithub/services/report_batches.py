"""Violation reports applied as a batch: the inbox's set-based path.

`reports.report_violation` applies one report in about eight statements. A batch of reports costs
about as many statements in all: their records are looked up and locked at once, their parties
resolved at once (a party the hub has never seen is registered by `reports.ensure_party`, one
party at a time, each in a savepoint), `violation_reports.decide_reports` decides each report in
order as if they were applied one after the other, and the new records go in with their status
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
from credithub.db.pool import Connection
from credithub.domain import events, records, violation_reports
from credithub.domain.errors import DomainError
from credithub.domain.violation_reports import NEEDS_PARTY, NewReport, Resolved
from credithub.services import audit, lists, reports

Report = tuple[str, events.ViolationReported]  # (platform, command)


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
    in one statement; the others are found or registered one party at a time."""
    keys = sorted({(platform, _account(command)) for _, platform, command in needed})
    known = await db_accounts.lock_known_parties(conn, keys)
    registered: dict[tuple[str, events.Party], Resolved] = {}
    resolved: dict[int, Resolved] = {}
    for position, platform, command in needed:
        found = known.get((platform, _account(command)))
        if found is not None:
            resolved[position] = violation_reports.resolve_known(command.subject, found)
            continue
        if (platform, command.subject) not in registered:
            registered[platform, command.subject] = await _register(conn, platform, command.subject)
        resolved[position] = registered[platform, command.subject]
    return resolved


def _account(command: events.ViolationReported) -> str:
    assert command.subject.account_id is not None, "a violation's subject always names its account"
    return command.subject.account_id


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
