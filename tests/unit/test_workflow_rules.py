"""The objection and repair state machines and their checks, and a listing proposal's checks, as pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain import lists, objections, records, repairs
from credithub.domain.clients import Client, Role
from credithub.domain.errors import (
    InvalidListBasis,
    InvalidValue,
    LegalBasisInsufficient,
    NotRepairable,
    PermissionDenied,
    RepairTooEarly,
    TransitionNotAllowed,
)
from credithub.domain.records import (
    Category,
    LegalBasis,
    LegalBasisLevel,
    Reclassification,
    RecordEvent,
    RecordStatus,
    Severity,
    Source,
    SourceType,
)
from credithub.domain.rules import add_months, select_rule_set
from tests.engine import RULE_SETS
from tests.unit.test_visibility import NOW, client, record


def subject_client(subject_id: int) -> Client:
    return Client(id=9, name="merchant", role=Role.SUBJECT, platform=None, subject_id=subject_id)


def regulator(authority: str) -> Client:
    return Client(id=8, name="c", role=Role.REGULATOR, platform=None, authority=authority)


AT = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
RULES = select_rule_set(RULE_SETS, AT)


@given(st.lists(st.sampled_from(RecordEvent), max_size=12))
def test_record_events_only_move_along_the_transition_table(events: list[RecordEvent]) -> None:
    status = RecordStatus.ACTIVE
    for event in events:
        try:
            after = records.apply_event(status, event)
        except TransitionNotAllowed:
            assert (status, event) not in records.TRANSITIONS
            continue
        assert records.TRANSITIONS[(status, event)] is after
        assert after is not RecordStatus.EXPIRED, "EXPIRED is derived from time, never stored"
        if status is RecordStatus.WITHDRAWN:
            pytest.fail("a withdrawn record never changes again")
        status = after


@pytest.mark.parametrize("final", [objections.ObjectionStatus.UPHELD, objections.ObjectionStatus.REJECTED])
@pytest.mark.parametrize("event", list(objections.ObjectionEvent))
def test_a_resolved_objection_is_final(final: objections.ObjectionStatus, event: objections.ObjectionEvent) -> None:
    with pytest.raises(TransitionNotAllowed):
        objections.apply(final, event)


@pytest.mark.parametrize("final", [repairs.RepairStatus.APPROVED, repairs.RepairStatus.REJECTED])
@pytest.mark.parametrize("event", list(repairs.RepairEvent))
def test_a_decided_application_is_final(final: repairs.RepairStatus, event: repairs.RepairEvent) -> None:
    with pytest.raises(TransitionNotAllowed):
        repairs.apply(final, event)


KNOWN_BEFORE = NOW - dt.timedelta(days=30)  # the platform's account began before the record was reported


@pytest.mark.parametrize(
    ("viewer", "since", "may_file"),
    [
        (client(Role.PLATFORM, "bazaar"), KNOWN_BEFORE, True),
        (client(Role.PLATFORM, "bazaar"), NOW + dt.timedelta(minutes=1), False),  # an account opened to object
        (client(Role.PLATFORM, "elsewhere"), None, False),
        (client(Role.REGULATOR), None, True),
        (subject_client(1), None, True),  # the subject itself
        (subject_client(2), None, False),
        (client(Role.VIEWER), None, False),
        (client(Role.ADMIN), None, False),
    ],
)
def test_who_may_file_an_objection(viewer: Client, since: dt.datetime | None, *, may_file: bool) -> None:
    if may_file:
        objections.check_may_file(viewer, record(), since)
    else:
        with pytest.raises(PermissionDenied):
            objections.check_may_file(viewer, record(), since)


@pytest.mark.parametrize(
    ("viewer", "may_apply"),
    [
        (client(Role.PLATFORM, "bazaar"), True),
        (client(Role.PLATFORM, "elsewhere"), False),
        (client(Role.REGULATOR), True),
        (subject_client(1), True),
        (subject_client(2), False),
        (client(Role.ADMIN), False),
    ],
)
def test_who_may_apply_for_repair(viewer: Client, *, may_apply: bool) -> None:
    platforms = frozenset({"shopmall", "bazaar"})
    if may_apply:
        repairs.check_may_apply(viewer, record(), platforms)
    else:
        with pytest.raises(PermissionDenied):
            repairs.check_may_apply(viewer, record(), platforms)


FILED_BY_B = objections.Objection(
    1, 1, 1, "platform:bazaar", "bazaar", "r", NOW, NOW, objections.ObjectionStatus.OPEN, None, None, None
)
APPLIED_BY_B = repairs.RepairApplication(
    1, 1, 1, "platform:bazaar", "bazaar", "e", "c", NOW, repairs.RepairStatus.PENDING, None, None, None
)


@pytest.mark.parametrize(
    ("viewer", "may_decide"),
    [
        (client(Role.PLATFORM, "shopmall"), True),  # the record's source
        (client(Role.PLATFORM, "bazaar"), False),  # filed it: nobody decides what they filed
        (client(Role.PLATFORM, "other"), False),
        (regulator("国家市场监督管理总局"), True),  # a platform's record: any bound regulator
        (client(Role.REGULATOR), False),  # bound to no authority: decides nothing
        (subject_client(1), False),
        (client(Role.ADMIN), False),
    ],
)
def test_the_source_or_a_regulator_decides_never_the_filer(viewer: Client, *, may_decide: bool) -> None:
    checks = (
        lambda: objections.check_may_resolve(viewer, record(), FILED_BY_B),
        lambda: repairs.check_may_decide(viewer, record(), APPLIED_BY_B),
    )
    for check in checks:
        if may_decide:
            check()
        else:
            with pytest.raises(PermissionDenied):
                check()


def test_an_authoritys_record_is_decided_only_by_that_authoritys_regulators() -> None:
    court = dataclasses.replace(record(), source=Source(SourceType.AUTHORITY, None, "上海市浦东新区人民法院", "D-1"))
    objections.check_may_resolve(regulator("上海市浦东新区人民法院"), court, FILED_BY_B)
    for outsider in (regulator("国家市场监督管理总局"), client(Role.PLATFORM, "shopmall")):
        with pytest.raises(PermissionDenied):
            objections.check_may_resolve(outsider, court, FILED_BY_B)
        with pytest.raises(PermissionDenied):
            repairs.check_may_decide(outsider, court, APPLIED_BY_B)


def test_a_regulator_cannot_resolve_the_objection_it_filed_itself() -> None:
    mine = dataclasses.replace(FILED_BY_B, filed_by="regulator:c", filed_by_platform=None)
    with pytest.raises(PermissionDenied):
        objections.check_may_resolve(regulator("国家市场监督管理总局"), record(), mine)


def test_after_a_rejection_only_the_source_or_a_regulator_suspends_the_record_again() -> None:
    rejected = dataclasses.replace(FILED_BY_B, status=objections.ObjectionStatus.REJECTED)
    assert objections.compute_suspends(client(Role.PLATFORM, "bazaar"), record(), []) is True
    assert objections.compute_suspends(client(Role.PLATFORM, "bazaar"), record(), [rejected]) is False
    assert objections.compute_suspends(subject_client(1), record(), [rejected]) is False
    assert objections.compute_suspends(client(Role.PLATFORM, "shopmall"), record(), [rejected]) is True
    assert objections.compute_suspends(regulator("x"), record(), [rejected]) is True


@given(st.sampled_from([Severity.GENERAL, Severity.SERIOUS]), st.integers(min_value=0, max_value=40 * 30))
def test_repair_opens_exactly_when_the_minimum_publicity_period_ends(severity: Severity, days_ago: int) -> None:
    occurred = record(severity=severity, occurred_at=AT - dt.timedelta(days=days_ago))
    opens = add_months(occurred.occurred_at, RULES.window(severity).min_months)
    if opens <= AT:
        repairs.check_eligible(occurred, RULES, AT)
    else:
        with pytest.raises(RepairTooEarly) as refused:
            repairs.check_eligible(occurred, RULES, AT)
        assert refused.value.allowed_from == opens
        assert refused.value.rule_set == RULES.code


def test_excluded_categories_and_positive_records_are_not_repairable() -> None:
    rules = dataclasses.replace(RULES, repair_excluded_categories=frozenset({"COURT_DISHONEST_DEBTOR"}))
    old = AT - dt.timedelta(days=3 * 365)
    court = dataclasses.replace(record(occurred_at=old), category=Category.COURT_DISHONEST_DEBTOR)
    with pytest.raises(NotRepairable, match="COURT_DISHONEST_DEBTOR"):
        repairs.check_eligible(court, rules, AT)
    red = dataclasses.replace(record(occurred_at=old), category=Category.RED_LIST, severity=None)
    with pytest.raises(NotRepairable):
        repairs.check_eligible(red, rules, AT)
    disputed = record(RecordStatus.OBJECTION_PENDING, occurred_at=old)
    with pytest.raises(TransitionNotAllowed):
        repairs.check_eligible(disputed, rules, AT)


def test_an_objection_is_overdue_only_while_open_and_past_its_deadline() -> None:
    due = objections.compute_due_at(AT, 15)
    objection = objections.Objection(
        1, 1, 1, "platform:bazaar", "bazaar", "not mine", AT, due, objections.ObjectionStatus.OPEN, None, None, None
    )
    assert not objection.overdue_at(due - dt.timedelta(seconds=1))
    assert objection.overdue_at(due)
    resolved = dataclasses.replace(objection, status=objections.ObjectionStatus.REJECTED)
    assert not resolved.overdue_at(due + dt.timedelta(days=1))


CORRECTION = Reclassification(Category.FALSE_ADVERTISING, Severity.GENERAL)


@pytest.mark.parametrize(
    ("upheld", "outcome", "correction", "expected"),
    [
        (False, None, None, None),
        (True, None, None, objections.Outcome.WITHDRAW),  # the default
        (True, None, CORRECTION, objections.Outcome.CORRECT),  # a correction implies CORRECT
        (True, objections.Outcome.CORRECT, CORRECTION, objections.Outcome.CORRECT),
        (False, objections.Outcome.WITHDRAW, None, "a rejected objection changes nothing"),
        (False, None, CORRECTION, "a rejected objection changes nothing"),
        (True, objections.Outcome.CORRECT, None, "CORRECT needs the corrected category and severity"),
        (True, objections.Outcome.WITHDRAW, CORRECTION, "a correction goes with the CORRECT outcome"),
        (True, None, Reclassification(Category.FALSE_ADVERTISING, None), "a negative category needs a severity"),
        (True, None, Reclassification(Category.RED_LIST, Severity.GENERAL), "a negative category needs a severity"),
    ],
)
def test_an_upheld_objection_withdraws_or_corrects_and_a_rejected_one_changes_nothing(
    *,
    upheld: bool,
    outcome: objections.Outcome | None,
    correction: Reclassification | None,
    expected: objections.Outcome | str | None,
) -> None:
    if expected is None or isinstance(expected, objections.Outcome):  # (an Outcome is a str too)
        assert objections.parse_outcome(upheld, outcome, correction) is expected
    else:
        with pytest.raises(InvalidValue, match=expected):
            objections.parse_outcome(upheld, outcome, correction)


def proposal(kind: lists.ListKind, record_ids: tuple[int, ...], level: LegalBasisLevel) -> lists.Proposal:
    return lists.Proposal(kind, 1, record_ids, "fakes, again", LegalBasis("a rule", None), level, "until repaired")


SERIOUS = dataclasses.replace(record(severity=Severity.SERIOUS, occurred_at=AT - dt.timedelta(days=30)), id=1)
HONOUR = dataclasses.replace(SERIOUS, id=2, category=Category.RED_LIST, severity=None)
ELSEWHERE = dataclasses.replace(SERIOUS, id=3, subject_id=2)
FOUND = {found.id: found for found in (SERIOUS, HONOUR, ELSEWHERE)}


@pytest.mark.parametrize(
    ("kind", "record_ids", "level", "refused"),
    [
        (lists.ListKind.SERIOUS_DISHONEST, (1,), LegalBasisLevel.DEPARTMENTAL_RULE, None),
        (lists.ListKind.JOINT_CONSTRAINT, (1,), LegalBasisLevel.PLATFORM_RULE, None),
        (lists.ListKind.RED, (2,), LegalBasisLevel.PLATFORM_RULE, None),
        (lists.ListKind.SERIOUS_DISHONEST, (1,), LegalBasisLevel.PLATFORM_RULE, "rests on a public instrument"),
        (lists.ListKind.JOINT_CONSTRAINT, (1, 9), LegalBasisLevel.PLATFORM_RULE, r"records \[9\] do not exist"),
        (lists.ListKind.JOINT_CONSTRAINT, (1, 3), LegalBasisLevel.PLATFORM_RULE, "about the subject being listed"),
        (lists.ListKind.JOINT_CONSTRAINT, (1, 2), LegalBasisLevel.PLATFORM_RULE, "rests only on serious records"),
        (lists.ListKind.RED, (2, 1), LegalBasisLevel.PLATFORM_RULE, "the red list rests only on positive records"),
    ],
)
def test_a_proposal_rests_on_existing_records_of_its_subject_of_the_lists_kind(
    kind: lists.ListKind, record_ids: tuple[int, ...], level: LegalBasisLevel, refused: str | None
) -> None:
    proposed = proposal(kind, record_ids, level)
    if refused is None:
        lists.check_proposal(proposed, FOUND, RULES, AT)
        return
    with pytest.raises((InvalidListBasis, LegalBasisInsufficient), match=refused):
        lists.check_proposal(proposed, FOUND, RULES, AT)
