"""Who hears of a status change, and how announcements fit in NOTIFY payloads."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from credithub.domain import status_feed
from credithub.domain.flags import CreditStatus, Flag
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.domain.status_feed import StatusChanged, compute_status_changed, decode_payload, encode_payloads
from credithub.services.read_models import platform_status_view

AT = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)


def status(tier: Tier = Tier.A, *flags: Flag, listed: bool = False) -> CreditStatus:
    return CreditStatus(
        subject_id=7,
        as_of=AT,
        rule_set="test",
        tier=tier,
        tier_reason="test",
        on_serious_dishonest_list=listed,
        on_joint_constraint_list=False,
        on_red_list=False,
        flags=flags,
        stable_until=None,
    )


def flag(measure: str, scope: Scope, source: str | None, *, enforced: bool = True) -> Flag:
    return Flag(
        measure=measure,
        kind=MeasureKind.RESTRICTION,
        mandatory=False,
        scope=scope,
        legal_basis=LegalBasis("platform rule", None),
        legal_basis_level=LegalBasisLevel.PLATFORM_RULE,
        source_platform=source,
        source_authority=None if source else "SAMR",
        via=None,
        record_ids=(1,),
        list_entry_ids=(),
        effective_from=AT,
        effective_until=None,
        enforced=enforced,
        not_enforced_reason=None if enforced else "under objection",
        reason="test",
    )


def audience(before: CreditStatus | None, after: CreditStatus) -> dict[str | None, bool]:
    announced = compute_status_changed(before, after, 3, AT, platform_status_view)
    return {who: announced is not None and announced.visible_to(who) for who in (None, "shopmall", "livewave")}


def test_a_flag_every_platform_sees_is_news_to_everyone() -> None:
    added = status(Tier.C, flag("LIVE_STREAM_BAN", Scope.ALL_PLATFORMS, "shopmall"))
    assert audience(status(Tier.C), added) == {None: True, "shopmall": True, "livewave": True}


def test_a_flag_scoped_to_its_source_is_news_only_to_that_platform_and_to_regulators() -> None:
    added = status(Tier.B, flag("SHOP_WARNING", Scope.ORIGIN_PLATFORM, "shopmall"))
    assert audience(status(Tier.B), added) == {None: True, "shopmall": True, "livewave": False}


def test_a_flag_that_stops_being_enforced_is_news() -> None:
    ban = flag("LIVE_STREAM_BAN", Scope.ALL_PLATFORMS, "shopmall")
    paused = dataclasses.replace(ban, enforced=False, not_enforced_reason="under objection")
    assert audience(status(Tier.D, ban), status(Tier.D, paused)) == {None: True, "shopmall": True, "livewave": True}


def test_joining_a_list_is_news_even_when_nothing_else_changes() -> None:
    assert all(audience(status(Tier.D), status(Tier.D, listed=True)).values())


def test_the_same_status_again_is_not_news() -> None:
    same = status(Tier.C, flag("LIVE_STREAM_BAN", Scope.ALL_PLATFORMS, "shopmall"))
    assert compute_status_changed(same, same, 3, AT, platform_status_view) is None


def test_a_first_status_is_news_only_when_it_is_not_clean() -> None:
    assert compute_status_changed(None, status(Tier.A), 1, AT, platform_status_view) is None
    assert compute_status_changed(None, status(Tier.C), 1, AT, platform_status_view) is not None


announcements = st.builds(
    StatusChanged,
    subject_id=st.integers(1, 2**62),
    facts_version=st.integers(0, 2**31),
    at=st.just(AT),
    for_all=st.booleans(),
    for_other_platforms=st.booleans(),
    platforms=st.dictionaries(st.text(min_size=1, max_size=32), st.booleans(), max_size=3),
)


@given(st.lists(announcements, max_size=400))
def test_payloads_stay_under_the_notify_limit_and_carry_every_announcement_in_order(
    items: list[StatusChanged],
) -> None:
    payloads = list(encode_payloads(items))
    assert all(len(payload.encode()) < status_feed.PAYLOAD_LIMIT for payload in payloads)
    assert [item for payload in payloads for item in decode_payload(payload)] == items
