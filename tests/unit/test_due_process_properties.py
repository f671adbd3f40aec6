"""Properties of the due-process rules in the engine (hypothesis), over random facts: whatever
the records, entries and relations, nobody's word becomes everyone's mandatory sanction without a
designation, tier A is earned, tier restrictions never reach a natural person, and the red list
never holds a blacklisted subject."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings

from credithub.domain.facts import SubjectFacts
from credithub.domain.flags import CreditStatus, compute_status
from credithub.domain.measures import Measure, MeasureKind, Scope, TierTrigger
from credithub.domain.rules import add_months
from credithub.domain.subjects import SubjectKind
from tests.engine import CATALOG, RULE_SETS, measure
from tests.unit.test_flags_properties import instants, subject_facts

# The test catalog, plus mandatory all-platform restrictions of every other trigger type: a count
# of records and a tier. And one row no catalog edit can create any more (parse_measure refuses a
# tier restriction naming anchors) but an old catalog might hold: the engine must still hold the line.
TIER_RESTRICTION_FOR_EVERYONE = dataclasses.replace(
    measure("TIER_BAR", {"type": "TIER", "tiers": ["C", "D"]}, kinds=["MERCHANT", "MCN_AGENCY"]),
    subject_kinds=frozenset(SubjectKind),
)
STRICT_CATALOG: tuple[Measure, ...] = (
    *CATALOG,
    measure(
        "REPEAT_BAR",
        {
            "type": "RECORD_COUNT",
            "categories": None,
            "severities": ["GENERAL", "SERIOUS"],
            "count": 2,
            "window_months": 12,
        },
    ),
    TIER_RESTRICTION_FOR_EVERYONE,
)
BY_CODE = {m.code: m for m in STRICT_CATALOG}
A_KNOWN_MONTHS = 36


def compute(facts: SubjectFacts, at: dt.datetime) -> CreditStatus:
    return compute_status(facts, STRICT_CATALOG, RULE_SETS, at)


@settings(max_examples=300)
@given(subject_facts(), instants)
def test_no_mandatory_all_platform_restriction_without_a_designation_among_its_sources(
    facts: SubjectFacts, at: dt.datetime
) -> None:
    authority_records = {record.id for record in facts.records if record.from_authority}
    for flag in compute(facts, at).flags:
        if flag.mandatory and flag.kind is MeasureKind.RESTRICTION and flag.scope is Scope.ALL_PLATFORMS:
            assert flag.list_entry_ids or authority_records & set(flag.record_ids), flag


@settings(max_examples=250)
@given(subject_facts(), instants)
def test_tier_a_needs_the_red_list_or_36_months_of_known_history_and_b_says_why(
    facts: SubjectFacts, at: dt.datetime
) -> None:
    status = compute(facts, at)
    known_long_enough = add_months(facts.known_since, A_KNOWN_MONTHS) <= at
    if status.tier.value == "A" and not status.on_red_list:
        assert known_long_enough, status.tier_reason
    if status.tier.value == "B":
        assert "months" in status.tier_reason  # too short a known history, or a recent adverse record


@settings(max_examples=200)
@given(subject_facts(), instants)
def test_tier_restrictions_never_reach_an_anchor(facts: SubjectFacts, at: dt.datetime) -> None:
    anchor = dataclasses.replace(facts, kind=SubjectKind.ANCHOR)
    for flag in compute(anchor, at).flags:
        trigger = BY_CODE[flag.measure].trigger
        assert not (isinstance(trigger, TierTrigger) and flag.kind is MeasureKind.RESTRICTION), flag


@settings(max_examples=200)
@given(subject_facts(), instants)
def test_the_red_list_never_holds_a_blacklisted_subject(facts: SubjectFacts, at: dt.datetime) -> None:
    status = compute(facts, at)
    assert not (status.on_red_list and (status.on_serious_dishonest_list or status.on_joint_constraint_list))
