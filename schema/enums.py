"""Enums shared by several schema modules."""

from __future__ import annotations

import strawberry

from credithub.domain import lists, records, subjects

SubjectKind = subjects.SubjectKind
strawberry.enum(SubjectKind, description="The three kinds of credit subject.")
RelationKind = subjects.RelationKind
strawberry.enum(RelationKind, description="Relations that flags propagate along, one hop.")
LegalBasisLevel = records.LegalBasisLevel
strawberry.enum(
    LegalBasisLevel,
    description="The rank of the instrument behind a measure or a listing. Only LAW, ADMINISTRATIVE_REGULATION "
    "and LOCAL_REGULATION may ground a mandatory restriction.",
)

CreditList = lists.ListKind
strawberry.enum(
    CreditList,
    name="CreditList",
    description="SERIOUS_DISHONEST (designated by a public authority), JOINT_CONSTRAINT (the inter-platform "
    "blacklist), RED (integrity models).",
)
