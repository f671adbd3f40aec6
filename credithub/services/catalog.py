"""The measures catalog and the rule sets: edited by admins, and the rule set in force now (each
instance keeps them in memory: `services.engine_config`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credithub.db import measures as db_measures
from credithub.db.pool import transaction
from credithub.domain.clients import Client, Role
from credithub.domain.errors import NotFound, PermissionDenied
from credithub.domain.measures import Measure, parse_measure
from credithub.domain.rules import RuleSet, select_rule_set
from credithub.services import audit

if TYPE_CHECKING:
    from credithub.services.ports import Deps


async def rules_now(deps: Deps) -> RuleSet:
    """The rule set in force now (with the config as of at most a second ago)."""
    config = await deps.engine.recent(deps.pool)
    return select_rule_set(config.rule_sets, deps.clock.now())


def _require_admin(actor: Client) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only admins may edit the measures catalog")


async def save_measure(deps: Deps, actor: Client, fields: dict[str, Any]) -> Measure:
    """Create or replace a catalog entry; the change is kept with the row before and after."""
    _require_admin(actor)
    measure = parse_measure(**fields)
    async with transaction(deps.pool) as conn:
        before = await db_measures.get_for_update(conn, measure.code)
        await db_measures.upsert(conn, measure, actor.name)
        await audit.write(
            conn,
            at=deps.clock.now(),
            actor=actor.label,
            action="save",
            entity="measure",
            entity_id=measure.code,
            subject_id=None,
            before=before,
            after=db_measures.as_row(measure),
        )
    deps.engine.forget_version_check()
    return measure


async def set_measure_active(deps: Deps, actor: Client, code: str, active: bool) -> Measure:
    """Switch a measure on or off without losing its definition."""
    _require_admin(actor)
    async with transaction(deps.pool) as conn:
        before = await db_measures.get_for_update(conn, code.strip().upper())
        if before is None:
            raise NotFound(f"no measure with code {code!r}")
        measure = await db_measures.set_active(conn, code.strip().upper(), active, actor.name)
        action = "activate" if active else "deactivate"
        await audit.write(
            conn,
            at=deps.clock.now(),
            actor=actor.label,
            action=action,
            entity="measure",
            entity_id=measure.code,
            subject_id=None,
            before=before,
            after=db_measures.as_row(measure),
        )
    deps.engine.forget_version_check()
    return measure
