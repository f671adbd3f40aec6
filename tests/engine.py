"""Inputs for engine tests: a catalog and rule sets written for the tests, and fact builders."""

from __future__ import annotations

import datetime as dt
from itertools import count
from typing import Any

from credithub.domain.facts import EntryFact, RecordFact, RelatedFact, StatusAt, SubjectFacts
from credithub.domain.lists import ListKind
from credithub.domain.measures import Measure, parse_measure
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.rules import RuleSet, parse_rule_set
from credithub.domain.subjects import RelationKind, SubjectKind

UTC = dt.UTC
_ids = count(1000)

TIERS: dict[str, Any] = {"c_window_months": 12, "a_clean_months": 36, "a_ignored_severities": ["MINOR"]}
RULE_SETS: tuple[RuleSet, ...] = (
    parse_rule_set(
        "R2019",
        "NDRC 527",
        dt.datetime(2019, 7, 1, tzinfo=UTC),
        {
            "windows": {
                "MINOR": {"published": False, "min_months": 0, "max_months": 3},
                "GENERAL": {"published": True, "min_months": 3, "max_months": 12},
                "SERIOUS": {"published": True, "min_months": 6, "max_months": 36},
            },
            "tiers": TIERS,
        },
    ),
    parse_rule_set(
        "R2023",
        "Order 58",
        dt.datetime(2023, 5, 1, tzinfo=UTC),
        {
            "windows": {
                "MINOR": {"published": False, "min_months": 0, "max_months": 3},
                "GENERAL": {"published": True, "min_months": 3, "max_months": 36},
                "SERIOUS": {"published": True, "min_months": 12, "max_months": 36},
            },
            "tiers": TIERS,
        },
    ),
    parse_rule_set(
        "R2026",
        "Order 36",
        dt.datetime(2026, 4, 1, tzinfo=UTC),
        {
            "windows": {
                "MINOR": {"published": False, "min_months": 0, "max_months": 3},
                "GENERAL": {"published": True, "min_months": 3, "max_months": 12},
                "SERIOUS": {"published": True, "min_months": 12, "max_months": 36},
            },
            "tiers": TIERS,
        },
    ),
)

ALL_KINDS = ["MERCHANT", "ANCHOR", "MCN_AGENCY"]


def measure(
    code: str,
    trigger: dict[str, Any],
    *,
    kind: str = "RESTRICTION",
    mandatory: bool = True,
    kinds: list[str] | None = None,
    scope: str = "ALL_PLATFORMS",
    months: int | None = None,
    level: str | None = None,
) -> Measure:
    return parse_measure(
        code=code,
        kind=kind,
        mandatory=mandatory,
        legal_basis=f"basis of {code}",
        legal_basis_ref=None,
        legal_basis_level=level or ("LAW" if mandatory else "NORMATIVE_DOCUMENT"),
        description=code,
        subject_kinds=kinds or ALL_KINDS,
        scope=scope,
        trigger=trigger,
        duration_months=months,
    )


CATALOG: tuple[Measure, ...] = (
    measure("ONBOARDING_BAN", {"type": "LIST", "list": "SERIOUS_DISHONEST"}),
    measure(
        "LIVE_STREAM_BAN",
        {"type": "RECORD", "categories": ["ILLEGAL_CONTENT", "DATA_FRAUD"], "severities": ["SERIOUS"]},
        kinds=["ANCHOR"],
        months=12,
    ),
    measure("SIGNING_BAN", {"type": "LIST", "list": "SERIOUS_DISHONEST"}, mandatory=False, kinds=["MCN_AGENCY"]),
    measure(
        "WITHDRAWAL_HOLD",
        {"type": "RECORD", "categories": ["COUNTERFEIT_GOODS"], "severities": None},
        mandatory=False,
        scope="ORIGIN_PLATFORM",
        months=3,
    ),
    measure(
        "TRAFFIC_LIMIT",
        {"type": "RECORD", "categories": None, "severities": ["MINOR"]},
        mandatory=False,
        scope="ORIGIN_PLATFORM",
        months=1,
    ),
    measure(
        "CAMPAIGN_EXCLUSION", {"type": "TIER", "tiers": ["C", "D"]}, mandatory=False, kinds=["MERCHANT", "MCN_AGENCY"]
    ),
    measure(
        "ENHANCED_REVIEW",
        {
            "type": "RECORD_COUNT",
            "categories": None,
            "severities": ["GENERAL", "SERIOUS"],
            "count": 3,
            "window_months": 12,
        },
        mandatory=False,
    ),
    measure(
        "ASSOCIATED_RISK_REVIEW",
        {"type": "LIST", "list": "SERIOUS_DISHONEST", "via": ["MCN_SIGNING", "LEGAL_REPRESENTATIVE"]},
        mandatory=False,
    ),
    measure("GREEN_CHANNEL", {"type": "LIST", "list": "RED"}, kind="INCENTIVE", mandatory=False),
    measure(
        "DEPOSIT_REDUCTION", {"type": "TIER", "tiers": ["A"]}, kind="INCENTIVE", mandatory=False, kinds=["MERCHANT"]
    ),
)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


def record(
    occurred: dt.datetime,
    *,
    category: Category = Category.COUNTERFEIT_GOODS,
    severity: Severity | None = Severity.GENERAL,
    platform: str | None = "shopmall",
    changes: tuple[tuple[RecordStatus, dt.datetime], ...] = (),
    valid_until: dt.datetime | None = None,
) -> RecordFact:
    history = (StatusAt(RecordStatus.ACTIVE, occurred), *(StatusAt(status, when) for status, when in changes))
    return RecordFact(
        id=next(_ids),
        category=category,
        severity=severity,
        occurred_at=occurred,
        valid_until=valid_until,
        source_platform=platform,
        source_authority=None if platform else "杭州市市场监督管理局",
        history=history,
    )


def entry(kind: ListKind, since: dt.datetime, *records: RecordFact, ends: dt.datetime | None = None) -> EntryFact:
    return EntryFact(
        id=next(_ids), list=kind, authority="国家市场监督管理总局", valid_from=since, ends_at=ends, records=records
    )


SINCE_2018 = dt.datetime(2018, 1, 1, 12, tzinfo=UTC)
SINCE_2020 = dt.datetime(2020, 1, 1, 12, tzinfo=UTC)


def related(
    relation: RelationKind,
    kind: SubjectKind,
    *entries: EntryFact,
    since: dt.datetime = SINCE_2020,
    until: dt.datetime | None = None,
    name: str = "Related Co",
) -> RelatedFact:
    return RelatedFact(
        relation=relation,
        subject_id=next(_ids),
        subject_kind=kind,
        subject_name=name,
        valid_from=since,
        valid_to=until,
        entries=entries,
    )


def facts(
    kind: SubjectKind = SubjectKind.MERCHANT,
    *,
    records: tuple[RecordFact, ...] = (),
    entries: tuple[EntryFact, ...] = (),
    related_to: tuple[RelatedFact, ...] = (),
    since: dt.datetime = SINCE_2018,
) -> SubjectFacts:
    return SubjectFacts(
        subject_id=next(_ids), kind=kind, since=since, records=records, entries=entries, related=related_to
    )
