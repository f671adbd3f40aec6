"""Test data through the real db layer, with random identifiers so tests never share rows."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from stdnum.cn import ric

from credithub.db import accounts as db_accounts
from credithub.db import records as db_records
from credithub.db import signings as db_signings
from credithub.db import subjects as db_subjects
from credithub.db.pool import Connection
from credithub.domain import records, subjects
from credithub.domain.clients import Client, Role
from credithub.domain.identifiers import (
    USCC_ALPHABET,
    compute_credit_code_check,
    compute_organization_check,
    compute_person_hash,
    parse_resident_id,
)
from credithub.services import clients
from credithub.services.ports import Deps

_rng = random.SystemRandom()
# The app under test runs on the system clock, so facts are placed relative to the real now: a
# fixed date would let records drift past their publicity windows as the calendar moves on.
NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def credit_code(category: str = "1") -> str:
    body = "".join(_rng.choice(USCC_ALPHABET[:30]) for _ in range(8))
    first17 = "9" + category + "330106" + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


def resident_id() -> str:
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=_rng.randrange(365 * 30))
    first17 = f"110105{birth:%Y%m%d}{_rng.randrange(1000):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")


def suffix() -> str:
    return secrets.token_hex(4)


async def platform(deps: Deps, *, push_url: str | None = None) -> clients.RegisteredPlatform:
    return await clients.add_platform(deps, f"p-{suffix()}", f"Platform {suffix()}", push_url=push_url)


async def subject(
    conn: Connection, kind: subjects.SubjectKind, *, name: str | None = None, person_key: bytes = b"k"
) -> subjects.Subject:
    name = name or f"{kind.value.title()} {suffix()}"
    if kind is subjects.SubjectKind.ANCHOR:
        person_id = await db_subjects.upsert_person(
            conn, compute_person_hash(parse_resident_id(resident_id()), person_key)
        )
        return await db_subjects.insert(conn, kind, name, None, person_id)
    return await db_subjects.insert(conn, kind, name, credit_code(), None)


async def account(conn: Connection, subject_id: int, platform_code: str) -> subjects.Account:
    return await db_accounts.insert(
        conn,
        subject_id,
        platform_code,
        f"acct-{suffix()}",
        subjects.AccountStatus.ACTIVE,
        None,
        NOW - dt.timedelta(days=400),
    )


async def record(
    conn: Connection,
    subject_id: int,
    platform_code: str,
    *,
    category: records.Category = records.Category.COUNTERFEIT_GOODS,
    severity: records.Severity | None = records.Severity.GENERAL,
    occurred_at: dt.datetime = NOW - dt.timedelta(days=30),
    status: records.RecordStatus = records.RecordStatus.ACTIVE,
) -> records.CreditRecord:
    created = await db_records.insert(
        conn,
        subject_id=subject_id,
        source=records.Source(records.SourceType.PLATFORM, platform_code, None, f"V-{suffix()}"),
        account_id=None,
        category=category,
        severity=severity,
        occurred_at=occurred_at,
        reported_at=occurred_at + dt.timedelta(hours=2),
        description=f"details only the source may read {suffix()}",
        legal_basis=records.LegalBasis("《中华人民共和国电子商务法》", "第十三条"),
    )
    await db_records.insert_status_change(
        conn,
        records.StatusChange(
            created.id, None, records.RecordStatus.ACTIVE, f"source:{platform_code}", "reported", created.reported_at
        ),
    )
    if status is not records.RecordStatus.ACTIVE:
        assert await db_records.update_status(conn, created.id, records.RecordStatus.ACTIVE, status)
        await db_records.insert_status_change(
            conn,
            records.StatusChange(
                created.id, records.RecordStatus.ACTIVE, status, "regulator:test", "test", created.reported_at
            ),
        )
    return created


async def signing(
    conn: Connection,
    agency_id: int,
    anchor_id: int,
    *,
    valid_from: dt.datetime,
    valid_to: dt.datetime | None = None,
    platform_code: str | None = None,
) -> subjects.Signing:
    return await db_signings.insert(conn, agency_id, anchor_id, valid_from, valid_to, platform_code)


async def withdraw(conn: Connection, record_id: int, at: dt.datetime | None = None) -> None:
    assert await db_records.update_status(conn, record_id, records.RecordStatus.ACTIVE, records.RecordStatus.WITHDRAWN)
    await db_records.insert_status_change(
        conn,
        records.StatusChange(
            record_id,
            records.RecordStatus.ACTIVE,
            records.RecordStatus.WITHDRAWN,
            "regulator:test",
            "objection upheld",
            at or dt.datetime.now(dt.UTC),
        ),
    )


async def admin(deps: Deps) -> Client:
    issued = await clients.add_client(deps, f"admin {suffix()}", "admin")
    return Client(id=issued.id, name=issued.name, role=Role.ADMIN, platform=None)
