"""Credit tiers for differentiated management: A best, D worst. Thresholds are data (the rule
set in force); the rules are tried in order and the first that holds decides:

1. D — on a blacklist (serious-dishonest or inter-platform) or a serious record in force;
2. C — a general record within `c_window_months`;
3. A — on the red list (which never holds a blacklisted subject);
4. A — at least `a_known_months` of known history and no adverse record within `a_clean_months`;
5. B — otherwise, saying why not A (too short a history, or a recent adverse record).

Tiers are earned: a subject first seen a moment ago is B, not A. Records under objection do not
worsen the tier, but keep a subject from A. Counted with OBJECTION_PENDING too, the same rules
give the tier the subject would have if its objections failed (its measures are shown, not
enforced).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from credithub.domain.facts import RecordFact, SubjectFacts
from credithub.domain.lists import BLACKLISTS, ListKind
from credithub.domain.measures import Tier
from credithub.domain.records import COUNTING_STATUSES, RecordStatus, Severity
from credithub.domain.rules import RuleSet, add_months
from credithub.domain.spans import Horizon, Span, entry_span, record_span

ENFORCING_STATUSES: Final = frozenset({RecordStatus.ACTIVE})


@dataclass(frozen=True, slots=True)
class TierResult:
    tier: Tier
    reason: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class TierInput:
    facts: SubjectFacts
    in_force: Sequence[RecordFact]  # records in force at `at` (see flags.records_in_force)
    rules: RuleSet
    at: dt.datetime
    counting: frozenset[RecordStatus]
    horizon: Horizon

    def active(self, severity: Severity) -> list[RecordFact]:
        return [r for r in self.in_force if r.severity is severity and r.status_at(self.at) in self.counting]


def blacklisted_or_serious(given: TierInput) -> TierResult | None:
    entries = [e for e in given.facts.entries if e.list in BLACKLISTS and e.in_force_at(given.at)]
    serious = given.active(Severity.SERIOUS)
    if not entries and not serious:
        return None
    spans = [entry_span(e, given.at) for e in entries] + [record_span(r, given.rules, given.at) for r in serious]
    return TierResult(Tier.D, "on a blacklist or a serious record in force", tuple(spans))


def general_recently(given: TierInput) -> TierResult | None:
    months = given.rules.tiers.c_window_months
    recent = [(r, add_months(r.occurred_at, months)) for r in given.active(Severity.GENERAL)]
    recent = [(r, end) for r, end in recent if given.at < end]
    if not recent:
        return None
    given.horizon.note(*(end for _, end in recent))
    spans = tuple(record_span(r, given.rules, given.at).ending_by(end) for r, end in recent)
    return TierResult(Tier.C, f"a general record within {months} months", spans)


def red_listed(given: TierInput) -> TierResult | None:
    red = [e for e in given.facts.entries if e.list is ListKind.RED and e.in_force_at(given.at)]
    if not red:
        return None
    return TierResult(Tier.A, "on the red list", tuple(entry_span(e, given.at) for e in red))


def _adverse(given: TierInput) -> list[RecordFact]:
    ignored = given.rules.tiers.a_ignored_severities
    return [
        r
        for r in given.facts.records
        if r.severity is not None
        and r.severity not in ignored
        and r.occurred_at <= given.at
        and r.status_at(given.at) in COUNTING_STATUSES
    ]


def clean_and_known(given: TierInput) -> TierResult | None:
    """A clean record is earned: long enough known, and long enough without an adverse record."""
    thresholds = given.rules.tiers
    known_from = add_months(given.facts.known_since, thresholds.a_known_months)
    latest = max((r.occurred_at for r in _adverse(given)), default=None)
    clean_from = add_months(latest, thresholds.a_clean_months) if latest is not None else known_from
    earned_from = max(known_from, clean_from)
    given.horizon.note(earned_from)
    if given.at < earned_from:
        return None
    reason = (
        f"no adverse record within {thresholds.a_clean_months} months"
        if latest is not None
        else f"known for at least {thresholds.a_known_months} months with no adverse record"
    )
    return TierResult(Tier.A, reason, (Span(start=earned_from, what="a clean record"),))


def otherwise(given: TierInput) -> TierResult:
    thresholds = given.rules.tiers
    known_from = add_months(given.facts.known_since, thresholds.a_known_months)
    adverse = _adverse(given)
    if given.at < known_from and not adverse:
        return TierResult(
            Tier.B,
            f"known to the hub for less than {thresholds.a_known_months} months: tier A is earned",
            (Span(start=given.facts.known_since, end=known_from, what="a short known history"),),
        )
    latest = max(r.occurred_at for r in adverse) if adverse else given.facts.known_since
    window_start = add_months(given.at, -thresholds.a_clean_months)
    recent_ids = tuple(r.id for r in adverse if r.occurred_at > window_start)
    return TierResult(
        Tier.B,
        f"an adverse record within {thresholds.a_clean_months} months, none serious or recent",
        (
            Span(
                record_ids=recent_ids,
                start=latest,
                end=max(known_from, add_months(latest, thresholds.a_clean_months)),
                what="a recent adverse record",
            ),
        ),
    )


TIER_RULES: Final[tuple[Callable[[TierInput], TierResult | None], ...]] = (
    blacklisted_or_serious,
    general_recently,
    red_listed,
    clean_and_known,
)


def compute_tier(given: TierInput) -> TierResult:
    """The first rule that holds decides (see the module docstring)."""
    for rule in TIER_RULES:
        result = rule(given)
        if result is not None:
            return result
    return otherwise(given)
