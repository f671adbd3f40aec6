"""Versioned rule sets: publicity windows by severity and tier thresholds, keyed by the date
they take effect (2019 NDRC notice 527, 2023 NDRC Order 58, 2026 NDRC Order 36).

The rules are data (the `rule_sets` table, seeded by a migration), never constants here. The
rule set in force at the instant asked about governs: a status as of 2024 uses the 2023 rules,
one as of today the 2026 rules. Windows are calendar months from the record's decision date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from credithub.domain.errors import InvalidValue
from credithub.domain.records import COUNTING_STATUSES, CreditRecord, RecordStatus, Severity, compute_shown_status


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    """The same day-of-month `months` later, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    if instant.day <= 28:  # every month has it: the hot path (this runs ~10 times per status)
        return instant.replace(year=year, month=month)
    day = min(instant.day, calendar.monthrange(year, month)[1])
    return instant.replace(year=year, month=month, day=day)


@dataclass(frozen=True, slots=True)
class PublicityWindow:
    """How long a record of one severity is shown and shared.

    `min_months`: the earliest a subject may apply for repair; `max_months`: when it stops
    being shown and stops producing measures; `published`: whether other platforms see it."""

    published: bool
    min_months: int
    max_months: int


@dataclass(frozen=True, slots=True)
class TierThresholds:
    """Credit tiers: D (a blacklist or serious record in force), C (general record in force
    within `c_window_months`), A (red list, or at least `a_known_months` of known history with no
    adverse record within `a_clean_months`, ignoring `a_ignored_severities`), B otherwise."""

    c_window_months: int
    a_clean_months: int
    a_ignored_severities: frozenset[Severity]
    a_known_months: int = 36


@dataclass(frozen=True, slots=True)
class RuleSet:
    code: str
    name: str
    effective_from: dt.datetime
    windows: Mapping[Severity, PublicityWindow]
    tiers: TierThresholds
    repair_excluded_categories: frozenset[str] = frozenset()  # category names the law keeps from repair
    red_list_max_months: int = 36  # the longest a red-list entry may last

    def window(self, severity: Severity) -> PublicityWindow:
        return self.windows[severity]


def select_rule_set(rule_sets: Sequence[RuleSet], at: dt.datetime) -> RuleSet:
    """The rule set in force at `at`: the latest that took effect by then (the earliest before any)."""
    ordered = sorted(rule_sets, key=lambda rules: rules.effective_from)
    if not ordered:
        raise ValueError("no rule sets configured")
    in_force = [rules for rules in ordered if rules.effective_from <= at]
    return in_force[-1] if in_force else ordered[0]


def parse_rule_set(code: str, name: str, effective_from: dt.datetime, body: Mapping[str, Any]) -> RuleSet:
    """A rule set from its stored JSON: {"windows": {severity: {...}}, "tiers": {...}}."""
    try:
        windows = {
            Severity(severity): PublicityWindow(
                published=bool(window["published"]),
                min_months=int(window["min_months"]),
                max_months=int(window["max_months"]),
            )
            for severity, window in body["windows"].items()
        }
        tiers = body["tiers"]
        thresholds = TierThresholds(
            c_window_months=int(tiers["c_window_months"]),
            a_clean_months=int(tiers["a_clean_months"]),
            a_ignored_severities=frozenset(Severity(s) for s in tiers.get("a_ignored_severities", [])),
            a_known_months=int(tiers.get("a_known_months", 36)),
        )
        red_list_max_months = int(body.get("lists", {}).get("red_max_months", 36))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidValue(f"rule set {code} is malformed: {exc}", field="rules") from exc
    if set(windows) != set(Severity):
        raise InvalidValue(f"rule set {code} must define a window for every severity", field="rules")
    for severity, window in windows.items():
        if not 0 <= window.min_months <= window.max_months:
            raise InvalidValue(f"rule set {code}: {severity} window must have 0 <= min <= max", field="rules")
    excluded = body.get("repair", {}).get("excluded_categories", [])
    return RuleSet(
        code=code,
        name=name,
        effective_from=effective_from,
        windows=windows,
        tiers=thresholds,
        repair_excluded_categories=frozenset(str(category) for category in excluded),
        red_list_max_months=red_list_max_months,
    )


def compute_window_end(
    severity: Severity | None, counts_from: dt.datetime, valid_until: dt.datetime | None, rules: RuleSet
) -> dt.datetime | None:
    """When a record stops being shown and producing measures: the end of its maximum publicity
    window, run from when it counts (its decision date when the source gives one, see
    `records.compute_counts_from`), or the source's own end if earlier: what is shared never
    outlives what the source publishes. Positive records (no severity) last as long as the
    source says (None: no end). `rules` is the rule set in force at the instant asked about
    (docs/adr/0004, 0010). Twin of the SQL function `record_window_end`."""
    if severity is None:
        return valid_until
    end = add_months(counts_from, rules.window(severity).max_months)
    return min(end, valid_until) if valid_until is not None else end


def compute_shown_record_status(record: CreditRecord, rules: RuleSet, at: dt.datetime) -> RecordStatus:
    """The status a record shows at `at`: its stored status, or EXPIRED once past its window."""
    window_end = compute_window_end(record.severity, record.counts_from, record.valid_until, rules)
    return compute_shown_status(record.status, window_end, at)


def record_counts_at(record: CreditRecord, rules: RuleSet, at: dt.datetime) -> bool:
    """Whether a record counts at `at` — grounds a listing, holds one up, keeps a red entry out:
    it counts from then (`counts_from`: its decision date, else when it occurred) and the status
    it shows then is ACTIVE or under objection (not withdrawn or repaired, and not EXPIRED past
    its publicity window). The one rule for the workflows; the engine applies the same to a
    record's status history (`flags.records_in_force`)."""
    return record.counts_from <= at and compute_shown_record_status(record, rules, at) in COUNTING_STATUSES
