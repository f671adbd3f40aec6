"""Joint restriction flags: the ONLY place they are computed.

`compute_status(facts, catalog, rules, at)` is a pure function of the facts about one subject
(`credithub.domain.facts`), the measures catalog, the rule sets and an instant. It returns the
subject's tier, list membership and flags in force at that instant, each flag saying why it
exists. The same inputs give the same result in any order, computed cold or served from cache.

The rules, in the words of the business (each is a function below or in `tiers`):

1. A record counts while it is in force: it has occurred, it is within its publicity window
   under the rules in force, and it is ACTIVE or OBJECTION_PENDING. Withdrawn, repaired and
   expired records yield nothing; a proposed or dropped listing yields nothing.
2. A record under objection still yields its flags, marked not enforced: measures are not
   applied while information is being verified.
3. Nobody's word becomes everyone's sanction without designation: a mandatory measure for every
   platform arises only from a list entry in force or a public authority's record. A platform's
   own record yields its origin-platform measures and, elsewhere, only recommended ones.
4. Propagation goes one hop along a relation in force, and the flag names it in `via`.
5. A measure applies only to the subject kinds it names, and lasts at most its duration; a tier
   never restricts a natural person (anchors), though tier incentives reach them.
6. The red list and a blacklist never hold the same subject: while blacklisted, a red entry
   counts for nothing.
7. Flags of the same measure, source and path merge, carrying all their records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from credithub.domain.facts import EntryFact, RecordFact, SubjectFacts, forget_repaired
from credithub.domain.lists import BLACKLISTS, ListKind
from credithub.domain.measures import (
    ListTrigger,
    Measure,
    MeasureKind,
    RecordCountTrigger,
    RecordTrigger,
    Scope,
    Tier,
    TierTrigger,
    describe_trigger,
)
from credithub.domain.records import (
    COUNTING_STATUSES,
    Category,
    LegalBasis,
    LegalBasisLevel,
    RecordStatus,
    Severity,
)
from credithub.domain.rules import RuleSet, add_months, select_rule_set
from credithub.domain.spans import Horizon, Span, Via, entry_span, joined, latest_end, min_end, record_span
from credithub.domain.subjects import RelationKind, SubjectKind
from credithub.domain.tiers import ENFORCING_STATUSES, TierInput, TierResult, compute_tier

NOT_ENFORCED_OBJECTION: Final = "OBJECTION_PENDING: measures are not applied while the information is being verified"


@dataclass(frozen=True, slots=True)
class Flag:
    measure: str
    kind: MeasureKind
    mandatory: bool
    scope: Scope
    legal_basis: LegalBasis
    legal_basis_level: LegalBasisLevel
    source_platform: str | None
    source_authority: str | None
    via: Via | None
    record_ids: tuple[int, ...]
    list_entry_ids: tuple[int, ...]
    effective_from: dt.datetime
    effective_until: dt.datetime | None
    enforced: bool
    not_enforced_reason: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class CreditStatus:
    """A subject's standing at `as_of`. Nothing in it changes before `stable_until`."""

    subject_id: int
    as_of: dt.datetime
    rule_set: str
    tier: Tier
    tier_reason: str
    on_serious_dishonest_list: bool
    on_joint_constraint_list: bool
    on_red_list: bool
    flags: tuple[Flag, ...]
    stable_until: dt.datetime | None


@dataclass(frozen=True, slots=True)
class StatusReplaced:
    """The status store takes `after` (computed from facts of `facts_version`) in place of
    `before` (None: nothing stored yet, or in an encoding this version cannot read)."""

    before: CreditStatus | None
    after: CreditStatus
    facts_version: int


def records_in_force(facts: SubjectFacts, rules: RuleSet, at: dt.datetime, horizon: Horizon) -> list[RecordFact]:
    """Rule 1: occurred, within its window under the rules in force, ACTIVE or under objection."""
    found = []
    for record in facts.records:
        end = record.window_end(rules)
        horizon.note(record.occurred_at, end, *(change.at for change in record.history))
        if record.occurred_at <= at and (end is None or at < end) and record.status_at(at) in COUNTING_STATUSES:
            found.append(record)
    return found


def _matches(
    record: RecordFact, categories: frozenset[Category] | None, severities: frozenset[Severity] | None
) -> bool:
    if categories is None and record.category.is_positive:
        return False  # "any category" means any negative one: honours never trigger restrictions
    return (categories is None or record.category in categories) and (
        severities is None or (record.severity is not None and record.severity in severities)
    )


@dataclass(frozen=True, slots=True)
class _Situation:
    """What every measure is weighed against, computed once per status."""

    facts: SubjectFacts
    in_force: Sequence[RecordFact]
    tier: TierResult
    disputed: TierResult  # the tier if every objection failed (the same when none is pending)
    blacklisted: bool
    rules: RuleSet
    at: dt.datetime
    horizon: Horizon

    def entries_on(self, kinds: frozenset[ListKind]) -> list[EntryFact]:
        """Rule 6: while the subject is blacklisted, its red entry counts for nothing."""
        return [e for e in self.facts.entries if e.list in kinds and not (e.list is ListKind.RED and self.blacklisted)]


def _spans_for(measure: Measure, given: _Situation) -> list[Span]:
    """Every reason the measure applies to this subject, before duration and merging."""
    trigger = measure.trigger
    match trigger:
        case ListTrigger(lists=kinds, via=()):
            return [entry_span(e, given.at) for e in given.entries_on(kinds)]
        case ListTrigger(lists=kinds, via=relations):
            return _propagated(kinds, relations, given.facts, given.at, given.horizon)
        case RecordTrigger(categories=categories, severities=severities):
            return [
                record_span(r, given.rules, given.at) for r in given.in_force if _matches(r, categories, severities)
            ]
        case RecordCountTrigger():
            return _counted(trigger, measure.scope, given)
        case TierTrigger(tiers=tiers):
            return _tiered(tiers, given)


def _tiered(tiers: frozenset[Tier], given: _Situation) -> list[Span]:
    """The subject's tier is one of `tiers`. Rule 2 for tiers: a tier that only records under
    objection give still shows its measures, not enforced (every reason of that tier is disputed)."""
    if given.tier.tier in tiers:
        return [_tier_span(given.tier)]
    return [_tier_span(given.disputed)] if given.disputed.tier in tiers else []


def _tier_span(tier: TierResult) -> Span:
    """The tier holds from its earliest reason until its last reason ends."""
    return joined(tier.spans, f"credit tier {tier.tier.value} ({tier.reason})")


def _propagated(
    kinds: frozenset[ListKind],
    relations: tuple[RelationKind, ...],
    facts: SubjectFacts,
    at: dt.datetime,
    horizon: Horizon,
) -> list[Span]:
    """Rule 4: one hop along a relation in force, named in `via`."""
    spans = []
    for related in facts.related:
        horizon.note(related.valid_from, related.valid_to)
        if related.relation not in relations:
            continue
        via = Via(related.relation, related.subject_id, related.subject_kind, related.subject_name)
        for entry in related.entries:
            horizon.note(entry.valid_from, entry.ends_at)
            if entry.list in kinds:
                what = f"{related.relation.value} of {related.subject_name}, which is on the {entry.list.value} list"
                spans.append(entry_span(entry, at, via, related.valid_from, related.valid_to, what))
    return spans


def _counted(trigger: RecordCountTrigger, scope: Scope, given: _Situation) -> list[Span]:
    """Enough matching records within the window (per source platform when the scope is the origin)."""
    spans = []
    for source, records in _within_window(trigger, scope, given).items():
        records.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
        given.horizon.note(*(add_months(r.occurred_at, trigger.window_months) for r in records))
        if len(records) >= trigger.count:
            spans.append(_count_span(trigger, source, records, given))
    return spans


def _within_window(trigger: RecordCountTrigger, scope: Scope, given: _Situation) -> dict[str | None, list[RecordFact]]:
    """The matching records in force that occurred within the window: by source platform when the
    scope is the origin, else all under None."""
    since = add_months(given.at, -trigger.window_months)
    groups: dict[str | None, list[RecordFact]] = defaultdict(list)
    for record in given.in_force:
        if since < record.occurred_at and _matches(record, trigger.categories, trigger.severities):
            groups[record.source_platform if scope is Scope.ORIGIN_PLATFORM else None].append(record)
    return groups


def _count_span(trigger: RecordCountTrigger, source: str | None, records: list[RecordFact], given: _Situation) -> Span:
    """`records` newest first: the newest `count` hold the measure until the oldest of them leaves
    the window or its publicity ends; it is enforced while `count` of all of them are ACTIVE."""
    counted = records[: trigger.count]
    return Span(
        record_ids=tuple(r.id for r in records),
        start=counted[0].occurred_at,
        end=min_end(
            add_months(counted[-1].occurred_at, trigger.window_months),
            *(r.window_end(given.rules) for r in counted),
        ),
        enforced=sum(r.status_at(given.at) is RecordStatus.ACTIVE for r in records) >= trigger.count,
        designated=all(r.from_authority for r in counted),
        source_platform=source if source is not None else _only_platform(records),
        what=f"{len(records)} records within {trigger.window_months} months",
    )


def _only_platform(records: list[RecordFact]) -> str | None:
    """The platform every record came from, when they all came from one."""
    platforms = {r.source_platform for r in records}
    return platforms.pop() if len(platforms) == 1 else None


def _applies_to(measure: Measure, kind: SubjectKind) -> bool:
    """Rule 5: the kinds the measure names; never a tier-triggered restriction on a natural person."""
    if not measure.active or kind not in measure.subject_kinds:
        return False
    tier_restriction = isinstance(measure.trigger, TierTrigger) and measure.kind is MeasureKind.RESTRICTION
    return not (tier_restriction and kind is SubjectKind.ANCHOR)


def _admissible(measure: Measure, span: Span) -> bool:
    """Rule 3: a mandatory restriction on every platform needs a designation behind it."""
    everyone_must = (
        measure.mandatory and measure.kind is MeasureKind.RESTRICTION and measure.scope is Scope.ALL_PLATFORMS
    )
    return span.designated or not everyone_must


def _bounded(span: Span, measure: Measure, horizon: Horizon) -> Span:
    """Rule 5: a measure lasts at most its duration from when its reason began."""
    if measure.duration_months is not None:
        span = span.ending_by(add_months(span.start, measure.duration_months))
    horizon.note(span.start, span.end)
    return span


def _flag(measure: Measure, spans: list[Span]) -> Flag:
    """Rule 7: spans of the same measure, source and path become one flag."""
    first = spans[0]
    enforced = any(span.enforced for span in spans)
    return Flag(
        measure=measure.code,
        kind=measure.kind,
        mandatory=measure.mandatory,
        scope=measure.scope,
        legal_basis=measure.legal_basis,
        legal_basis_level=measure.legal_basis_level,
        source_platform=first.source_platform,
        source_authority=first.source_authority,
        via=first.via,
        record_ids=tuple(sorted({i for span in spans for i in span.record_ids})),
        list_entry_ids=tuple(sorted({i for span in spans for i in span.entry_ids})),
        effective_from=min(span.start for span in spans),
        effective_until=latest_end(span.end for span in spans),
        enforced=enforced,
        not_enforced_reason=None if enforced else NOT_ENFORCED_OBJECTION,
        reason=f"{measure.code}: {describe_trigger(measure.trigger)} — "
        + "; ".join(sorted({span.what for span in spans})),
    )


def _flags_of(measure: Measure, given: _Situation) -> list[Flag]:
    groups: dict[tuple[object, ...], list[Span]] = defaultdict(list)
    for span in _spans_for(measure, given):
        span = _bounded(span, measure, given.horizon)
        if span.covers(given.at) and _admissible(measure, span):
            groups[(span.source_platform, span.source_authority, span.via)].append(span)
    return [_flag(measure, spans) for spans in groups.values()]


def _situation(facts: SubjectFacts, rule_sets: Sequence[RuleSet], at: dt.datetime) -> _Situation:
    rules = select_rule_set(rule_sets, at)
    horizon = Horizon(at)
    horizon.note(*(r.effective_from for r in rule_sets))
    for entry in facts.all_entries():
        horizon.note(entry.valid_from, entry.ends_at, *(c.at for r in entry.records for c in r.history))
    in_force = records_in_force(facts, rules, at, horizon)
    tier = compute_tier(TierInput(facts, in_force, rules, at, ENFORCING_STATUSES, horizon))
    disputed = (  # the same unless a record in force is under objection (the usual case: computed once)
        compute_tier(TierInput(facts, in_force, rules, at, COUNTING_STATUSES, horizon))
        if any(record.status_at(at) is RecordStatus.OBJECTION_PENDING for record in in_force)
        else tier
    )
    blacklisted = any(e.list in BLACKLISTS and e.in_force_at(at) for e in facts.entries)
    return _Situation(facts, in_force, tier, disputed, blacklisted, rules, at, horizon)


def compute_status(
    facts: SubjectFacts, catalog: Iterable[Measure], rule_sets: Sequence[RuleSet], at: dt.datetime
) -> CreditStatus:
    """Tier, list membership and the flags in force at `at`, each saying why it exists.

    A repaired record is gone from every status at every instant (`facts.forget_repaired`): once
    repaired, it is no longer shown or shared, not even through what it caused in the past."""
    given = _situation(forget_repaired(facts), rule_sets, at)
    flags = [flag for measure in catalog if _applies_to(measure, facts.kind) for flag in _flags_of(measure, given)]
    flags.sort(key=_flag_order)

    def on(kind: ListKind) -> bool:
        return any(e.in_force_at(at) for e in given.entries_on(frozenset({kind})))

    return CreditStatus(
        subject_id=facts.subject_id,
        as_of=at,
        rule_set=given.rules.code,
        tier=given.tier.tier,
        tier_reason=given.tier.reason,
        on_serious_dishonest_list=on(ListKind.SERIOUS_DISHONEST),
        on_joint_constraint_list=on(ListKind.JOINT_CONSTRAINT),
        on_red_list=on(ListKind.RED),
        flags=tuple(flags),
        stable_until=given.horizon.soonest,
    )


def _flag_order(flag: Flag) -> tuple[object, ...]:
    via = (flag.via.relation.value, flag.via.subject_id) if flag.via else ("", 0)
    return (
        flag.kind.value,
        flag.measure,
        flag.source_platform or "",
        flag.source_authority or "",
        via,
        flag.effective_from,
    )


def visible_flags(status: CreditStatus, asking_platform: str | None) -> tuple[Flag, ...]:
    """The flags of `status` a client acting for `asking_platform` sees (`is_flag_visible`)."""
    if asking_platform is None:
        return status.flags
    return tuple(f for f in status.flags if is_flag_visible(f.scope, f.source_platform, asking_platform))


def is_flag_visible(scope: Scope, source_platform: str | None, asking_platform: str | None) -> bool:
    """ORIGIN_PLATFORM measures apply only where the asking platform is the source. Clients that
    act for no platform (regulators, dashboards, the subject itself) see every flag. Decided on
    the flag's scope and source alone, so that a stored status is filtered without decoding it."""
    return asking_platform is None or scope is Scope.ALL_PLATFORMS or source_platform == asking_platform


def is_current_at(as_of: dt.datetime, stable_until: dt.datetime | None, at: dt.datetime) -> bool:
    """A status computed at `as_of` answers for `at` too when nothing could change it in between:
    from the instant it was computed until its `stable_until`."""
    return as_of <= at and (stable_until is None or at < stable_until)
