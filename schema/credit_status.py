"""Credit status and joint restriction flags, as computed per query.

A status taken from the status store reaches GraphQL still in its stored form
(`StoredCreditStatus`): `STORED_FIELDS` on each type says how each field it names is answered
from that form, as the JSON the field answers with, and the execution context
(`credithub/entrypoints/projection.py`) splices a selection of those fields straight into the
answer. Any other selection gets `StoredCreditStatus.materialize()`, the `CreditStatus` that
`from_domain` builds. tests/integration/test_splice.py holds both to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Annotated, Any, ClassVar, Final, cast

import strawberry

from credithub.domain import executions, ids, measures, status_codec
from credithub.domain import flags as domain_flags
from credithub.domain.executions import compute_latest_per_platform
from credithub.domain.read_models import StatusView, StoredStatusView
from credithub.domain.spans import Via
from schema.context import Info
from schema.enums import LegalBasisLevel, RelationKind, SubjectKind
from schema.errors import InvalidIdentifierError, StatusUnavailableError, UnknownSubjectError

StoredReader = Callable[[Any], Any]
"""A field's answer (its JSON) read from a stored form, or for an object field the stored form
of the object(s) it holds."""

CreditTier = measures.Tier
strawberry.enum(CreditTier, name="CreditTier", description="Differentiated management: A best, D worst.")
MeasureKind = measures.MeasureKind
strawberry.enum(MeasureKind, description="A restriction or an incentive.")
MeasureScope = measures.Scope
strawberry.enum(MeasureScope, description="Every platform, or only the platform that reported.")


# ---- answers from the stored form (status_codec.STORED) --------------------------------------


def _graphql_names(enum: type[Enum]) -> Callable[[Any], str]:
    """An enum's stored value (the member's value) → its name in GraphQL (the member's name)."""
    return {member.value: member.name for member in enum}.__getitem__


def _stored(cls: type, name: str, inner: str | None = None, then: StoredReader | None = None) -> StoredReader:
    """A reader of the field `name` of `cls`'s stored form, its value passed through `then`."""
    key = status_codec.stored_key(cls, name, inner)
    if then is None:
        return lambda raw: raw[key]
    convert = then
    return lambda raw: convert(raw[key])


def _optional(then: StoredReader) -> StoredReader:
    return lambda value: None if value is None else then(value)


def _ids(kind: ids.IdKind) -> StoredReader:
    return lambda numbers: [ids.format_id(kind, number) for number in numbers]


_VIA_RELATION: Final = _stored(Via, "relation", then=_graphql_names(RelationKind))

# Instants: the codec writes `isoformat()`, which is what the DateTime scalar (schema/scalars.py) answers with.
_VIA_SUBJECT_FIELDS: Final[Mapping[str, StoredReader]] = {
    "id": _stored(Via, "subject_id", then=lambda number: ids.format_id(ids.IdKind.SUBJECT, number)),
    "kind": _stored(Via, "subject_kind", then=_graphql_names(SubjectKind)),
    "name": _stored(Via, "subject_name"),
}
_FLAG_FIELDS: Final[Mapping[str, StoredReader]] = {
    "measure": _stored(domain_flags.Flag, "measure"),
    "kind": _stored(domain_flags.Flag, "kind", then=_graphql_names(measures.MeasureKind)),
    "mandatory": _stored(domain_flags.Flag, "mandatory"),
    "enforced": _stored(domain_flags.Flag, "enforced"),
    "notEnforcedReason": _stored(domain_flags.Flag, "not_enforced_reason"),
    "scope": _stored(domain_flags.Flag, "scope", then=_graphql_names(measures.Scope)),
    "legalBasis": _stored(domain_flags.Flag, "legal_basis", "text"),
    "legalBasisReference": _stored(domain_flags.Flag, "legal_basis", "reference"),
    "legalBasisLevel": _stored(domain_flags.Flag, "legal_basis_level", then=_graphql_names(LegalBasisLevel)),
    "sourcePlatform": _stored(domain_flags.Flag, "source_platform"),
    "sourceAuthority": _stored(domain_flags.Flag, "source_authority"),
    "via": _stored(domain_flags.Flag, "via", then=_optional(_VIA_RELATION)),
    "viaSubject": _stored(domain_flags.Flag, "via"),  # read by _VIA_SUBJECT_FIELDS
    "recordIds": _stored(domain_flags.Flag, "record_ids", then=_ids(ids.IdKind.RECORD)),
    "listEntryIds": _stored(domain_flags.Flag, "list_entry_ids", then=_ids(ids.IdKind.LIST_ENTRY)),
    "effectiveFrom": _stored(domain_flags.Flag, "effective_from"),
    "effectiveUntil": _stored(domain_flags.Flag, "effective_until"),
    "reason": _stored(domain_flags.Flag, "reason"),
}


def _status(name: str, then: StoredReader | None = None) -> StoredReader:
    """A reader of the field `name` of a StoredCreditStatus's stored status."""
    key = status_codec.stored_key(domain_flags.CreditStatus, name)
    if then is None:
        return lambda status: status.view.stored[key]
    convert = then
    return lambda status: convert(status.view.stored[key])


_STATUS_FIELDS: Final[Mapping[str, StoredReader]] = {
    "subjectId": lambda status: ids.format_id(ids.IdKind.SUBJECT, status.view.subject_id),
    "creditCode": lambda status: status.credit_code,
    "tier": _status("tier", then=_graphql_names(measures.Tier)),
    "tierReason": _status("tier_reason"),
    "onSeriousDishonestList": _status("on_serious_dishonest_list"),
    "onJointConstraintList": _status("on_joint_constraint_list"),
    "onRedList": _status("on_red_list"),
    "flags": lambda status: status.view.flags,  # those the viewer may see; read by _FLAG_FIELDS
    "asOf": lambda status: status.view.as_of.isoformat(),
    "ruleSet": _status("rule_set"),
    "stableUntil": _status("stable_until"),
}


@strawberry.type(description="The subject one relation away that a propagated flag comes from.")
class ViaSubject:
    id: strawberry.ID
    kind: SubjectKind
    name: str

    STORED_FIELDS: ClassVar[Mapping[str, StoredReader]] = _VIA_SUBJECT_FIELDS


ExecutionAction = executions.ExecutionAction
strawberry.enum(ExecutionAction, description="A platform applied or lifted a measure.")


@strawberry.type(description="A platform's report that it applied or lifted a measure.")
class MeasureExecution:
    platform: str
    measure: str
    action: ExecutionAction
    executed_at: dt.datetime
    reported_at: dt.datetime
    note: str | None

    @classmethod
    def from_domain(cls, execution: executions.MeasureExecution) -> MeasureExecution:
        return cls(
            platform=execution.platform,
            measure=execution.measure,
            action=execution.action,
            executed_at=execution.executed_at,
            reported_at=execution.reported_at,
            note=execution.note,
        )


@strawberry.type(description="One measure in force for the subject, with why it exists.")
class RestrictionFlag:
    measure: str = strawberry.field(description="Measure code in the catalog, e.g. ONBOARDING_BAN.")
    kind: MeasureKind
    mandatory: bool = strawberry.field(description="Required by law (true) or recommended (false).")
    enforced: bool = strawberry.field(description="False while every reason for it is under objection.")
    not_enforced_reason: str | None
    scope: MeasureScope
    legal_basis: str
    legal_basis_reference: str | None
    legal_basis_level: LegalBasisLevel = strawberry.field(
        description="The rank of the measure's legal basis: only LAW, ADMINISTRATIVE_REGULATION and "
        "LOCAL_REGULATION make a restriction mandatory."
    )
    source_platform: str | None = strawberry.field(description="The platform that reported the reason, if any.")
    source_authority: str | None = strawberry.field(description="The authority behind the reason, if any.")
    via: RelationKind | None = strawberry.field(
        description="The relation the flag propagated along; null when it is the subject's own."
    )
    via_subject: ViaSubject | None
    record_ids: list[strawberry.ID]
    list_entry_ids: list[strawberry.ID]
    effective_from: dt.datetime
    effective_until: dt.datetime | None
    reason: str = strawberry.field(description="Why the flag exists, in words.")
    subject_id: strawberry.Private[int]

    STORED_FIELDS: ClassVar[Mapping[str, StoredReader]] = _FLAG_FIELDS

    @strawberry.field(
        description="Where each platform stands with this measure for the subject, as it reported "
        "(execution feedback): its latest report, platforms in code order."
    )
    async def executions(self, info: Info) -> list[MeasureExecution]:
        found = await info.context.loaders.executions.load(self.subject_id)
        return [MeasureExecution.from_domain(item) for item in compute_latest_per_platform(found, self.measure)]

    @classmethod
    def from_domain(cls, flag: domain_flags.Flag, subject_id: int) -> RestrictionFlag:
        via = flag.via
        return cls(
            measure=flag.measure,
            kind=flag.kind,
            mandatory=flag.mandatory,
            enforced=flag.enforced,
            not_enforced_reason=flag.not_enforced_reason,
            scope=flag.scope,
            legal_basis=flag.legal_basis.text,
            legal_basis_reference=flag.legal_basis.reference,
            legal_basis_level=flag.legal_basis_level,
            source_platform=flag.source_platform,
            source_authority=flag.source_authority,
            via=via.relation if via else None,
            via_subject=ViaSubject(
                id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, via.subject_id)),
                kind=via.subject_kind,
                name=via.subject_name,
            )
            if via
            else None,
            record_ids=[strawberry.ID(ids.format_id(ids.IdKind.RECORD, i)) for i in flag.record_ids],
            list_entry_ids=[strawberry.ID(ids.format_id(ids.IdKind.LIST_ENTRY, i)) for i in flag.list_entry_ids],
            effective_from=flag.effective_from,
            effective_until=flag.effective_until,
            reason=flag.reason,
            subject_id=subject_id,
        )


@strawberry.type(description="A subject's credit standing at `asOf`, computed when asked.")
class CreditStatus:
    subject_id: strawberry.ID
    credit_code: str | None
    tier: CreditTier
    tier_reason: str
    on_serious_dishonest_list: bool
    on_joint_constraint_list: bool = strawberry.field(description="On the inter-platform blacklist.")
    on_red_list: bool
    flags: list[RestrictionFlag]
    as_of: dt.datetime
    rule_set: str = strawberry.field(description="The rule set (publicity windows, tier thresholds) in force at asOf.")
    stable_until: dt.datetime | None = strawberry.field(
        description="Nothing known today changes this answer before this instant (null: no such instant)."
    )

    STORED_FIELDS: ClassVar[Mapping[str, StoredReader]] = _STATUS_FIELDS

    @classmethod
    def from_domain(cls, status: StatusView, credit_code: str | None) -> CreditStatus:
        """`status` as the viewer sees it: its flags are already those the viewer may see."""
        return cls(
            subject_id=strawberry.ID(ids.format_id(ids.IdKind.SUBJECT, status.subject_id)),
            credit_code=credit_code,
            tier=status.tier,
            tier_reason=status.tier_reason,
            on_serious_dishonest_list=status.on_serious_dishonest_list,
            on_joint_constraint_list=status.on_joint_constraint_list,
            on_red_list=status.on_red_list,
            flags=[RestrictionFlag.from_domain(flag, status.subject_id) for flag in status.flags],
            as_of=status.as_of,
            rule_set=status.rule_set,
            stable_until=status.stable_until,
        )

    @classmethod
    def from_stored(cls, status: StoredStatusView, credit_code: str | None) -> CreditStatus:
        """`status` still in its stored form: a `StoredCreditStatus`, which the execution context
        completes as a CreditStatus (typed as one for the resolvers that return it)."""
        return cast(CreditStatus, StoredCreditStatus(status, credit_code))


class StoredCreditStatus:
    """A CreditStatus still in its stored form. The execution context answers the fields of
    `CreditStatus.STORED_FIELDS` from it; for any other selection it completes `materialize()`."""

    STORED_TYPE: ClassVar[str] = "CreditStatus"
    __slots__ = ("credit_code", "view")

    def __init__(self, view: StoredStatusView, credit_code: str | None) -> None:
        self.view = view
        self.credit_code = credit_code

    def materialize(self) -> CreditStatus:
        return CreditStatus.from_domain(self.view.decoded(), self.credit_code)


# Beside each result union, its error members: from_domain's `allowed`, and (errors.catchable)
# what its resolver catches. tests/unit/test_result_unions.py holds each equal to its union.
CREDIT_STATUS_ERRORS: Final = (InvalidIdentifierError, UnknownSubjectError, StatusUnavailableError)
CreditStatusResult = Annotated[
    CreditStatus | InvalidIdentifierError | UnknownSubjectError | StatusUnavailableError,
    strawberry.union("CreditStatusResult", description="A status, or why there is none for this input."),
]
