"""API clients."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.clients import Client, Role

SQL: Final = QUERIES["clients"]


async def insert(
    conn: Connection,
    name: str,
    role: Role,
    platform: str | None,
    token_hash: bytes,
    *,
    authority: str | None = None,
    subject_id: int | None = None,
    default_purpose: str | None = None,
) -> int:
    client_id: int = await conn.fetchval(
        SQL["insert"], name, role.value, platform, token_hash, authority, subject_id, default_purpose
    )
    return client_id


async def get_by_token_hash(conn: Executor, token_hash: bytes) -> Client | None:
    row = await conn.fetchrow(SQL["get_by_token_hash"], token_hash)
    if row is None:
        return None
    return Client(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        platform=row["platform"],
        authority=row["authority"],
        subject_id=row["subject_id"],
        default_purpose=row["default_purpose"],
    )


async def revoke(conn: Executor, client_id: int, at: dt.datetime) -> bytes | None:
    token_hash: bytes | None = await conn.fetchval(SQL["revoke"], client_id, at)
    return token_hash


@dataclass(frozen=True, slots=True)
class ListedClient:
    id: int
    name: str
    role: Role
    platform: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    authority: str | None = None
    subject_id: int | None = None


async def list_all(conn: Executor) -> list[ListedClient]:
    return [
        ListedClient(
            r["id"],
            r["name"],
            Role(r["role"]),
            r["platform"],
            r["created_at"],
            r["revoked_at"],
            r["authority"],
            r["subject_id"],
        )
        for r in await conn.fetch(SQL["list_all"])
    ]
