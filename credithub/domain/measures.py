"""The measures catalog: every restriction or incentive, what triggers it, and on what basis.

A measure is data (the `measures` table), edited by admins. What can trigger one:

    ListTrigger         the subject is on one of the lists (or, with `via`, a subject one relation away is)
    RecordTrigger       a record in force of the given categories and severities
    RecordCountTrigger  at least `count` such records that occurred within `window_months`
    TierTrigger         the subject's credit tier is one of `tiers`
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from credithub.domain.errors import InvalidValue, LegalBasisInsufficient
from credithub.domain.lists import ListKind
from credithub.domain.records import Category, LegalBasis, LegalBasisLevel, Severity
from credithub.domain.subjects import RelationKind, SubjectKind
from credithub.domain.texts import check_storable

MEASURE_CODE_MAX = 64
# A code reads like ONBOARDING_BAN: upper-case words of letters and digits joined by single underscores.
MEASURE_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


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
    lists: frozenset[ListKind]
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
    legal_basis_level: LegalBasisLevel
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


def _lists(raw: Mapping[str, Any]) -> frozenset[ListKind]:
    """`lists` (one or more), or `list` (one), as the catalog and older documents give them."""
    given = raw.get("lists") or ([raw["list"]] if raw.get("list") else None)
    if not given:
        raise InvalidValue("a LIST trigger names at least one list", field="trigger.lists")
    return frozenset(ListKind(value) for value in given)


def parse_trigger(raw: Mapping[str, Any]) -> Trigger:
    """A trigger from its JSON form, e.g. {"type": "LIST", "list": "SERIOUS_DISHONEST", "via": ["MCN_SIGNING"]}."""
    kind = raw.get("type")
    try:
        match kind:
            case "LIST":
                via = tuple(RelationKind(value) for value in raw.get("via") or ())
                return ListTrigger(lists=_lists(raw), via=via)
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
        case ListTrigger(lists=kinds, via=via):
            return {"type": "LIST", "lists": values(kinds), "via": [relation.value for relation in via]}
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
        case ListTrigger(lists=kinds, via=()):
            return f"on the {names(kinds, '')} list"
        case ListTrigger(lists=kinds, via=via):
            relations = " or ".join(relation.value for relation in via)
            return f"related by {relations} to a subject on the {names(kinds, '')} list"
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
    legal_basis_level: str,
    description: str,
    subject_kinds: list[str],
    scope: str,
    trigger: Mapping[str, Any],
    duration_months: int | None,
    active: bool = True,
) -> Measure:
    """Validate a catalog entry. A measure without a legal basis cannot exist; a mandatory
    restriction needs a law, an administrative regulation or a local regulation behind it; a
    tier never restricts a natural person."""
    code = _parse_code(code)
    _check_texts(legal_basis, legal_basis_ref, description)
    if not subject_kinds:
        raise InvalidValue("a measure must apply to at least one kind of subject", field="subjectKinds")
    _check_duration(duration_months)
    try:
        measure_kind, measure_scope = MeasureKind(kind), Scope(scope)
        kinds = frozenset(SubjectKind(value) for value in subject_kinds)
        level = LegalBasisLevel(legal_basis_level)
    except ValueError as exc:
        raise InvalidValue(str(exc), field="measure") from None
    if mandatory and measure_kind is MeasureKind.RESTRICTION:
        _check_may_mandate(level)
    parsed = parse_trigger(trigger)
    _check_trigger_fits(parsed, measure_kind, kinds)
    return Measure(
        code=code,
        kind=measure_kind,
        mandatory=mandatory,
        legal_basis=LegalBasis(legal_basis.strip(), legal_basis_ref.strip() if legal_basis_ref else None),
        legal_basis_level=level,
        description=description.strip(),
        subject_kinds=kinds,
        scope=measure_scope,
        trigger=parsed,
        duration_months=duration_months,
        active=active,
    )


def _parse_code(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) > MEASURE_CODE_MAX or not MEASURE_CODE.fullmatch(code):
        raise InvalidValue(
            "code must look like ONBOARDING_BAN: up to 64 upper-case letters and digits, words joined by single "
            "underscores, starting with a letter",
            field="code",
        )
    return code


def _check_texts(legal_basis: str, legal_basis_ref: str | None, description: str) -> None:
    if not legal_basis.strip():
        raise InvalidValue("every measure needs a legal basis", field="legalBasis")
    check_storable(legal_basis, "legalBasis")
    check_storable(legal_basis_ref or "", "legalBasisReference")
    check_storable(description, "description")


def _check_duration(duration_months: int | None) -> None:
    if duration_months is not None and duration_months < 1:
        raise InvalidValue(
            "duration must be at least one month, or null for as long as the trigger holds", field="durationMonths"
        )


def _check_may_mandate(level: LegalBasisLevel) -> None:
    """A mandatory restriction needs a law, an administrative regulation or a local regulation."""
    if not level.may_mandate_restrictions:
        raise LegalBasisInsufficient(
            f"a mandatory restriction needs a law, an administrative regulation or a local regulation; "
            f"a {level.value} may only ground a recommended one",
            level=level.value,
        )


def _check_trigger_fits(trigger: Trigger, kind: MeasureKind, subject_kinds: frozenset[SubjectKind]) -> None:
    """Incentives do not propagate; a tier never restricts a natural person."""
    if isinstance(trigger, ListTrigger) and trigger.via and kind is MeasureKind.INCENTIVE:
        raise InvalidValue("incentives do not propagate along relations", field="trigger.via")
    if isinstance(trigger, TierTrigger) and kind is MeasureKind.RESTRICTION and SubjectKind.ANCHOR in subject_kinds:
        raise InvalidValue("tier-triggered restrictions never apply to natural persons (anchors)", field="subjectKinds")
