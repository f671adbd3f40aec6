"""Credit status and joint restriction flags, as computed per query."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from credithub.domain import executions, ids, measures
from credithub.domain import flags as domain_flags
from credithub.domain.executions import compute_latest_per_platform
from credithub.domain.read_models import StatusView
from schema.context import Info
from schema.enums import LegalBasisLevel, RelationKind, SubjectKind
from schema.errors import InvalidIdentifierError, StatusUnavailableError, UnknownSubjectError

CreditTier = measures.Tier
strawberry.enum(CreditTier, name="CreditTier", description="Differentiated management: A best, D worst.")
MeasureKind = measures.MeasureKind
strawberry.enum(MeasureKind, description="A restriction or an incentive.")
MeasureScope = measures.Scope
strawberry.enum(MeasureScope, description="Every platform, or only the platform that reported.")


@strawberry.type(description="The subject one relation away that a propagated flag comes from.")
class ViaSubject:
    id: strawberry.ID
    kind: SubjectKind
    name: str


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


CreditStatusResult = Annotated[
    CreditStatus | InvalidIdentifierError | UnknownSubjectError | StatusUnavailableError,
    strawberry.union("CreditStatusResult", description="A status, or why there is none for this input."),
]
