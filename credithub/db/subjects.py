"""Credit subjects and persons."""

from __future__ import annotations

from typing import Final

import asyncpg

from credithub.db import rows
from credithub.db.pool import Connection, Executor
from credithub.db.queries import QUERIES
from credithub.domain.errors import AlreadyExists
from credithub.domain.subjects import Subject, SubjectFilter, SubjectKind

SQL: Final = QUERIES["subjects"]
CREDIT_CODE_KEY: Final = "subjects_credit_code_key"
PERSON_KEY: Final = "subjects_person_id_key"


async def get_many(conn: Executor, ids: list[int]) -> dict[int, Subject]:
    return {row["id"]: rows.subject(row) for row in await conn.fetch(SQL["get_many"], ids)}


async def get_many_by_credit_code(conn: Executor, codes: list[str]) -> dict[str, Subject]:
    return {row["credit_code"]: rows.subject(row) for row in await conn.fetch(SQL["get_many_by_credit_code"], codes)}


async def get_many_by_account(conn: Executor, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Subject]:
    platforms = [platform for platform, _ in keys]
    external_ids = [external_id for _, external_id in keys]
    found = await conn.fetch(SQL["get_many_by_account"], platforms, external_ids)
    return {(row["platform"], row["external_id"]): rows.subject(row) for row in found}


def _filter_args(where: SubjectFilter) -> tuple[object, ...]:
    kind = where.kind.value if where.kind else None
    return (
        kind,
        where.platform,
        where.name_contains,
        where.tier,
        where.on_list,
        where.at,
        where.visible_to_platform,
        where.only_subject,
    )


async def list_page(conn: Executor, where: SubjectFilter, after_id: int | None, limit: int) -> list[Subject]:
    found = await conn.fetch(SQL["list_page"], *_filter_args(where), after_id, limit)
    return [rows.subject(row) for row in found]


async def count(conn: Executor, where: SubjectFilter) -> int:
    total: int = await conn.fetchval(SQL["count"], *_filter_args(where))
    return total


async def insert(
    conn: Connection, kind: SubjectKind, name: str, credit_code: str | None, person_id: int | None
) -> Subject:
    try:
        row = await conn.fetchrow(SQL["insert"], kind.value, name, credit_code, person_id)
    except asyncpg.UniqueViolationError as exc:
        if exc.constraint_name == CREDIT_CODE_KEY:
            raise AlreadyExists(f"a subject with credit code {credit_code} already exists") from exc
        if exc.constraint_name == PERSON_KEY:
            raise AlreadyExists("an anchor for this person already exists") from exc
        raise
    return rows.subject(rows.required(row))


async def upsert_person(conn: Connection, id_hash: bytes) -> int:
    person_id: int | None = await conn.fetchval(SQL["upsert_person"], id_hash)
    if person_id is None:
        # A concurrent transaction inserted the person after this statement's snapshot was taken
        # (our insert waited for it, then did nothing): a new statement sees it.
        person_id = await conn.fetchval(SQL["get_person"], id_hash)
    assert person_id is not None
    return person_id


async def get_by_credit_code(conn: Connection, code: str) -> Subject | None:
    row = await conn.fetchrow(SQL["get_by_credit_code"], code)
    return rows.subject(row) if row is not None else None


async def get_by_person_hash(conn: Connection, id_hash: bytes) -> Subject | None:
    row = await conn.fetchrow(SQL["get_by_person_hash"], id_hash)
    return rows.subject(row) if row is not None else None


async def insert_if_absent(
    conn: Connection, kind: SubjectKind, name: str, credit_code: str | None, person_id: int | None
) -> Subject | None:
    """The new subject, or None when its credit code or person is registered already."""
    row = await conn.fetchrow(SQL["insert_if_absent"], kind.value, name, credit_code, person_id)
    return rows.subject(row) if row is not None else None


async def lock_many_by_credit_code(conn: Connection, codes: list[str]) -> dict[str, Subject]:
    """The subjects with these credit codes (sorted), locked for the caller's transaction."""
    return {row["credit_code"]: rows.subject(row) for row in await conn.fetch(SQL["lock_many_by_credit_code"], codes)}


async def insert_organisations_if_absent(
    conn: Connection, organisations: list[tuple[SubjectKind, str, str]]
) -> dict[str, Subject]:
    """Register (kind, name, credit code) organisations; returns those registered by code (a code
    registered already, or meanwhile by another transaction, is absent)."""
    found = await conn.fetch(
        SQL["insert_organisations_if_absent"],
        [kind.value for kind, _, _ in organisations],
        [name for _, name, _ in organisations],
        [code for _, _, code in organisations],
    )
    return {row["credit_code"]: rows.subject(row) for row in found}
