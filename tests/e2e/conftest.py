"""The whole app served by uvicorn on a loopback port, and a cast of clients to call it."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from credithub.db.pool import create_pool, transaction
from credithub.domain import deliveries
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.subjects import Account, Signing, Subject, SubjectKind
from credithub.entrypoints.app import create_app
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.graphql_client import GraphQLClient

AUTHORITY = "国家市场监督管理总局"


@pytest.fixture(scope="session")
async def app_url(deps: Deps) -> AsyncIterator[str]:
    async with loopback.serve(create_app(deps.settings, deps=deps), lifespan="on") as url:
        yield url


@pytest.fixture(scope="session")
async def http(app_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=app_url, timeout=30) as client:
        yield client


@dataclass
class Cast:
    """Two platforms, one client per role, and subjects with records on both platforms."""

    deps: Deps
    platform_a: str
    platform_b: str
    as_a: GraphQLClient
    as_b: GraphQLClient
    as_regulator: GraphQLClient  # bound to AUTHORITY
    as_second_regulator: GraphQLClient  # the same authority: decides what the first proposed
    as_joint_regulator: GraphQLClient  # the body that runs the inter-platform list
    as_viewer: GraphQLClient
    as_admin: GraphQLClient
    merchant: Subject
    merchant_account: Account
    agency: Subject
    anchors: list[Subject]
    ended_signing: Signing


@pytest.fixture(scope="session")
async def cast(deps: Deps, http: httpx.AsyncClient) -> Cast:
    a, b = await factories.platform(deps), await factories.platform(deps)
    tokens = {
        role: (await clients.add_client(deps, f"{role} {factories.suffix()}", role)).token
        for role in ("viewer", "admin")
    }
    for name in ("regulator", "second regulator"):
        issued = await clients.add_client(deps, f"{name} {factories.suffix()}", "regulator", authority=AUTHORITY)
        tokens[name] = issued.token
    joint = await clients.add_client(
        deps, f"joint list {factories.suffix()}", "regulator", authority=deps.settings.joint_list_authority
    )
    tokens["joint"] = joint.token
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        merchant_account = await factories.account(conn, merchant.id, a.code)
        await factories.account(conn, merchant.id, b.code)
        for days in range(1, 26):  # 25 records on A, newest first by occurrence
            await factories.record(conn, merchant.id, a.code, occurred_at=factories.NOW - dt.timedelta(days=days))
        await factories.record(
            conn,
            merchant.id,
            b.code,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=factories.NOW - dt.timedelta(hours=5),
        )
        await factories.record(
            conn, merchant.id, b.code, status=RecordStatus.REPAIRED, occurred_at=factories.NOW - dt.timedelta(days=500)
        )
        agency = await factories.subject(conn, SubjectKind.MCN_AGENCY)
        anchors = [await factories.subject(conn, SubjectKind.ANCHOR) for _ in range(3)]
        for anchor in anchors[:2]:
            await factories.signing(conn, agency.id, anchor.id, valid_from=factories.NOW - dt.timedelta(days=300))
        ended = await factories.signing(
            conn,
            agency.id,
            anchors[2].id,
            valid_from=factories.NOW - dt.timedelta(days=300),
            valid_to=factories.NOW - dt.timedelta(days=10),
        )
    return Cast(
        deps=deps,
        platform_a=a.code,
        platform_b=b.code,
        as_a=GraphQLClient(http, a.client.token),
        as_b=GraphQLClient(http, b.client.token),
        as_regulator=GraphQLClient(http, tokens["regulator"]),
        as_second_regulator=GraphQLClient(http, tokens["second regulator"]),
        as_joint_regulator=GraphQLClient(http, tokens["joint"]),
        as_viewer=GraphQLClient(http, tokens["viewer"]),
        as_admin=GraphQLClient(http, tokens["admin"]),
        merchant=merchant,
        merchant_account=merchant_account,
        agency=agency,
        anchors=anchors,
        ended_signing=ended,
    )


@dataclass
class LiveHub:
    """The hub as `serve` runs it (every worker on, fast pulls and retries) on a database of its own."""

    url: str
    deps: Deps


@pytest.fixture
async def live_hub(fresh_dsn: str, data_dir: Path) -> AsyncIterator[LiveHub]:
    settings = make_settings(
        fresh_dsn, data_dir, workers=True, sync_interval=1, push_schedule=deliveries.parse_schedule("1s,2s")
    )
    pool = await create_pool(fresh_dsn, min_size=1, max_size=8)
    deps = make_deps(pool, settings)
    try:
        async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
            yield LiveHub(url, deps)
    finally:
        await deps.http.aclose()
        await pool.close()
