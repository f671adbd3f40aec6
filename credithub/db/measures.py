"""Writes to the measures catalog (reads go through db/config.py)."""

from __future__ import annotations

from typing import Any, Final

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.measures import Measure, format_trigger

SQL: Final = QUERIES["measures"]


def as_row(measure: Measure) -> dict[str, Any]:
    """The measure as its table row (JSON), for the change history."""
    return {
        "code": measure.code,
        "kind": measure.kind.value,
        "mandatory": measure.mandatory,
        "legal_basis": measure.legal_basis.text,
        "legal_basis_ref": measure.legal_basis.reference,
        "legal_basis_level": measure.legal_basis_level.value,
        "description": measure.description,
        "subject_kinds": sorted(kind.value for kind in measure.subject_kinds),
        "scope": measure.scope.value,
        "trigger": format_trigger(measure.trigger),
        "duration_months": measure.duration_months,
        "active": measure.active,
    }


async def get_for_update(conn: Connection, code: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = await conn.fetchval(SQL["get_for_update"], code)
    return row


async def upsert(conn: Connection, measure: Measure, actor: str) -> None:
    row = as_row(measure)
    await conn.execute(
        SQL["upsert"],
        row["code"],
        row["kind"],
        row["mandatory"],
        row["legal_basis"],
        row["legal_basis_ref"],
        row["description"],
        row["subject_kinds"],
        row["scope"],
        row["trigger"],
        row["duration_months"],
        row["active"],
        actor,
        row["legal_basis_level"],
    )


async def set_active(conn: Connection, code: str, active: bool, actor: str) -> Measure:
    return rows.measure(rows.required(await conn.fetchrow(SQL["set_active"], code, active, actor)))


async def exists(conn: Executor, code: str) -> bool:
    found: bool = await conn.fetchval(SQL["exists"], code)
    return found
