"""The rule sets and the measures catalog, as domain objects."""

from __future__ import annotations

from typing import Final

from credithub.db import rows
from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.measures import Measure
from credithub.domain.rules import RuleSet, parse_rule_set

SQL: Final = QUERIES["config"]


async def get_version(conn: Executor) -> int:
    version: int = await conn.fetchval(SQL["get_version"])
    return version


async def list_rule_sets(conn: Executor) -> list[RuleSet]:
    rows = await conn.fetch(SQL["list_rule_sets"])
    return [parse_rule_set(row["code"], row["name"], row["effective_from"], row["rules"]) for row in rows]


async def list_measures(conn: Executor) -> list[Measure]:
    return [rows.measure(row) for row in await conn.fetch(SQL["list_measures"])]
