"""Joint restriction flags: the ONLY place they are computed (SPEC §5).

`compute_status(facts, catalog, rules, at)` is a pure function of the facts about one subject
(its records with their status history, its list entries, and its relations one hop away with
those subjects' list entries), the measures catalog, the rule sets and an instant. It returns the
subject's tier, list membership and flags in force at that instant, each flag saying why it
exists. The same inputs give the same result in any order, computed cold or served from cache.

The rules, in the words of the business (each is a function below):

1. A record counts while it is in force: it has occurred, it is within its publicity window
   under the rules in force, and it is ACTIVE or OBJECTION_PENDING. Withdrawn, repaired and
   expired records yield nothing.
2. A record under objection still yields its flags, marked not enforced: measures are not
   applied while information is being verified.
3. Propagation goes one hop along a relation in force, and the flag names it in `via`.
4. A measure applies only to the subject kinds it names, and lasts at most its duration.
5. Flags of the same measure, source and path merge, carrying all their records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from credithub.domain.lists import ListKind
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
from credithub.domain.records import Category, LegalBasis, RecordStatus, Severity
from credithub.domain.rules import RuleSet, add_months, compute_window_end, select_rule_set
from credithub.domain.subjects import RelationKind, SubjectKind

NOT_ENFORCED_OBJECTION = "OBJECTION_PENDING: measures are not applied while the information is being verified"
COUNTING_STATUSES = frozenset({RecordStatus.ACTIVE, RecordStatus.OBJECTION_PENDING})
ENFORCING_STATUSES = frozenset({RecordStatus.ACTIVE})
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# ---- facts in -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusAt:
    """A record entered `status` at `at` (its status history, oldest first)."""

    status: RecordStatus
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class RecordFact:
    id: int
    category: Category
    severity: Severity | None
    occurred_at: dt.datetime
    valid_until: dt.datetime | None
    source_platform: str | None
    source_authority: str | None
    history: tuple[StatusAt, ...]

    def status_at(self, instant: dt.datetime) -> RecordStatus:
        """The stored status in force at `instant`; before any change, the record is ACTIVE."""
        status = RecordStatus.ACTIVE
        for change in self.history:
            if change.at > instant:
                break
            status = change.status
        return status

    def window_end(self, rules: RuleSet) -> dt.datetime | None:
        """When the record stops being shown and producing measures (None: no end)."""
        return compute_window_end(self.severity, self.occurred_at, self.valid_until, rules)


@dataclass(frozen=True, slots=True)
class EntryFact:
    """A list entry with the records it rests on (as facts, for their status)."""

    id: int
    list: ListKind
    authority: str
    valid_from: dt.datetime
    ends_at: dt.datetime | None
    records: tuple[RecordFact, ...]

    def in_force_at(self, instant: dt.datetime) -> bool:
        return self.valid_from <= instant and (self.ends_at is None or instant < self.ends_at)

    def under_objection_at(self, instant: dt.datetime) -> bool:
        """Every record the entry rests on is being verified: the listing itself is in doubt."""
        return bool(self.records) and all(
            record.status_at(instant) is RecordStatus.OBJECTION_PENDING for record in self.records
        )


@dataclass(frozen=True, slots=True)
class RelatedFact:
    """A subject one relation away (an MCN agency that signed this anchor; another company
    the same legal representative represents), with that subject's list entries."""

    relation: RelationKind
    subject_id: int
    subject_kind: SubjectKind
    subject_name: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    entries: tuple[EntryFact, ...]


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    subject_id: int
    kind: SubjectKind
    since: dt.datetime  # when the hub first knew the subject: the start of a clean record
    records: tuple[RecordFact, ...]
    entries: tuple[EntryFact, ...]
    related: tuple[RelatedFact, ...]


# ---- status out -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Via:
    relation: RelationKind
    subject_id: int
    subject_kind: SubjectKind
    subject_name: str


@dataclass(frozen=True, slots=True)
class Flag:
    measure: str
    kind: MeasureKind
    mandatory: bool
    scope: Scope
    legal_basis: LegalBasis
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


# ---- the computation ------------------------------------------------------------------------


@dataclass
class _Span:
    """One reason for a measure: its provenance and the time it covers."""

    record_ids: tuple[int, ...] = ()
    entry_ids: tuple[int, ...] = ()
    start: dt.datetime = EPOCH
    end: dt.datetime | None = None
    enforced: bool = True
    source_platform: str | None = None
    source_authority: str | None = None
    via: Via | None = None
    what: str = ""


@dataclass
class _Horizon:
    """Collects the instants after `at` when the answer could change (for `stable_until`)."""

    at: dt.datetime
    soonest: dt.datetime | None = None

    def note(self, *instants: dt.datetime | None) -> None:
        for instant in instants:
            if instant is not None and instant > self.at and (self.soonest is None or instant < self.soonest):
                self.soonest = instant


@dataclass(frozen=True, slots=True)
class _TierResult:
    tier: Tier
    reason: str
    spans: tuple[_Span, ...]


def _min_end(*ends: dt.datetime | None) -> dt.datetime | None:
    present = [end for end in ends if end is not None]
    return min(present) if present else None


def _covers(span: _Span, at: dt.datetime) -> bool:
    return span.start <= at and (span.end is None or at < span.end)


def records_in_force(facts: SubjectFacts, rules: RuleSet, at: dt.datetime, horizon: _Horizon) -> list[RecordFact]:
    """Rule 1: occurred, within its window under the rules in force, ACTIVE or under objection."""
    found = []
    for record in facts.records:
        end = record.window_end(rules)
        horizon.note(record.occurred_at, end, *(change.at for change in record.history))
        if record.occurred_at <= at and (end is None or at < end) and record.status_at(at) in COUNTING_STATUSES:
            found.append(record)
    return found


def _record_span(record: RecordFact, rules: RuleSet, at: dt.datetime) -> _Span:
    """Rule 2: a record under objection still explains the flag, but does not enforce it."""
    return _Span(
        record_ids=(record.id,),
        start=record.occurred_at,
        end=record.window_end(rules),
        enforced=record.status_at(at) is RecordStatus.ACTIVE,
        source_platform=record.source_platform,
        source_authority=record.source_authority,
        what=f"{(record.severity or 'positive').lower()} {record.category.value} record",
    )


def _entry_span(
    entry: EntryFact,
    at: dt.datetime,
    via: Via | None = None,
    relation_from: dt.datetime | None = None,
    relation_to: dt.datetime | None = None,
) -> _Span:
    start = max(entry.valid_from, relation_from) if relation_from is not None else entry.valid_from
    return _Span(
        record_ids=tuple(record.id for record in entry.records),
        entry_ids=(entry.id,),
        start=start,
        end=_min_end(entry.ends_at, relation_to),
        enforced=not entry.under_objection_at(at),
        source_authority=entry.authority,
        via=via,
        what=f"on the {entry.list.value} list",
    )


def _matches(
    record: RecordFact, categories: frozenset[Category] | None, severities: frozenset[Severity] | None
) -> bool:
    if categories is None and record.category.is_positive:
        return False  # "any category" means any negative one: honours never trigger restrictions
    return (categories is None or record.category in categories) and (
        severities is None or (record.severity is not None and record.severity in severities)
    )


def compute_tier(
    facts: SubjectFacts,
    in_force: Sequence[RecordFact],
    rules: RuleSet,
    at: dt.datetime,
    horizon: _Horizon,
    *,
    counting: frozenset[RecordStatus] = ENFORCING_STATUSES,
) -> _TierResult:
    """D: serious list or serious record in force; C: general record within the C window;
    A: red list, or no adverse record within the clean period; B otherwise. Records under
    objection do not worsen the tier (rule 2) but do keep a subject from A. With `counting`
    including OBJECTION_PENDING, the tier the subject would have if its objections failed: the
    measures of that tier are shown, not enforced (see `compute_status`)."""
    thresholds = rules.tiers
    serious_entries = [e for e in facts.entries if e.list is ListKind.SERIOUS_DISHONEST and e.in_force_at(at)]
    active = [r for r in in_force if r.status_at(at) in counting and r.severity is not None]
    serious = [r for r in active if r.severity is Severity.SERIOUS]
    if serious_entries or serious:
        spans = [_entry_span(e, at) for e in serious_entries] + [_record_span(r, rules, at) for r in serious]
        return _TierResult(Tier.D, "on the serious-dishonest list or a serious record in force", tuple(spans))
    general = [r for r in active if r.severity is Severity.GENERAL]
    recent = [(r, add_months(r.occurred_at, thresholds.c_window_months)) for r in general]
    recent = [(r, end) for r, end in recent if at < end]
    if recent:
        horizon.note(*(end for _, end in recent))
        spans = [_ending_by(_record_span(r, rules, at), end) for r, end in recent]
        return _TierResult(Tier.C, f"a general record within {thresholds.c_window_months} months", tuple(spans))
    red = [e for e in facts.entries if e.list is ListKind.RED and e.in_force_at(at)]
    if red:
        return _TierResult(Tier.A, "on the red list", tuple(_entry_span(e, at) for e in red))
    adverse = [
        r
        for r in facts.records
        if r.severity is not None
        and r.severity not in thresholds.a_ignored_severities
        and r.occurred_at <= at
        and r.status_at(at) in COUNTING_STATUSES
    ]
    latest = max((r.occurred_at for r in adverse), default=None)
    if latest is None:
        # Never an adverse record: clean since the hub has known the subject (or, asked about an
        # earlier instant, for as long as anyone knows).
        horizon.note(facts.since)
        start = facts.since if facts.since <= at else EPOCH
        return _TierResult(Tier.A, "no adverse record", (_Span(start=start, what="a clean record"),))
    clean_from = add_months(latest, thresholds.a_clean_months)
    horizon.note(clean_from)
    if clean_from <= at:
        return _TierResult(
            Tier.A,
            f"no adverse record within {thresholds.a_clean_months} months",
            (_Span(start=clean_from, what="a clean record"),),
        )
    recent_ids = tuple(r.id for r in adverse if r.occurred_at > add_months(at, -thresholds.a_clean_months))
    return _TierResult(
        Tier.B,
        f"an adverse record within {thresholds.a_clean_months} months, none serious or recent",
        (_Span(record_ids=recent_ids, start=latest, end=clean_from, what="a recent adverse record"),),
    )


def _ending_by(span: _Span, end: dt.datetime) -> _Span:
    span.end = _min_end(span.end, end)
    return span


def _tier_span(tier: _TierResult) -> _Span:
    """The tier holds from its earliest reason until its last reason ends."""
    ends = [span.end for span in tier.spans]
    return _Span(
        record_ids=tuple(sorted({i for span in tier.spans for i in span.record_ids})),
        entry_ids=tuple(sorted({i for span in tier.spans for i in span.entry_ids})),
        start=min(span.start for span in tier.spans),
        end=None if any(end is None for end in ends) else max(end for end in ends if end is not None),
        enforced=any(span.enforced for span in tier.spans),
        what=f"credit tier {tier.tier.value} ({tier.reason})",
    )


def _spans_for(
    measure: Measure,
    facts: SubjectFacts,
    in_force: Sequence[RecordFact],
    tier: _TierResult,
    disputed: _TierResult,
    rules: RuleSet,
    at: dt.datetime,
    horizon: _Horizon,
) -> list[_Span]:
    """Every reason the measure applies to this subject, before duration and merging."""
    trigger = measure.trigger
    match trigger:
        case ListTrigger(list=kind, via=()):
            return [_entry_span(e, at) for e in facts.entries if e.list is kind]
        case ListTrigger(list=kind, via=relations):
            return _propagated(kind, relations, facts, at, horizon)
        case RecordTrigger(categories=categories, severities=severities):
            return [_record_span(r, rules, at) for r in in_force if _matches(r, categories, severities)]
        case RecordCountTrigger():
            return _counted(trigger, measure.scope, in_force, rules, at, horizon)
        case TierTrigger(tiers=tiers):
            if tier.tier in tiers:
                return [_tier_span(tier)]
            # Rule 2 for tiers: a tier that only records under objection give still shows its
            # measures, not enforced (every reason of that tier is disputed).
            return [_tier_span(disputed)] if disputed.tier in tiers else []


def _propagated(
    kind: ListKind, relations: tuple[RelationKind, ...], facts: SubjectFacts, at: dt.datetime, horizon: _Horizon
) -> list[_Span]:
    """Rule 3: one hop along a relation in force, named in `via`."""
    spans = []
    for related in facts.related:
        horizon.note(related.valid_from, related.valid_to)
        if related.relation not in relations:
            continue
        via = Via(related.relation, related.subject_id, related.subject_kind, related.subject_name)
        for entry in related.entries:
            horizon.note(entry.valid_from, entry.ends_at)
            if entry.list is kind:
                span = _entry_span(entry, at, via, related.valid_from, related.valid_to)
                span.what = f"{related.relation.value} of {related.subject_name}, which is on the {kind.value} list"
                spans.append(span)
    return spans


def _counted(
    trigger: RecordCountTrigger,
    scope: Scope,
    in_force: Sequence[RecordFact],
    rules: RuleSet,
    at: dt.datetime,
    horizon: _Horizon,
) -> list[_Span]:
    """Enough matching records within the window (per source platform when the scope is the origin)."""
    since = add_months(at, -trigger.window_months)
    groups: dict[str | None, list[RecordFact]] = defaultdict(list)
    for record in in_force:
        if since < record.occurred_at and _matches(record, trigger.categories, trigger.severities):
            groups[record.source_platform if scope is Scope.ORIGIN_PLATFORM else None].append(record)
    spans = []
    for source, records in groups.items():
        records.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
        horizon.note(*(add_months(r.occurred_at, trigger.window_months) for r in records))
        if len(records) < trigger.count:
            continue
        counted = records[: trigger.count]
        enforced = sum(r.status_at(at) is RecordStatus.ACTIVE for r in records) >= trigger.count
        platforms = {r.source_platform for r in records}
        spans.append(
            _Span(
                record_ids=tuple(r.id for r in records),
                start=counted[0].occurred_at,
                end=_min_end(
                    add_months(counted[-1].occurred_at, trigger.window_months), *(r.window_end(rules) for r in counted)
                ),
                enforced=enforced,
                source_platform=source if source is not None else (platforms.pop() if len(platforms) == 1 else None),
                what=f"{len(records)} records within {trigger.window_months} months",
            )
        )
    return spans


def _flag(measure: Measure, spans: list[_Span]) -> Flag:
    """Rule 5: spans of the same measure, source and path become one flag."""
    first = spans[0]
    enforced = any(span.enforced for span in spans)
    ends = [span.end for span in spans]
    return Flag(
        measure=measure.code,
        kind=measure.kind,
        mandatory=measure.mandatory,
        scope=measure.scope,
        legal_basis=measure.legal_basis,
        source_platform=first.source_platform,
        source_authority=first.source_authority,
        via=first.via,
        record_ids=tuple(sorted({i for span in spans for i in span.record_ids})),
        list_entry_ids=tuple(sorted({i for span in spans for i in span.entry_ids})),
        effective_from=min(span.start for span in spans),
        effective_until=None if any(end is None for end in ends) else max(e for e in ends if e is not None),
        enforced=enforced,
        not_enforced_reason=None if enforced else NOT_ENFORCED_OBJECTION,
        reason=f"{measure.code}: {describe_trigger(measure.trigger)} — "
        + "; ".join(sorted({span.what for span in spans})),
    )


def _bounded(span: _Span, measure: Measure, horizon: _Horizon) -> _Span:
    """Rule 4: a measure lasts at most its duration from when its reason began."""
    if measure.duration_months is not None:
        span.end = _min_end(span.end, add_months(span.start, measure.duration_months))
    horizon.note(span.start, span.end)
    return span


def _repaired(record: RecordFact) -> bool:
    return bool(record.history) and record.history[-1].status is RecordStatus.REPAIRED


def _entries_without_repaired(entries: tuple[EntryFact, ...]) -> tuple[EntryFact, ...]:
    kept = []
    for entry in entries:
        remaining = tuple(record for record in entry.records if not _repaired(record))
        if entry.records and not remaining:
            continue  # the listing rested on repaired records alone
        kept.append(entry if len(remaining) == len(entry.records) else dataclasses.replace(entry, records=remaining))
    return tuple(kept)


def forget_repaired(facts: SubjectFacts) -> SubjectFacts:
    """The facts without the records repaired since (their latest status is REPAIRED), nor the
    list entries — the subject's or a related subject's — that rested on such records alone."""
    touched = any(_repaired(r) for r in facts.records) or any(
        _repaired(r) for e in facts.entries + tuple(e for rel in facts.related for e in rel.entries) for r in e.records
    )
    if not touched:
        return facts  # the usual case: nothing to copy
    return dataclasses.replace(
        facts,
        records=tuple(record for record in facts.records if not _repaired(record)),
        entries=_entries_without_repaired(facts.entries),
        related=tuple(
            dataclasses.replace(related, entries=_entries_without_repaired(related.entries))
            for related in facts.related
        ),
    )


def compute_status(
    facts: SubjectFacts, catalog: Iterable[Measure], rule_sets: Sequence[RuleSet], at: dt.datetime
) -> CreditStatus:
    """Tier, list membership and the flags in force at `at`, each saying why it exists.

    A repaired record is gone from every status at every instant (`forget_repaired`): once
    repaired, it is no longer shown or shared, not even through what it caused in the past."""
    facts = forget_repaired(facts)
    rules = select_rule_set(rule_sets, at)
    horizon = _Horizon(at)
    horizon.note(*(r.effective_from for r in rule_sets))
    for entry in facts.entries + tuple(e for related in facts.related for e in related.entries):
        horizon.note(entry.valid_from, entry.ends_at, *(c.at for r in entry.records for c in r.history))
    in_force = records_in_force(facts, rules, at, horizon)
    tier = compute_tier(facts, in_force, rules, at, horizon)
    disputed = (  # the same unless a record in force is under objection (the usual case: computed once)
        compute_tier(facts, in_force, rules, at, horizon, counting=COUNTING_STATUSES)
        if any(record.status_at(at) is RecordStatus.OBJECTION_PENDING for record in in_force)
        else tier
    )
    flags: list[Flag] = []
    for measure in catalog:
        if not measure.active or facts.kind not in measure.subject_kinds:
            continue
        groups: dict[tuple[object, ...], list[_Span]] = defaultdict(list)
        for span in _spans_for(measure, facts, in_force, tier, disputed, rules, at, horizon):
            span = _bounded(span, measure, horizon)
            if _covers(span, at):
                groups[(span.source_platform, span.source_authority, span.via)].append(span)
        flags.extend(_flag(measure, spans) for spans in groups.values())
    flags.sort(key=_flag_order)
    return CreditStatus(
        subject_id=facts.subject_id,
        as_of=at,
        rule_set=rules.code,
        tier=tier.tier,
        tier_reason=tier.reason,
        on_serious_dishonest_list=any(
            e.list is ListKind.SERIOUS_DISHONEST and e.in_force_at(at) for e in facts.entries
        ),
        on_red_list=any(e.list is ListKind.RED and e.in_force_at(at) for e in facts.entries),
        flags=tuple(flags),
        stable_until=horizon.soonest,
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
    """ORIGIN_PLATFORM measures apply only where the asking platform is the source. Clients that
    act for no platform (regulators, dashboards) see every flag."""
    if asking_platform is None:
        return status.flags
    return tuple(f for f in status.flags if f.scope is Scope.ALL_PLATFORMS or f.source_platform == asking_platform)
