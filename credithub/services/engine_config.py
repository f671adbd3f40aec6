"""The measures catalog and the rule sets as this instance holds them: kept in memory, reloaded
when the `config_version` the database reports moves.

`Deps.engine` is a `ConfigHolder`; it lives apart from `catalog` (the admins' edits), which
needs `Deps`, so that `ports` and `catalog` do not import each other."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg

from credithub.db import config as db_config
from credithub.db.pool import Connection, transaction
from credithub.domain.measures import Measure
from credithub.domain.rules import RuleSet


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
