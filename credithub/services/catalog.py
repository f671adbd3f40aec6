"""The measures catalog and the rule sets: kept in memory per instance, reloaded when the
`config_version` the database reports moves, and edited by admins."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import asyncpg

from credithub.db import config as db_config
from credithub.db import measures as db_measures
from credithub.db.pool import Connection, transaction
from credithub.domain.clients import Client, Role
from credithub.domain.errors import NotFound, PermissionDenied
from credithub.domain.measures import Measure, parse_measure
from credithub.domain.rules import RuleSet, select_rule_set
from credithub.services import audit

if TYPE_CHECKING:
    from credithub.services.ports import Deps


@dataclass(frozen=True, slots=True)
class EngineConfig:
    version: int
    rule_sets: tuple[RuleSet, ...]
    catalog: tuple[Measure, ...]


RECENT_SECONDS = 1.0


async def load_config(conn: Connection) -> EngineConfig:
    """The catalog and rule sets as the caller's transaction sees them (one snapshot for the
    version, the rules and the measures)."""
    version = await db_config.get_version(conn)
    rule_sets = await db_config.list_rule_sets(conn)
    catalog = await db_config.list_measures(conn)
    return EngineConfig(version, tuple(rule_sets), tuple(catalog))


class ConfigHolder:
    """One per instance. Reads are free while the version stands still."""

    def __init__(self) -> None:
        self._config: EngineConfig | None = None
        self._lock = asyncio.Lock()
        self._checked_at = float("-inf")

    async def at_version(self, pool: asyncpg.Pool, version: int) -> EngineConfig:
        """The catalog and rule sets of `version` (or newer), loading them if this instance has older ones."""
        config = self._config
        if config is not None and config.version >= version:
            return config
        async with self._lock:
            if self._config is None or self._config.version < version:
                async with transaction(pool) as conn:
                    self._config = await load_config(conn)
            return self._config

    async def current(self, pool: asyncpg.Pool) -> EngineConfig:
        version = await db_config.get_version(pool)
        self._checked_at = time.monotonic()
        return await self.at_version(pool, version)

    def forget_version_check(self) -> None:
        """This instance just changed the config: the next `recent` reads the version again."""
        self._checked_at = float("-inf")

    async def recent(self, pool: asyncpg.Pool) -> EngineConfig:
        """The config as of at most a second ago: where no query reads the version anyway, this
        saves a round trip per request; an admin's edit reaches every instance within a second."""
        if self._config is not None and time.monotonic() - self._checked_at < RECENT_SECONDS:
            return self._config
        return await self.current(pool)


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
