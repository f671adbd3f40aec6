"""Enums shared by several schema modules."""

from __future__ import annotations

import strawberry

from credithub.domain import subjects

SubjectKind = strawberry.enum(subjects.SubjectKind, description="The three kinds of credit subject.")
RelationKind = strawberry.enum(subjects.RelationKind, description="Relations that flags propagate along, one hop.")
