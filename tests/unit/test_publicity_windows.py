"""Publicity windows of authority decisions: from the decision date, never past the source's own
end, and under the rule set in force at the instant asked about (docs/adr/0010)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from credithub.domain.records import Category, CreditRecord, LegalBasis, RecordStatus, Severity, Source, SourceType
from credithub.domain.rules import compute_shown_record_status, select_rule_set
from tests.engine import RULE_SETS

UTC = dt.UTC


def decision(decided_at: dt.datetime, *, publicity_until: dt.datetime | None = None) -> CreditRecord:
    return CreditRecord(
        id=1,
        subject_id=1,
        source=Source(SourceType.AUTHORITY, None, "上海市市场监督管理局", "沪市监罚〔2024〕7号"),
        category=Category.ADMINISTRATIVE_PENALTY,
        severity=Severity.GENERAL,
        occurred_at=decided_at - dt.timedelta(days=120),  # the violation, months before the decision
        reported_at=decided_at,
        description=None,
        legal_basis=LegalBasis("《中华人民共和国广告法》", None),
        status=RecordStatus.ACTIVE,
        valid_until=publicity_until,
        decided_at=decided_at,
    )


def shown(record: CreditRecord, at: dt.datetime) -> RecordStatus:
    return compute_shown_record_status(record, select_rule_set(RULE_SETS, at), at)


def test_the_window_runs_from_the_decision_date_not_from_the_violation() -> None:
    record = decision(dt.datetime(2026, 5, 1, tzinfo=UTC))  # general: at most 12 months under R2026
    assert shown(record, dt.datetime(2027, 4, 30, tzinfo=UTC)) is RecordStatus.ACTIVE
    assert shown(record, dt.datetime(2027, 5, 1, tzinfo=UTC)) is RecordStatus.EXPIRED
    undated = dataclasses.replace(record, decided_at=None)
    assert shown(undated, dt.datetime(2027, 1, 1, tzinfo=UTC)) is RecordStatus.EXPIRED  # 12 months from occurrence


def test_a_record_is_never_shown_past_the_sources_own_end() -> None:
    record = decision(dt.datetime(2026, 5, 1, tzinfo=UTC), publicity_until=dt.datetime(2026, 8, 1, tzinfo=UTC))
    assert shown(record, dt.datetime(2026, 7, 31, tzinfo=UTC)) is RecordStatus.ACTIVE
    assert shown(record, dt.datetime(2026, 8, 1, tzinfo=UTC)) is RecordStatus.EXPIRED


def test_the_rule_set_in_force_at_the_instant_asked_governs_an_old_record() -> None:
    # Decided under Order 58 (general: up to 36 months). As of 2025 that is the rule; once Order 36
    # is in force (general: up to 12 months) the same record has ended, and stays ended.
    record = decision(dt.datetime(2024, 6, 1, tzinfo=UTC))
    assert shown(record, dt.datetime(2025, 12, 1, tzinfo=UTC)) is RecordStatus.ACTIVE
    assert shown(record, dt.datetime(2026, 4, 2, tzinfo=UTC)) is RecordStatus.EXPIRED
