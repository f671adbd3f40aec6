from __future__ import annotations

import datetime as dt

import pytest

from credithub.domain.clients import Client, Role
from credithub.domain.records import (
    Category,
    CreditRecord,
    LegalBasis,
    RecordStatus,
    Severity,
    Source,
    SourceType,
)
from credithub.domain.rules import select_rule_set
from credithub.domain.visibility import RecordScope, RecordVisibility, compute_record_scope, compute_record_visibility
from tests.engine import RULE_SETS

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def record(
    status: RecordStatus = RecordStatus.ACTIVE,
    platform: str = "shopmall",
    severity: Severity = Severity.GENERAL,
    occurred_at: dt.datetime = NOW,
) -> CreditRecord:
    return CreditRecord(
        id=1,
        subject_id=1,
        source=Source(SourceType.PLATFORM, platform, None, "V-1"),
        category=Category.COUNTERFEIT_GOODS,
        severity=severity,
        occurred_at=occurred_at,
        reported_at=NOW,
        description="sold fakes",
        legal_basis=LegalBasis("E-Commerce Law", None),
        status=status,
        valid_until=None,
    )


def client(role: Role, platform: str | None = None) -> Client:
    return Client(id=1, name="c", role=role, platform=platform)


def scope(viewer: Client, at: dt.datetime = NOW) -> RecordScope:
    return compute_record_scope(viewer, select_rule_set(RULE_SETS, at), at)


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        (client(Role.PLATFORM, "shopmall"), RecordVisibility.FULL),
        (client(Role.PLATFORM, "bazaar"), RecordVisibility.REDACTED),
        (client(Role.VIEWER), RecordVisibility.REDACTED),
        (client(Role.REGULATOR), RecordVisibility.FULL),
        (client(Role.ADMIN), RecordVisibility.FULL),
    ],
)
def test_a_platform_sees_its_own_records_in_full_and_others_redacted(
    viewer: Client, expected: RecordVisibility
) -> None:
    assert compute_record_visibility(record(), scope(viewer)) is expected


@pytest.mark.parametrize("role", [Role.PLATFORM, Role.VIEWER, Role.ADMIN])
def test_repaired_records_are_hidden_from_everyone_but_regulators(role: Role) -> None:
    viewer = client(role, "shopmall" if role is Role.PLATFORM else None)
    assert compute_record_visibility(record(RecordStatus.REPAIRED), scope(viewer)) is RecordVisibility.HIDDEN
    regulator = scope(client(Role.REGULATOR))
    assert compute_record_visibility(record(RecordStatus.REPAIRED), regulator) is RecordVisibility.FULL


def test_minor_records_are_not_published_to_other_platforms_or_viewers() -> None:
    minor = record(severity=Severity.MINOR)
    assert compute_record_visibility(minor, scope(client(Role.PLATFORM, "bazaar"))) is RecordVisibility.HIDDEN
    assert compute_record_visibility(minor, scope(client(Role.VIEWER))) is RecordVisibility.HIDDEN
    assert compute_record_visibility(minor, scope(client(Role.PLATFORM, "shopmall"))) is RecordVisibility.FULL
    assert compute_record_visibility(minor, scope(client(Role.REGULATOR))) is RecordVisibility.FULL


def test_a_record_past_its_window_stops_being_shown_to_other_platforms() -> None:
    # General records: at most 12 months under the 2026 rules.
    old = record(occurred_at=NOW - dt.timedelta(days=365))
    assert compute_record_visibility(old, scope(client(Role.PLATFORM, "bazaar"))) is RecordVisibility.HIDDEN
    assert compute_record_visibility(old, scope(client(Role.PLATFORM, "shopmall"))) is RecordVisibility.FULL
    assert compute_record_visibility(old, scope(client(Role.ADMIN))) is RecordVisibility.FULL
    recent = record(occurred_at=NOW - dt.timedelta(days=300))
    assert compute_record_visibility(recent, scope(client(Role.PLATFORM, "bazaar"))) is RecordVisibility.REDACTED


def test_a_record_past_its_window_is_shown_as_expired_unless_it_ended_otherwise() -> None:
    from credithub.domain.records import compute_shown_status

    end = NOW
    assert compute_shown_status(RecordStatus.ACTIVE, end, NOW) is RecordStatus.EXPIRED
    assert compute_shown_status(RecordStatus.OBJECTION_PENDING, end, NOW) is RecordStatus.EXPIRED
    assert compute_shown_status(RecordStatus.ACTIVE, end, NOW - dt.timedelta(seconds=1)) is RecordStatus.ACTIVE
    assert compute_shown_status(RecordStatus.REPAIRED, end, NOW) is RecordStatus.REPAIRED
    assert compute_shown_status(RecordStatus.ACTIVE, None, NOW) is RecordStatus.ACTIVE
