"""The SQL that pages a subject's records applies the same visibility as the pure domain rule,
and PostgreSQL's month arithmetic agrees with `rules.add_months` (windows end on the same instant
in SQL and in Python, month ends and leap days included)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import AsyncIterator

import asyncpg
import pytest

from credithub.db import records as db_records
from credithub.db.pool import create_pool, transaction
from credithub.domain import records
from credithub.domain.clients import Client, Role
from credithub.domain.rules import add_months, select_rule_set
from credithub.domain.subjects import SubjectKind
from credithub.domain.visibility import RecordVisibility, compute_record_scope, compute_record_visibility
from tests import factories
from tests.engine import RULE_SETS

UTC = dt.UTC


def _instants(rng: random.Random, count: int) -> list[dt.datetime]:
    """Random instants, half of them on the days month arithmetic gets wrong."""
    edges = [(1, 31), (1, 30), (1, 29), (2, 28), (2, 29), (3, 31), (4, 30), (5, 31), (8, 31), (12, 31)]
    found = []
    for i in range(count):
        year = rng.randrange(2019, 2029)
        if i % 2:
            month, day = rng.choice(edges)
            if (month, day) == (2, 29) and year % 4:
                day = 28
        else:
            month, day = rng.randrange(1, 13), rng.randrange(1, 29)
        found.append(dt.datetime(year, month, day, rng.randrange(24), rng.randrange(60), rng.randrange(60), tzinfo=UTC))
    return found


async def test_postgres_adds_months_as_the_domain_does(deps_conn: asyncpg.Connection) -> None:
    rng = random.Random(20261122)
    instants = _instants(rng, 3000)
    months = [rng.choice([0, 1, 3, 6, 11, 12, 13, 24, 36, 48]) for _ in instants]
    found = await deps_conn.fetch(
        "SELECT t + make_interval(months => m) AS ends FROM unnest($1::timestamptz[], $2::int[]) WITH ORDINALITY"
        " AS u (t, m, n) ORDER BY n",
        instants,
        months,
    )
    assert [row["ends"] for row in found] == [add_months(t, m) for t, m in zip(instants, months, strict=True)]


@pytest.fixture
async def deps_conn(shared_dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(shared_dsn, server_settings={"timezone": "UTC"})
    yield conn
    await conn.close()


async def test_record_pages_show_exactly_what_the_domain_says_each_viewer_may_see(shared_dsn: str) -> None:
    rng = random.Random(7)
    pool = await create_pool(shared_dsn, min_size=1, max_size=2)
    try:
        async with transaction(pool) as conn:
            platforms = [f"vis-{factories.suffix()}" for _ in range(2)]
            for code in platforms:
                await conn.execute("INSERT INTO platforms (code, name) VALUES ($1, $1)", code)
            subject = await factories.subject(conn, SubjectKind.MERCHANT)
            made = []
            for occurred_at in _instants(rng, 160):
                severity = rng.choice([*records.Severity, None])
                category = records.Category.RED_LIST if severity is None else records.Category.FALSE_ADVERTISING
                created = await db_records.insert(
                    conn,
                    subject_id=subject.id,
                    source=records.Source(records.SourceType.PLATFORM, rng.choice(platforms), None, factories.suffix()),
                    account_id=None,
                    category=category,
                    severity=severity,
                    occurred_at=occurred_at,
                    reported_at=occurred_at,
                    description="x",
                    legal_basis=records.LegalBasis("basis", None),
                    valid_until=rng.choice([None, occurred_at + dt.timedelta(days=rng.randrange(1, 900))]),
                    # a decision some months after the violation: the window runs from it
                    decided_at=rng.choice([None, occurred_at + dt.timedelta(days=rng.randrange(0, 300))]),
                )
                status = rng.choice([s for s in records.RecordStatus if s is not records.RecordStatus.EXPIRED])
                if status is not records.RecordStatus.ACTIVE:
                    await db_records.update_status(conn, created.id, records.RecordStatus.ACTIVE, status)
                made.append(created)
        stored = await db_records.get_many(pool, [record.id for record in made])
        viewers = [
            Client(1, "p", Role.PLATFORM, platforms[0]),
            Client(2, "v", Role.VIEWER, None),
            Client(3, "r", Role.REGULATOR, None),
            Client(4, "a", Role.ADMIN, None),
        ]
        for at in _instants(rng, 12):
            for viewer in viewers:
                scope = compute_record_scope(viewer, select_rule_set(RULE_SETS, at), at)
                expected = {
                    record.id
                    for record in stored.values()
                    if compute_record_visibility(record, scope) is not RecordVisibility.HIDDEN
                }
                where = records.RecordFilter()
                page = await db_records.list_page_for_subjects(
                    pool, [subject.id], where, scope=scope, after=None, limit=1000
                )
                assert {record.id for record in page.get(subject.id, [])} == expected, (viewer.role, at)
                counts = await db_records.count_for_subjects(pool, [subject.id], where, scope=scope)
                assert counts.get(subject.id, 0) == len(expected)
    finally:
        await pool.close()
