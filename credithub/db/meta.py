"""Facts about this installation, as small JSON values under a key."""

from __future__ import annotations

from typing import Any, Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES

SQL: Final = QUERIES["meta"]


async def get(conn: Executor, key: str) -> Any:
    return await conn.fetchval(SQL["get"], key)


async def put_if_absent(conn: Executor, key: str, value: Any) -> Any:
    """Store `value` unless the key holds one already; returns the value in force."""
    stored = await conn.fetchval(SQL["put_if_absent"], key, value)
    if stored is None:  # a concurrent writer committed after our snapshot: a new statement sees it
        stored = await conn.fetchval(SQL["get"], key)
    return stored


async def put(conn: Executor, key: str, value: Any) -> None:
    await conn.execute(SQL["put"], key, value)
