"""The measures catalog: every restriction or incentive, what triggers it, and on what basis.

A measure is data (the `measures` table), edited by admins. What can trigger one:

    ListTrigger         the subject is on a list (or, with `via`, a subject one relation away is)
    RecordTrigger       a record in force of the given categories and severities
    RecordCountTrigger  at least `count` such records that occurred within `window_months`
    TierTrigger         the subject's credit tier is one of `tiers`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from credithub.domain.errors import InvalidValue
from credithub.domain.lists import ListKind
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.subjects import RelationKind, SubjectKind
from credithub.domain.texts import check_storable

MEASURE_CODE_MAX = 64


class MeasureKind(StrEnum):
    RESTRICTION = "RESTRICTION"
    INCENTIVE = "INCENTIVE"


class Scope(StrEnum):
    ALL_PLATFORMS = "ALL_PLATFORMS"
    ORIGIN_PLATFORM = "ORIGIN_PLATFORM"


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    D = "D"


@dataclass(frozen=True, slots=True)
class ListTrigger:
    list: ListKind
    via: tuple[RelationKind, ...] = ()  # empty: the subject's own entries; else one hop along these


@dataclass(frozen=True, slots=True)
class RecordTrigger:
    categories: frozenset[Category] | None  # None: any category
    severities: frozenset[Severity] | None  # None: any severity


@dataclass(frozen=True, slots=True)
class RecordCountTrigger:
    categories: frozenset[Category] | None
    severities: frozenset[Severity] | None
    count: int
    window_months: int


@dataclass(frozen=True, slots=True)
class TierTrigger:
    tiers: frozenset[Tier]


Trigger = ListTrigger | RecordTrigger | RecordCountTrigger | TierTrigger


@dataclass(frozen=True, slots=True)
class Measure:
    code: str
    kind: MeasureKind
    mandatory: bool
    legal_basis: LegalBasis
    description: str
    subject_kinds: frozenset[SubjectKind]
    scope: Scope
    trigger: Trigger
    duration_months: int | None  # None: as long as the trigger holds
    active: bool = True


def _enum_set(raw: Any, enum: type[Any], name: str) -> frozenset[Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        raise InvalidValue(f"trigger.{name} must be a non-empty list or null", field=f"trigger.{name}")
    try:
        return frozenset(enum(value) for value in raw)
    except ValueError as exc:
        raise InvalidValue(f"trigger.{name}: {exc}", field=f"trigger.{name}") from None


def _positive(raw: Any, name: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 1:
        raise InvalidValue(f"trigger.{name} must be a whole number of at least 1", field=f"trigger.{name}")
    return raw


def parse_trigger(raw: Mapping[str, Any]) -> Trigger:
    """A trigger from its JSON form, e.g. {"type": "LIST", "list": "SERIOUS_DISHONEST", "via": ["MCN_SIGNING"]}."""
    kind = raw.get("type")
    try:
        match kind:
            case "LIST":
                via = tuple(RelationKind(value) for value in raw.get("via") or ())
                return ListTrigger(list=ListKind(raw["list"]), via=via)
            case "RECORD":
                return RecordTrigger(
                    _enum_set(raw.get("categories"), Category, "categories"),
                    _enum_set(raw.get("severities"), Severity, "severities"),
                )
            case "RECORD_COUNT":
                return RecordCountTrigger(
                    _enum_set(raw.get("categories"), Category, "categories"),
                    _enum_set(raw.get("severities"), Severity, "severities"),
                    count=_positive(raw.get("count"), "count"),
                    window_months=_positive(raw.get("window_months"), "window_months"),
                )
            case "TIER":
                tiers = _enum_set(raw.get("tiers"), Tier, "tiers")
                if tiers is None:
                    raise InvalidValue("trigger.tiers must list at least one tier", field="trigger.tiers")
                return TierTrigger(tiers)
    except KeyError as exc:
        raise InvalidValue(f"trigger needs {exc.args[0]!r}", field="trigger") from None
    except ValueError as exc:
        raise InvalidValue(f"trigger: {exc}", field="trigger") from None
    raise InvalidValue("trigger.type must be LIST, RECORD, RECORD_COUNT or TIER", field="trigger.type")


def format_trigger(trigger: Trigger) -> dict[str, Any]:
    """The JSON form `parse_trigger` reads."""

    def values(items: frozenset[Any] | None) -> list[str] | None:
        return sorted(item.value for item in items) if items is not None else None

    match trigger:
        case ListTrigger(list=kind, via=via):
            return {"type": "LIST", "list": kind.value, "via": [relation.value for relation in via]}
        case RecordTrigger(categories=categories, severities=severities):
            return {"type": "RECORD", "categories": values(categories), "severities": values(severities)}
        case RecordCountTrigger(categories=categories, severities=severities, count=count, window_months=window):
            return {
                "type": "RECORD_COUNT",
                "categories": values(categories),
                "severities": values(severities),
                "count": count,
                "window_months": window,
            }
        case TierTrigger(tiers=tiers):
            return {"type": "TIER", "tiers": values(tiers)}


def describe_trigger(trigger: Trigger) -> str:
    """A sentence for people: what makes this measure apply."""

    def names(items: frozenset[Any] | None, anything: str) -> str:
        return "/".join(sorted(item.value for item in items)) if items else anything

    match trigger:
        case ListTrigger(list=kind, via=()):
            return f"on the {kind.value} list"
        case ListTrigger(list=kind, via=via):
            return f"related by {' or '.join(relation.value for relation in via)} to a subject on the {kind.value} list"
        case RecordTrigger(categories=categories, severities=severities):
            return f"a {names(severities, 'any-severity')} {names(categories, 'negative')} record in force"
        case RecordCountTrigger(categories=categories, severities=severities, count=count, window_months=window):
            return (
                f"at least {count} {names(severities, 'any-severity')} {names(categories, 'negative')} records "
                f"within {window} months"
            )
        case TierTrigger(tiers=tiers):
            return f"credit tier {names(tiers, '')}"


def parse_measure(
    *,
    code: str,
    kind: str,
    mandatory: bool,
    legal_basis: str,
    legal_basis_ref: str | None,
    description: str,
    subject_kinds: list[str],
    scope: str,
    trigger: Mapping[str, Any],
    duration_months: int | None,
    active: bool = True,
) -> Measure:
    """Validate a catalog entry. A measure without a legal basis cannot exist."""
    code = code.strip().upper()
    if not code or len(code) > MEASURE_CODE_MAX or not all(c.isascii() and (c.isalnum() or c == "_") for c in code):
        raise InvalidValue("code must be 1-64 letters, digits or underscores", field="code")
    if not legal_basis.strip():
        raise InvalidValue("every measure needs a legal basis", field="legalBasis")
    check_storable(legal_basis, "legalBasis")
    check_storable(legal_basis_ref or "", "legalBasisReference")
    check_storable(description, "description")
    if not subject_kinds:
        raise InvalidValue("a measure must apply to at least one kind of subject", field="subjectKinds")
    if duration_months is not None and duration_months < 1:
        raise InvalidValue(
            "duration must be at least one month, or null for as long as the trigger holds", field="durationMonths"
        )
    try:
        measure_kind, measure_scope = MeasureKind(kind), Scope(scope)
        kinds = frozenset(SubjectKind(value) for value in subject_kinds)
    except ValueError as exc:
        raise InvalidValue(str(exc), field="measure") from None
    parsed = parse_trigger(trigger)
    if isinstance(parsed, ListTrigger) and parsed.via and measure_kind is MeasureKind.INCENTIVE:
        raise InvalidValue("incentives do not propagate along relations", field="trigger.via")
    return Measure(
        code=code,
        kind=measure_kind,
        mandatory=mandatory,
        legal_basis=LegalBasis(legal_basis.strip(), legal_basis_ref.strip() if legal_basis_ref else None),
        description=description.strip(),
        subject_kinds=kinds,
        scope=measure_scope,
        trigger=parsed,
        duration_months=duration_months,
        active=active,
    )
