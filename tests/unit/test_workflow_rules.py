"""The objection and repair state machines and their checks, as pure functions."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain import objections, records, repairs
from credithub.domain.clients import Client, Role
from credithub.domain.errors import NotRepairable, PermissionDenied, RepairTooEarly, TransitionNotAllowed
from credithub.domain.records import Category, RecordEvent, RecordStatus, Severity
from credithub.domain.rules import add_months, select_rule_set
from tests.engine import RULE_SETS
from tests.unit.test_visibility import client, record

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


@pytest.mark.parametrize(
    ("viewer", "may_file"),
    [
        (client(Role.PLATFORM, "bazaar"), True),  # the subject has an account there
        (client(Role.PLATFORM, "elsewhere"), False),
        (client(Role.REGULATOR), True),
        (client(Role.VIEWER), False),
        (client(Role.ADMIN), False),
    ],
)
def test_who_may_file_an_objection_or_apply_for_repair(viewer: Client, *, may_file: bool) -> None:
    platforms = frozenset({"shopmall", "bazaar"})
    for check in (objections.check_may_file, repairs.check_may_apply):
        if may_file:
            check(viewer, platforms)
        else:
            with pytest.raises(PermissionDenied):
                check(viewer, platforms)


@pytest.mark.parametrize(
    ("viewer", "may_decide"),
    [
        (client(Role.PLATFORM, "shopmall"), True),  # the record's source
        (client(Role.PLATFORM, "bazaar"), False),
        (client(Role.REGULATOR), True),
        (client(Role.ADMIN), False),
    ],
)
def test_the_source_or_a_regulator_decides(viewer: Client, *, may_decide: bool) -> None:
    for check in (objections.check_may_resolve, repairs.check_may_decide):
        if may_decide:
            check(viewer, record())
        else:
            with pytest.raises(PermissionDenied):
                check(viewer, record())


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
