"""Platforms and their secrets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.platforms import CodeMapping, Platform, PlatformLink
from credithub.domain.records import Category, Severity

SQL: Final = QUERIES["platforms"]
PLATFORM_CODE_KEY: Final = "platforms_pkey"


async def insert(
    conn: Connection, code: str, name: str, family: str, push_url: str | None, api_url: str | None
) -> Platform:
    try:
        row = await conn.fetchrow(SQL["insert"], code, name, family, push_url, api_url)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == PLATFORM_CODE_KEY:
            raise AlreadyExists(f"a platform with code {code!r} already exists") from exc
        raise
    return rows.platform(rows.required(row))


async def get(conn: Executor, code: str) -> Platform | None:
    row = await conn.fetchrow(SQL["get"], code)
    return rows.platform(row) if row is not None else None


async def list_all(conn: Executor) -> list[Platform]:
    return [rows.platform(row) for row in await conn.fetch(SQL["list_all"])]


async def insert_secret(conn: Connection, platform: str, purpose: str, secret: str) -> int:
    secret_id: int = await conn.fetchval(SQL["insert_secret"], platform, purpose, secret)
    return secret_id


async def list_active_secrets(conn: Executor, platform: str, purpose: str) -> list[str]:
    return [row["secret"] for row in await conn.fetch(SQL["list_active_secrets"], platform, purpose)]


async def get_with_secrets(conn: Executor, platform: str, purpose: str) -> list[str] | None:
    """The platform's active secrets (newest first), or None when the platform is unknown."""
    row = await conn.fetchrow(SQL["get_with_secrets"], platform, purpose)
    return list(row["secrets"]) if row is not None else None


async def retire_secrets(conn: Executor, platform: str, purpose: str, keep: int, at: dt.datetime) -> list[int]:
    return [row["id"] for row in await conn.fetch(SQL["retire_secrets"], platform, purpose, keep, at)]


async def get_link(conn: Executor, code: str) -> PlatformLink | None:
    """What an adapter needs to talk to the platform, or None when it is unknown."""
    row = await conn.fetchrow(SQL["get_link"], code)
    if row is None:
        return None
    codes = {
        code: CodeMapping(code, Category(category), Severity(severity), None)
        for code, category, severity in row["codes"]
    }
    return PlatformLink(
        code=row["code"],
        family=row["family"],
        api_url=row["api_url"],
        push_url=row["push_url"],
        api_key=row["api_key"],
        webhook_secrets=tuple(row["webhook_secrets"]),
        outbound_secret=row["outbound_secret"],
        codes=codes,
    )


async def list_pulled(conn: Executor) -> list[str]:
    return [row["code"] for row in await conn.fetch(SQL["list_pulled"])]


async def update_api(conn: Executor, code: str, api_url: str | None, push_url: str | None) -> Platform | None:
    row = await conn.fetchrow(SQL["update_api"], code, api_url, push_url)
    return rows.platform(row) if row is not None else None


async def replace_codes(conn: Connection, platform: str, mappings: Sequence[CodeMapping]) -> None:
    """Run inside the caller's transaction: the old mapping goes only if the new one is stored."""
    await conn.execute(SQL["delete_codes"], platform)
    await conn.execute(
        SQL["insert_codes"],
        platform,
        [mapping.code for mapping in mappings],
        [mapping.category.value for mapping in mappings],
        [mapping.severity.value for mapping in mappings],
        [mapping.description for mapping in mappings],
    )


async def list_codes(conn: Executor, platform: str) -> list[CodeMapping]:
    return [
        CodeMapping(row["code"], Category(row["category"]), Severity(row["severity"]), row["description"])
        for row in await conn.fetch(SQL["list_codes"], platform)
    ]
