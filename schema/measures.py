"""The measures catalog: every restriction and incentive, its trigger and its legal basis."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Final

import strawberry

from credithub.domain import measures
from schema.credit_status import CreditTier, MeasureKind, MeasureScope
from schema.enums import CreditList, LegalBasisLevel, RelationKind, SubjectKind
from schema.errors import InvalidValueError, LegalBasisInsufficientError, NotFoundError, PermissionDeniedError
from schema.records import RecordCategory, Severity


@strawberry.enum(description="What makes a measure apply.")
class TriggerType(StrEnum):
    LIST = "LIST"
    RECORD = "RECORD"
    RECORD_COUNT = "RECORD_COUNT"
    TIER = "TIER"


@strawberry.type(description="A measure's trigger; fields that do not belong to its type are null.")
class MeasureTrigger:
    type: TriggerType
    description: str
    lists: list[CreditList] | None
    via: list[RelationKind] | None
    categories: list[RecordCategory] | None
    severities: list[Severity] | None
    count: int | None
    window_months: int | None
    tiers: list[CreditTier] | None

    @strawberry.field(name="list", deprecation_reason="A LIST trigger may name several lists: use lists.")
    def first_list(self) -> CreditList | None:
        return self.lists[0] if self.lists else None

    @classmethod
    def from_domain(cls, trigger: measures.Trigger) -> MeasureTrigger:
        raw = measures.format_trigger(trigger)
        return cls(
            type=TriggerType(raw["type"]),
            description=measures.describe_trigger(trigger),
            lists=raw.get("lists"),
            via=raw.get("via"),
            categories=raw.get("categories"),
            severities=raw.get("severities"),
            count=raw.get("count"),
            window_months=raw.get("window_months"),
            tiers=raw.get("tiers"),
        )


@strawberry.type(description="One row of the measures catalog.")
class Measure:
    code: str
    kind: MeasureKind
    mandatory: bool
    legal_basis: str
    legal_basis_reference: str | None
    legal_basis_level: LegalBasisLevel
    description: str
    subject_kinds: list[SubjectKind]
    scope: MeasureScope
    trigger: MeasureTrigger
    duration_months: int | None = strawberry.field(description="Null: as long as the trigger holds.")
    active: bool

    @classmethod
    def from_domain(cls, measure: measures.Measure) -> Measure:
        return cls(
            code=measure.code,
            kind=measure.kind,
            mandatory=measure.mandatory,
            legal_basis=measure.legal_basis.text,
            legal_basis_reference=measure.legal_basis.reference,
            legal_basis_level=measure.legal_basis_level,
            description=measure.description,
            subject_kinds=sorted(measure.subject_kinds),
            scope=measure.scope,
            trigger=MeasureTrigger.from_domain(measure.trigger),
            duration_months=measure.duration_months,
            active=measure.active,
        )


@strawberry.input(description="A trigger: give the fields its type needs (see MeasureTrigger).")
class MeasureTriggerInput:
    type: TriggerType
    lists: list[CreditList] | None = strawberry.field(default=None, description="LIST: the subject is on any of these.")
    via: list[RelationKind] | None = None
    categories: list[RecordCategory] | None = None
    severities: list[Severity] | None = None
    count: int | None = None
    window_months: int | None = None
    tiers: list[CreditTier] | None = None

    def to_raw(self) -> dict[str, Any]:
        def values(items: list[Any] | None) -> list[str] | None:
            return [str(item) for item in items] if items is not None else None

        return {
            "type": self.type.value,
            "lists": values(self.lists),
            "via": values(self.via),
            "categories": values(self.categories),
            "severities": values(self.severities),
            "count": self.count,
            "window_months": self.window_months,
            "tiers": values(self.tiers),
        }


@strawberry.input(description="Create or replace a catalog entry. A measure without a legal basis cannot exist.")
class MeasureInput:
    code: str
    kind: MeasureKind
    mandatory: bool
    legal_basis: str
    legal_basis_reference: str | None = None
    legal_basis_level: LegalBasisLevel = strawberry.field(
        description="A mandatory restriction needs LAW, ADMINISTRATIVE_REGULATION or LOCAL_REGULATION."
    )
    description: str = ""
    subject_kinds: list[SubjectKind]
    scope: MeasureScope
    trigger: MeasureTriggerInput
    duration_months: int | None = None
    active: bool = True

    def to_fields(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": str(self.kind),
            "mandatory": self.mandatory,
            "legal_basis": self.legal_basis,
            "legal_basis_ref": self.legal_basis_reference,
            "legal_basis_level": str(self.legal_basis_level),
            "description": self.description,
            "subject_kinds": [str(kind) for kind in self.subject_kinds],
            "scope": str(self.scope),
            "trigger": self.trigger.to_raw(),
            "duration_months": self.duration_months,
            "active": self.active,
        }


@strawberry.type
class SaveMeasureSuccess:
    measure: Measure


@strawberry.type
class SetMeasureActiveSuccess:
    measure: Measure


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
SAVE_MEASURE_ERRORS: Final = (InvalidValueError, LegalBasisInsufficientError, PermissionDeniedError)
SaveMeasureResult = Annotated[
    SaveMeasureSuccess | InvalidValueError | LegalBasisInsufficientError | PermissionDeniedError,
    strawberry.union("SaveMeasureResult"),
]
SET_MEASURE_ACTIVE_ERRORS: Final = (NotFoundError, PermissionDeniedError)
SetMeasureActiveResult = Annotated[
    SetMeasureActiveSuccess | NotFoundError | PermissionDeniedError, strawberry.union("SetMeasureActiveResult")
]
