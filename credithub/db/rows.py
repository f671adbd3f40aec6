"""Turning asyncpg records into domain dataclasses, one function per row shape."""

from __future__ import annotations

import asyncpg

from credithub.domain import lists, measures, platforms, records, subjects


def required(row: asyncpg.Record | None) -> asyncpg.Record:
    """The row of an INSERT … RETURNING or an UPDATE that must have matched."""
    assert row is not None, "statement returned no row"
    return row


def platform(row: asyncpg.Record) -> platforms.Platform:
    return platforms.Platform(
        row["code"], row["name"], row["family"], row["push_url"], row["api_url"], row["created_at"]
    )


def subject(row: asyncpg.Record) -> subjects.Subject:
    return subjects.Subject(
        id=row["id"],
        kind=subjects.SubjectKind(row["kind"]),
        name=row["name"],
        credit_code=row["credit_code"],
        person_id=row["person_id"],
        created_at=row["created_at"],
        facts_version=row["facts_version"],
    )


def account(row: asyncpg.Record) -> subjects.Account:
    return subjects.Account(
        id=row["id"],
        subject_id=row["subject_id"],
        platform=row["platform"],
        external_id=row["external_id"],
        status=subjects.AccountStatus(row["status"]),
        display_name=row["display_name"],
        opened_at=row["opened_at"],
    )


def signing(row: asyncpg.Record) -> subjects.Signing:
    return subjects.Signing(
        id=row["id"],
        agency_id=row["agency_id"],
        anchor_id=row["anchor_id"],
        validity=subjects.Validity(row["valid_from"], row["valid_to"]),
        source_platform=row["source_platform"],
    )


def credit_record(row: asyncpg.Record) -> records.CreditRecord:
    severity = row["severity"]
    return records.CreditRecord(
        id=row["id"],
        subject_id=row["subject_id"],
        source=records.Source(
            type=records.SourceType(row["source_type"]),
            platform=row["source_platform"],
            authority=row["source_authority"],
            ref=row["source_ref"],
        ),
        category=records.Category(row["category"]),
        severity=records.Severity(severity) if severity is not None else None,
        occurred_at=row["occurred_at"],
        reported_at=row["reported_at"],
        description=row["description"],
        legal_basis=records.LegalBasis(row["legal_basis"], row["legal_basis_ref"]),
        status=records.RecordStatus(row["status"]),
        valid_until=row["valid_until"],
        decided_at=row["decided_at"],
        version=row["version"],
    )


def status_change(row: asyncpg.Record) -> records.StatusChange:
    from_status = row["from_status"]
    return records.StatusChange(
        record_id=row["record_id"],
        from_status=records.RecordStatus(from_status) if from_status is not None else None,
        to_status=records.RecordStatus(row["to_status"]),
        actor=row["actor"],
        reason=row["reason"],
        at=row["at"],
    )


def measure(row: asyncpg.Record) -> measures.Measure:
    return measures.parse_measure(
        code=row["code"],
        kind=row["kind"],
        mandatory=row["mandatory"],
        legal_basis=row["legal_basis"],
        legal_basis_ref=row["legal_basis_ref"],
        legal_basis_level=row["legal_basis_level"],
        description=row["description"],
        subject_kinds=list(row["subject_kinds"]),
        scope=row["scope"],
        trigger=row["trigger"],
        duration_months=row["duration_months"],
        active=row["active"],
    )


def list_entry(row: asyncpg.Record) -> lists.ListEntry:
    end_cause = row["end_cause"]
    return lists.ListEntry(
        id=row["id"],
        list=lists.ListKind(row["list"]),
        subject_id=row["subject_id"],
        record_ids=tuple(row["record_ids"]),
        authority=row["authority"],
        state=lists.ListEntryState(row["state"]),
        proposed_by=row["proposed_by"],
        proposed_by_platform=row["proposed_by_platform"],
        proposed_at=row["proposed_at"],
        reason=row["reason"],
        legal_basis=records.LegalBasis(row["legal_basis"], row["legal_basis_ref"]),
        legal_basis_level=records.LegalBasisLevel(row["legal_basis_level"]),
        exit_condition=row["exit_condition"],
        notice_sent_at=row["notice_sent_at"],
        defence_deadline=row["defence_deadline"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_note=row["decision_note"],
        decision_ref=row["decision_ref"],
        valid_from=row["valid_from"],
        valid_until=row["valid_until"],
        ended_at=row["ended_at"],
        ended_by=row["ended_by"],
        end_reason=row["end_reason"],
        end_cause=lists.EndCause(end_cause) if end_cause is not None else None,
    )


def defence(row: asyncpg.Record) -> lists.Defence:
    return lists.Defence(row["id"], row["entry_id"], row["submitted_by"], row["statement"], row["submitted_at"])


def exit_review(row: asyncpg.Record) -> lists.ExitReview:
    return lists.ExitReview(
        id=row["id"],
        entry_id=row["entry_id"],
        record_id=row["record_id"],
        cause=lists.ExitCause(row["cause"]),
        opened_by=row["opened_by"],
        opened_at=row["opened_at"],
        status=lists.ExitReviewStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        note=row["note"],
    )
