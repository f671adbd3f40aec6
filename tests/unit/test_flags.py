"""Golden scenarios for the restriction engine: one case per rule of how records, lists and measures
yield flags, and how those flags propagate."""

from __future__ import annotations

import dataclasses
import datetime as dt

from credithub.domain.flags import NOT_ENFORCED_OBJECTION, CreditStatus, Flag, compute_status, visible_flags
from credithub.domain.lists import EndCause, ListKind
from credithub.domain.measures import MeasureKind, Tier
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.subjects import RelationKind, SubjectKind
from tests.engine import CATALOG, RULE_SETS, at, entry, facts, record, related

NOW = at(2026, 11, 1)


def status(subject_facts, when: dt.datetime = NOW) -> CreditStatus:  # type: ignore[no-untyped-def]
    return compute_status(subject_facts, CATALOG, RULE_SETS, when)


def flags_named(result: CreditStatus, measure: str) -> list[Flag]:
    return [flag for flag in result.flags if flag.measure == measure]


def restrictions(result: CreditStatus) -> list[str]:
    return [flag.measure for flag in result.flags if flag.kind is MeasureKind.RESTRICTION]


def test_an_mcn_agency_on_the_blacklist_puts_a_recommended_review_on_its_signed_anchors() -> None:
    listing = entry(ListKind.SERIOUS_DISHONEST, at(2026, 3, 1))
    agency = related(RelationKind.MCN_SIGNING, SubjectKind.MCN_AGENCY, listing, name="星辰传媒")
    [flag] = flags_named(status(facts(SubjectKind.ANCHOR, related_to=(agency,))), "ASSOCIATED_RISK_REVIEW")
    assert flag.via is not None
    assert (flag.via.relation, flag.via.subject_id, flag.via.subject_name) == (
        RelationKind.MCN_SIGNING,
        agency.subject_id,
        "星辰传媒",
    )
    assert flag.mandatory is False
    assert flag.list_entry_ids == (listing.id,)
    assert flag.enforced


def test_a_signing_that_ended_before_the_instant_carries_nothing() -> None:
    agency = related(
        RelationKind.MCN_SIGNING,
        SubjectKind.MCN_AGENCY,
        entry(ListKind.SERIOUS_DISHONEST, at(2026, 3, 1)),
        since=at(2024, 1, 1),
        until=at(2026, 6, 1),
    )
    anchor = facts(SubjectKind.ANCHOR, related_to=(agency,))
    assert flags_named(status(anchor), "ASSOCIATED_RISK_REVIEW") == []
    assert len(flags_named(status(anchor, at(2026, 5, 1)), "ASSOCIATED_RISK_REVIEW")) == 1


def test_a_legal_representative_carries_a_listing_to_the_other_companies_he_represents() -> None:
    sibling = related(
        RelationKind.LEGAL_REPRESENTATIVE,
        SubjectKind.MERCHANT,
        entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1)),
        name="锦绣服饰有限公司",
    )
    result = status(facts(SubjectKind.MERCHANT, related_to=(sibling,)))
    [flag] = flags_named(result, "ASSOCIATED_RISK_REVIEW")
    assert flag.via is not None
    assert flag.via.relation is RelationKind.LEGAL_REPRESENTATIVE
    assert flags_named(result, "ONBOARDING_BAN") == []  # the listing itself does not travel
    assert result.on_serious_dishonest_list is False


def test_a_live_stream_ban_on_an_authority_record_follows_the_person_to_every_platform() -> None:
    ban = record(at(2026, 8, 1), category=Category.ILLEGAL_CONTENT, severity=Severity.SERIOUS, platform=None)
    result = status(facts(SubjectKind.ANCHOR, records=(ban,)))
    for asking in ("livewave", "shopmall", None):
        assert [flag.measure for flag in visible_flags(result, asking) if flag.measure == "LIVE_STREAM_BAN"] == [
            "LIVE_STREAM_BAN"
        ]


def test_one_platforms_serious_report_puts_no_mandatory_measure_on_anyone() -> None:
    report = record(at(2026, 8, 1), category=Category.ILLEGAL_CONTENT, severity=Severity.SERIOUS, platform="livewave")
    result = status(facts(SubjectKind.ANCHOR, records=(report,)))
    assert [flag.measure for flag in result.flags if flag.mandatory] == []
    assert result.tier is Tier.D  # the record still counts: for its tier and recommended measures


def test_an_origin_platform_measure_applies_only_where_the_asking_platform_is_the_source() -> None:
    result = status(facts(records=(record(at(2026, 10, 1), platform="shopmall"),)))
    assert [f.measure for f in visible_flags(result, "shopmall") if f.measure == "WITHDRAWAL_HOLD"] == [
        "WITHDRAWAL_HOLD"
    ]
    assert [f.measure for f in visible_flags(result, "bazaar") if f.measure == "WITHDRAWAL_HOLD"] == []
    assert [f.measure for f in visible_flags(result, None) if f.measure == "WITHDRAWAL_HOLD"] == ["WITHDRAWAL_HOLD"]


def test_a_record_under_objection_still_shows_its_flags_but_they_are_not_enforced() -> None:
    disputed = record(at(2026, 10, 1), changes=((RecordStatus.OBJECTION_PENDING, at(2026, 10, 5)),))
    [flag] = flags_named(status(facts(records=(disputed,))), "WITHDRAWAL_HOLD")
    assert flag.enforced is False
    assert flag.not_enforced_reason == NOT_ENFORCED_OBJECTION
    [before] = flags_named(status(facts(records=(disputed,)), at(2026, 10, 3)), "WITHDRAWAL_HOLD")
    assert before.enforced is True


def test_a_tier_that_only_a_disputed_record_gives_shows_its_measures_not_enforced() -> None:
    disputed = record(
        at(2026, 9, 1), severity=Severity.SERIOUS, changes=((RecordStatus.OBJECTION_PENDING, at(2026, 10, 5)),)
    )
    result = status(facts(records=(disputed,)))
    assert result.tier is Tier.B  # an objection does not worsen the tier, nor leave it clean
    [flag] = flags_named(result, "CAMPAIGN_EXCLUSION")  # a measure of tier D, where it would stand
    assert flag.enforced is False
    assert flag.not_enforced_reason == NOT_ENFORCED_OBJECTION
    assert flag.record_ids == (disputed.id,)
    [before] = flags_named(status(facts(records=(disputed,)), at(2026, 10, 1)), "CAMPAIGN_EXCLUSION")
    assert before.enforced is True


def test_one_undisputed_reason_is_enough_to_enforce() -> None:
    disputed = record(at(2026, 10, 1), changes=((RecordStatus.OBJECTION_PENDING, at(2026, 10, 5)),))
    solid = record(at(2026, 10, 2))
    [flag] = flags_named(status(facts(records=(disputed, solid))), "WITHDRAWAL_HOLD")
    assert flag.enforced is True
    assert flag.record_ids == tuple(sorted((disputed.id, solid.id)))


def test_repaired_and_withdrawn_records_yield_nothing() -> None:
    for final in (RecordStatus.REPAIRED, RecordStatus.WITHDRAWN):
        gone = record(at(2026, 10, 1), severity=Severity.SERIOUS, changes=((final, at(2026, 10, 20)),))
        result = status(facts(records=(gone,)))
        assert restrictions(result) == []
        assert result.tier is Tier.A


def test_a_withdrawn_record_counted_until_it_was_withdrawn_but_a_repaired_one_is_gone_from_the_past_too() -> None:
    withdrawn = record(
        at(2026, 10, 1), severity=Severity.SERIOUS, changes=((RecordStatus.WITHDRAWN, at(2026, 10, 20)),)
    )
    assert status(facts(records=(withdrawn,)), at(2026, 10, 10)).tier is Tier.D
    repaired = record(at(2026, 10, 1), severity=Severity.SERIOUS, changes=((RecordStatus.REPAIRED, at(2026, 10, 20)),))
    before = status(facts(records=(repaired,)), at(2026, 10, 10))  # no longer shared, not even as history
    assert (before.tier, restrictions(before)) == (Tier.A, [])


def test_a_listing_its_authority_ended_by_repair_is_gone_from_the_past_too() -> None:
    repaired = record(at(2026, 9, 1), severity=Severity.SERIOUS, changes=((RecordStatus.REPAIRED, at(2026, 10, 20)),))
    other = record(at(2026, 9, 2), severity=Severity.SERIOUS)
    alone = dataclasses.replace(
        entry(ListKind.SERIOUS_DISHONEST, at(2026, 9, 5), repaired, ends=at(2026, 10, 20)), end_cause=EndCause.REPAIRED
    )
    assert not status(facts(records=(repaired,), entries=(alone,)), at(2026, 10, 10)).on_serious_dishonest_list
    # Repaired by someone else, the listing is its authority's own act: it stands until that authority ends it.
    standing = entry(ListKind.SERIOUS_DISHONEST, at(2026, 9, 5), repaired, ends=at(2027, 9, 1))
    kept = status(facts(records=(repaired,), entries=(standing,)), at(2026, 10, 25))
    assert kept.on_serious_dishonest_list
    assert all(repaired.id not in flag.record_ids for flag in kept.flags)  # the repaired record itself is not shared
    shared = entry(ListKind.SERIOUS_DISHONEST, at(2026, 9, 5), repaired, other)
    assert status(facts(records=(repaired, other), entries=(shared,)), at(2026, 10, 10)).on_serious_dishonest_list


def test_a_record_past_its_publicity_window_yields_nothing() -> None:
    old = record(at(2025, 9, 1), category=Category.FALSE_ADVERTISING)  # general: 12 months under the 2026 rules
    result = status(facts(records=(old,)))
    assert result.tier is Tier.B
    assert result.flags == ()  # B earns no incentive either


def test_a_status_as_of_2024_uses_the_rules_then_in_force() -> None:
    # General records were shown for up to 36 months under Order 58 (2023), 12 under Order 36 (2026).
    general = record(at(2022, 6, 1), category=Category.FAKE_TRANSACTIONS)
    subject = facts(records=(general, record(at(2022, 7, 1)), record(at(2022, 8, 1))))
    as_of_2024 = status(subject, at(2024, 3, 1))
    assert as_of_2024.rule_set == "R2023"
    assert as_of_2024.tier is Tier.B
    assert status(subject, at(2022, 9, 1)).rule_set == "R2019"
    assert restrictions(status(subject, at(2022, 9, 1))) == ["CAMPAIGN_EXCLUSION", "ENHANCED_REVIEW", "WITHDRAWAL_HOLD"]


def test_an_instant_before_the_record_shows_nothing_of_it() -> None:
    result = status(facts(records=(record(at(2026, 10, 1), severity=Severity.SERIOUS),)), at(2026, 9, 30))
    assert (restrictions(result), result.tier) == ([], Tier.A)


def test_a_measure_lasts_at_most_its_duration() -> None:
    minor = record(at(2026, 9, 1), category=Category.PLATFORM_RULE, severity=Severity.MINOR)
    [flag] = flags_named(status(facts(records=(minor,)), at(2026, 9, 20)), "TRAFFIC_LIMIT")
    assert flag.effective_until == at(2026, 10, 1)
    assert restrictions(status(facts(records=(minor,)), at(2026, 10, 2))) == []


def test_three_records_within_a_year_trigger_enhanced_review_and_two_do_not() -> None:
    three = tuple(record(at(2026, month, 1), category=Category.CONSUMER_RIGHTS) for month in (3, 6, 9))
    assert len(flags_named(status(facts(records=three)), "ENHANCED_REVIEW")) == 1
    assert flags_named(status(facts(records=three[:2])), "ENHANCED_REVIEW") == []


def test_tiers_follow_lists_and_records() -> None:
    listed = facts(entries=(entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1)),))
    assert (status(listed).tier, status(listed).on_serious_dishonest_list) == (Tier.D, True)
    assert status(facts(records=(record(at(2026, 2, 1)),))).tier is Tier.C
    assert status(facts()).tier is Tier.A
    red = facts(entries=(entry(ListKind.RED, at(2025, 1, 1)),), records=(record(at(2025, 1, 1)),))
    assert (status(red).tier, status(red).on_red_list) == (Tier.A, True)
    assert [f.measure for f in status(red).flags] == ["DEPOSIT_REDUCTION", "GREEN_CHANNEL"]
    assert [f.measure for f in status(facts(SubjectKind.ANCHOR)).flags] == []  # deposit reduction is for merchants


def test_a_minor_record_does_not_cost_the_clean_tier() -> None:
    minor = record(at(2026, 10, 20), severity=Severity.MINOR)
    assert status(facts(records=(minor,))).tier is Tier.A


def test_measures_apply_only_to_the_kinds_they_name() -> None:
    listed_merchant = status(facts(SubjectKind.MERCHANT, entries=(entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1)),)))
    listed_agency = status(facts(SubjectKind.MCN_AGENCY, entries=(entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1)),)))
    assert "SIGNING_BAN" not in {f.measure for f in listed_merchant.flags}
    assert "SIGNING_BAN" in {f.measure for f in listed_agency.flags}


def test_a_listing_resting_only_on_disputed_records_is_not_enforced() -> None:
    disputed = record(
        at(2025, 12, 1), severity=Severity.SERIOUS, changes=((RecordStatus.OBJECTION_PENDING, at(2026, 10, 1)),)
    )
    listed = facts(records=(disputed,), entries=(entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1), disputed),))
    [flag] = flags_named(status(listed), "ONBOARDING_BAN")
    assert flag.enforced is False


def test_flags_come_in_a_stable_order_and_say_why() -> None:
    subject = facts(
        SubjectKind.MCN_AGENCY,
        records=(record(at(2026, 10, 1)),),
        entries=(entry(ListKind.SERIOUS_DISHONEST, at(2026, 1, 1)),),
    )
    result = status(subject)
    assert [f.measure for f in result.flags] == [
        "CAMPAIGN_EXCLUSION",
        "ONBOARDING_BAN",
        "SIGNING_BAN",
        "WITHDRAWAL_HOLD",
    ]
    assert all(flag.reason.startswith(flag.measure + ":") for flag in result.flags)
