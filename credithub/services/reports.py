"""What platforms report: violations, their revocation, accounts and relations.

One handler per command, run inside the caller's transaction: the inbox worker (webhooks) and
the reporting mutations (`reportViolation`, `revokeViolation`, `updateAccount`, `changeRelation`,
`reportMeasureExecution`) share them, so both paths do exactly the same. Every handler is
idempotent — a repeated report changes nothing — because deliveries are at least once.

A platform can only report for itself: the platform comes from the authenticated sender (the
webhook URL and its signature, or the API token), never from the event body.
"""

from __future__ import annotations

import datetime as dt
from typing import assert_never

from credithub.db import accounts as db_accounts
from credithub.db import executions as db_executions
from credithub.db import measures as db_measures
from credithub.db import records as db_records
from credithub.db import signings as db_signings
from credithub.db import subjects as db_subjects
from credithub.db.pool import Connection, Executor, transaction
from credithub.domain import events, executions, records, violation_reports
from credithub.domain.clients import Client, Role
from credithub.domain.errors import (
    AlreadyExists,
    IdentityConflict,
    InvalidValue,
    NotYetKnown,
    PermissionDenied,
    StatusUnavailable,
)
from credithub.domain.executions import MeasureExecution
from credithub.domain.ids import IdKind, format_id
from credithub.domain.read_models import AccountView, RecordView
from credithub.domain.subjects import Account, RelationKind, Subject, SubjectKind
from credithub.services import audit, engine_config, lists, read_models, record_status, statuses
from credithub.services.ports import Deps


def actor(platform: str) -> str:
    return f"platform:{platform}"


async def handle(conn: Connection, platform: str, event: events.Event, now: dt.datetime) -> None:
    """Apply one event reported by `platform`."""
    command = event.command
    match command:
        case events.ViolationReported():
            await report_violation(conn, platform, command, now)
        case events.ViolationRevoked():
            await revoke_violation(conn, platform, command, now)
        case events.AccountUpdated():
            await update_account(conn, platform, command)
        case events.RelationChanged():
            await change_relation(conn, platform, command)
        case events.MeasureExecuted():
            await record_execution(conn, platform, command, now)
        case _:
            assert_never(command)


async def report_violation(
    conn: Connection, platform: str, command: events.ViolationReported, now: dt.datetime
) -> records.CreditRecord:
    """Record a violation against the subject (registered on first sight). Reporting the same
    violation again returns the record already kept and changes nothing; other content under the
    same violation id is a ViolationConflict."""
    digest = events.compute_report_digest(command)
    existing = await db_records.get_by_source_ref(conn, platform, command.violation_id)
    if existing is not None:
        await check_same_report(conn, platform, command)
        return existing
    subject, account = await ensure_party(conn, platform, command.subject)
    try:
        # A savepoint: a concurrent delivery's insert of the same violation makes ours fail, and
        # the transaction must go on to read theirs.
        async with conn.transaction():
            record = await db_records.insert(
                conn,
                subject_id=subject.id,
                source=records.Source(records.SourceType.PLATFORM, platform, None, command.violation_id),
                account_id=account.id if account is not None else None,
                category=command.category,
                severity=command.severity,
                occurred_at=command.occurred_at,
                reported_at=now,
                description=command.description,
                legal_basis=command.legal_basis,
                report_digest=digest,
            )
    except AlreadyExists:
        # Reported concurrently by another delivery of the same event: that one wins.
        found = await db_records.get_by_source_ref(conn, platform, command.violation_id)
        assert found is not None
        await check_same_report(conn, platform, command)
        return found
    await db_records.insert_status_change(
        conn, records.StatusChange(record.id, None, records.RecordStatus.ACTIVE, actor(platform), "reported", now)
    )
    await statuses.queue_refresh(conn, [record.subject_id])
    await audit.write(
        conn,
        at=now,
        actor=actor(platform),
        action="report",
        entity="record",
        entity_id=record.id,
        subject_id=record.subject_id,
        before=None,
        after=record,
    )
    await lists.on_records_reported(
        conn, [(record.subject_id, record.severity, record.occurred_at)], by=actor(platform), at=now
    )
    return record


async def check_acceptable(conn: Executor, platform: str, event: events.Event) -> None:
    """What can be told before an event is stored, so the sender hears it now rather than the
    event failing later in the inbox: a violation id reused with other content
    (ViolationConflict), execution feedback about a measure not in the catalog (InvalidValue)."""
    match event.command:
        case events.ViolationReported():
            await check_same_report(conn, platform, event.command)
        case events.MeasureExecuted():
            await check_measure_known(conn, event.command)
        case _:
            pass


async def check_same_report(conn: Executor, platform: str, command: events.ViolationReported) -> None:
    """ViolationConflict if the platform reported other content under this violation id before.
    (Nothing reported yet, the same content, or a record kept before digests existed: fine.)"""
    found = await db_records.get_report_digest(conn, platform, command.violation_id)
    if found is not None:
        violation_reports.check_same_report(command, found[1])


async def revoke_violation(conn: Connection, platform: str, command: events.ViolationRevoked, now: dt.datetime) -> None:
    """The platform takes a violation back: the record is WITHDRAWN (once; again is a no-op)."""
    record = await db_records.get_by_source_ref(conn, platform, command.violation_id)
    if record is None:
        raise NotYetKnown(f"no violation {command.violation_id!r} reported by {platform} yet")
    if record.status is records.RecordStatus.WITHDRAWN:
        return
    new_status = records.apply_event(record.status, records.RecordEvent.REVOKE)
    await record_status.change(conn, record, new_status, actor=actor(platform), reason=command.reason, at=now)


async def record_execution(
    conn: Connection, platform: str, command: events.MeasureExecuted, now: dt.datetime
) -> MeasureExecution:
    """Execution feedback: keep that the platform applied or lifted a measure (the same report
    again changes nothing)."""
    await check_measure_known(conn, command)
    subject, _ = await ensure_party(conn, platform, command.subject)
    await check_carried(conn, platform, subject.id, command)
    execution = MeasureExecution(
        0, platform, subject.id, command.measure, command.action, command.executed_at, now, command.note
    )
    if await db_executions.insert(
        conn, platform, subject.id, command.measure, command.action, command.executed_at, now, command.note
    ):
        await audit.write(
            conn,
            at=now,
            actor=actor(platform),
            action=command.action.value.lower(),
            entity="execution",
            entity_id=command.measure,
            subject_id=subject.id,
            before=None,
            after=execution,
        )
    return execution


async def check_carried(conn: Connection, platform: str, subject_id: int, command: events.MeasureExecuted) -> None:
    """The measure must be one of the subject's flags for `platform` at the instant it was executed."""
    config = await engine_config.load_config(conn)
    computed = await statuses.compute_statuses(conn, [subject_id], config, command.executed_at)
    if computed.unavailable:
        raise StatusUnavailable(format_id(IdKind.SUBJECT, subject_id))
    [(status, _)] = computed.statuses
    history = (await db_executions.list_for_subjects(conn, [subject_id])).get(subject_id, [])
    carried = [flag.measure for flag in read_models.platform_status_view(status, platform).flags]
    executions.check_carried(platform, command.measure, command.action, command.executed_at, carried, history)


async def check_measure_known(conn: Executor, command: events.MeasureExecuted) -> None:
    if not await db_measures.exists(conn, command.measure):
        raise InvalidValue(f"data.measure {command.measure!r} is not in the measures catalog", field="data.measure")


async def update_account(conn: Connection, platform: str, command: events.AccountUpdated) -> Account:
    """The account's state as the platform reports it (the subject registered on first sight)."""
    _, account = await ensure_party(conn, platform, command.subject)
    assert account is not None, "account.updated always names an account"
    return await db_accounts.update_state(conn, account.id, command.status, command.subject.name, command.opened_at)


async def change_relation(conn: Connection, platform: str, command: events.RelationChanged) -> tuple[int | None, int]:
    """An MCN signing or a legal representation begins (valid_to null) or ends. Returns the ids of
    the subjects at both ends (None for a person who is no subject)."""
    to_subject, _ = await ensure_party(conn, platform, command.to_party)
    match command.relation:
        case RelationKind.MCN_SIGNING:
            agency, _ = await ensure_party(conn, platform, command.from_party)
            await db_signings.upsert(conn, agency.id, to_subject.id, command.valid_from, command.valid_to, platform)
            return agency.id, to_subject.id
        case RelationKind.LEGAL_REPRESENTATIVE:
            assert command.from_party.person_hash is not None, "events.parse_party gives people a hash"
            person_id = await db_subjects.upsert_person(conn, command.from_party.person_hash)
            anchor = None
            if command.from_party.kind is events.PartyKind.ANCHOR:
                anchor, _ = await ensure_party(conn, platform, command.from_party)
            await db_signings.upsert_representation(
                conn, person_id, to_subject.id, command.valid_from, command.valid_to, platform
            )
            return (anchor.id if anchor is not None else None), to_subject.id
    assert_never(command.relation)


async def ensure_party(conn: Connection, platform: str, party: events.Party) -> tuple[Subject, Account | None]:
    """The subject the party names, and its account on this platform — found by that account,
    else by credit code or person hash, and registered if the hub has never seen them. Safe
    against a concurrent event registering the same subject. A mismatch is an
    IdentityConflict, never a silent re-assignment."""
    kind = party.kind.subject_kind
    assert kind is not None, "a person is not a subject"
    account = await db_accounts.get_by_key(conn, platform, party.account_id) if party.account_id else None
    if account is not None:
        subject = (await db_subjects.get_many(conn, [account.subject_id]))[account.subject_id]
        await _check_identity(conn, subject, party, kind)
        return subject, account
    subject = await _find_or_register(conn, party, kind)
    if party.account_id is None:
        return subject, None
    added = await db_accounts.insert_if_absent(conn, subject.id, platform, party.account_id, party.name)
    if added is not None:
        return subject, added
    return await ensure_party(conn, platform, party)  # added meanwhile by a concurrent event: check it


async def _find_or_register(conn: Connection, party: events.Party, kind: SubjectKind) -> Subject:
    for _ in range(2):  # the second lookup finds what a concurrent event registered first
        found = (
            await db_subjects.get_by_credit_code(conn, party.credit_code)
            if party.credit_code is not None
            else await db_subjects.get_by_person_hash(conn, _hash(party))
        )
        if found is not None:
            await _check_identity(conn, found, party, kind)
            return found
        if party.name is None:
            raise InvalidValue("name is required to register a subject the hub has not seen", field="subject.name")
        person_id = await db_subjects.upsert_person(conn, _hash(party)) if kind is SubjectKind.ANCHOR else None
        registered = await db_subjects.insert_if_absent(conn, kind, party.name, party.credit_code, person_id)
        if registered is not None:
            return registered
    raise IdentityConflict("the subject could not be found or registered")


async def _check_identity(conn: Connection, subject: Subject, party: events.Party, kind: SubjectKind) -> None:
    assert kind is party.kind.subject_kind, "the kind is the party's"
    same_person = True
    if party.person_hash is not None:
        person = await db_subjects.get_by_person_hash(conn, party.person_hash)
        same_person = person is not None and person.id == subject.id
    violation_reports.check_identity(party, subject.kind, subject.credit_code, same_person)


def _hash(party: events.Party) -> bytes:
    assert party.person_hash is not None, "events.parse_party gives people a hash"
    return party.person_hash


def _reporting_platform(client: Client) -> str:
    if client.role is not Role.PLATFORM or client.platform is None:
        raise PermissionDenied("only platform clients report, and only for their own platform")
    return client.platform


async def report(deps: Deps, client: Client, event: events.Event) -> RecordView:
    """`reportViolation`: the same handler as a webhook, applied at once. Only platform clients
    report, and only for their own platform."""
    platform = _reporting_platform(client)
    assert isinstance(event.command, events.ViolationReported)
    async with transaction(deps.pool) as conn:
        record = await report_violation(conn, platform, event.command, deps.clock.now())
    return await read_models.written_record_view(deps, record)


async def report_execution(deps: Deps, client: Client, event: events.Event) -> MeasureExecution:
    """`reportMeasureExecution`: the same handler as the measure.executed webhook, applied at once."""
    platform = _reporting_platform(client)
    assert isinstance(event.command, events.MeasureExecuted)
    async with transaction(deps.pool) as conn:
        return await record_execution(conn, platform, event.command, deps.clock.now())


async def revoke(deps: Deps, client: Client, event: events.Event) -> RecordView:
    """`revokeViolation`: the same handler as the violation.revoked webhook, applied at once. A
    violation the platform never reported is NotYetKnown (a webhook would wait for it)."""
    platform = _reporting_platform(client)
    command = event.command
    assert isinstance(command, events.ViolationRevoked)
    async with transaction(deps.pool) as conn:
        await revoke_violation(conn, platform, command, deps.clock.now())
        record = await db_records.get_by_source_ref(conn, platform, command.violation_id)
    assert record is not None, "revoke_violation found it"
    return await read_models.written_record_view(deps, record)


async def update(deps: Deps, client: Client, event: events.Event) -> AccountView:
    """`updateAccount`: the same handler as the account.updated webhook, applied at once."""
    platform = _reporting_platform(client)
    assert isinstance(event.command, events.AccountUpdated)
    async with transaction(deps.pool) as conn:
        account = await update_account(conn, platform, event.command)
    return read_models.account_view(account, client)


async def relate(deps: Deps, client: Client, event: events.Event) -> tuple[int | None, int]:
    """`changeRelation`: the same handler as the relation.changed webhook, applied at once."""
    platform = _reporting_platform(client)
    assert isinstance(event.command, events.RelationChanged)
    async with transaction(deps.pool) as conn:
        return await change_relation(conn, platform, event.command)
