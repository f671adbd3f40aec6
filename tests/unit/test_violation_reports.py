"""Deciding a batch of violation reports as if they were applied one after the other."""

from __future__ import annotations

import dataclasses
import datetime as dt

from credithub.domain import violation_reports
from credithub.domain.errors import IdentityConflict, InvalidValue, ViolationConflict
from credithub.domain.events import Party, PartyKind, ViolationReported, compute_report_digest
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.subjects import SubjectKind
from credithub.domain.violation_reports import NEEDS_PARTY, REPEAT, WAITS, KnownParty, NewReport

PARTY = Party(PartyKind.MERCHANT, "shop-1", "锦绣服饰", "91330106MA2B3C4D5E", None)


def report(violation_id: str = "V-1", **changes: object) -> ViolationReported:
    base = ViolationReported(
        violation_id=violation_id,
        subject=PARTY,
        category=Category.COUNTERFEIT_GOODS,
        severity=Severity.GENERAL,
        occurred_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        description="售假",
        legal_basis=LegalBasis("《电子商务法》", None),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_report_not_kept_needs_its_party_then_is_new() -> None:
    batch = [("p", report())]
    assert violation_reports.decide_reports(batch, {}, {}) == [NEEDS_PARTY]
    digest = compute_report_digest(report())
    assert violation_reports.decide_reports(batch, {}, {0: (7, 70)}) == [NewReport(7, 70, digest)]


def test_a_report_kept_with_the_same_content_or_before_digests_is_a_repeat_and_other_content_a_conflict() -> None:
    batch = [("p", report())]
    assert violation_reports.decide_reports(batch, {("p", "V-1"): compute_report_digest(report())}, {}) == [REPEAT]
    assert violation_reports.decide_reports(batch, {("p", "V-1"): None}, {}) == [REPEAT]
    [conflict] = violation_reports.decide_reports(batch, {("p", "V-1"): b"other"}, {})
    assert isinstance(conflict, ViolationConflict)


def test_a_later_report_under_the_same_id_waits_for_the_first_then_repeats_or_conflicts() -> None:
    batch = [("p", report()), ("p", report()), ("p", report(severity=Severity.SERIOUS))]
    assert violation_reports.decide_reports(batch, {}, {}) == [NEEDS_PARTY, WAITS, WAITS]
    first, again, other = violation_reports.decide_reports(batch, {}, {0: (7, 70)})
    assert (isinstance(first, NewReport), again, isinstance(other, ViolationConflict)) == (True, REPEAT, True)


def test_when_the_first_is_refused_the_next_under_its_id_is_decided_on_its_own() -> None:
    batch = [("p", report()), ("p", report())]
    refused = InvalidValue("name is required", field="subject.name")
    assert violation_reports.decide_reports(batch, {}, {0: refused}) == [refused, NEEDS_PARTY]


def test_the_same_violation_id_on_two_platforms_is_two_reports() -> None:
    batch = [("p", report()), ("q", report())]
    assert violation_reports.decide_reports(batch, {}, {0: (7, 70), 1: (7, 71)})[1] == NewReport(
        7, 71, compute_report_digest(report())
    )


def test_a_known_account_must_belong_to_the_subject_the_party_describes() -> None:
    known = KnownParty(70, 7, SubjectKind.MERCHANT, PARTY.credit_code, None)
    assert violation_reports.resolve_known(PARTY, known) == (7, 70)
    for mismatch in (
        dataclasses.replace(known, kind=SubjectKind.MCN_AGENCY),
        dataclasses.replace(known, credit_code="91110000600037341M"),
    ):
        assert isinstance(violation_reports.resolve_known(PARTY, mismatch), IdentityConflict)
    anchor = Party(PartyKind.ANCHOR, "lw-1", "小鱼", None, b"h" * 32)
    person = KnownParty(71, 8, SubjectKind.ANCHOR, None, b"h" * 32)
    assert violation_reports.resolve_known(anchor, person) == (8, 71)
    assert isinstance(
        violation_reports.resolve_known(anchor, dataclasses.replace(person, person_hash=b"o" * 32)), IdentityConflict
    )
