"""WAL positions of the primary and of a streaming replica (`domain.replication`)."""

from __future__ import annotations

from typing import Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["replication"]


async def primary_position(conn: Executor) -> int:
    """The primary's current WAL position: everything committed so far is at or below it."""
    position: int = await conn.fetchval(SQL["primary_position"])
    return position


async def replayed_position(conn: Executor) -> int:
    """What a replica has replayed (None only if it has replayed nothing yet: 0)."""
    position: int | None = await conn.fetchval(SQL["replayed_position"])
    return position or 0
