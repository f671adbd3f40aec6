"""The whole loop across three platforms, each through its own adapter and simulator: a
violation reported on platform A (standard, by signed webhook) makes the flag reach platform B
(a marketplace) and platform C (a live-streaming platform), which the hub learned the merchant
is on by pulling their feeds; B reports that it applied the measure; A revokes, and the lift
reaches B and C too. The hub runs as `serve` does: every background worker on."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from credithub.db.pool import create_pool
from credithub.domain import deliveries
from credithub.entrypoints.app import create_app
from credithub.services import clients
from platform_adapters.livestream.simulator import LivestreamSimulator
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator
from tests import factories, loopback, schemas
from tests.conftest import make_deps, make_settings
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_webhooks import sign, violation

pytestmark = pytest.mark.slow
KEY = "api-key-issued-to-the-hub"
WAIT_SECONDS = 30


@dataclass
class Hub:
    http: httpx.AsyncClient
    a: StandardSimulator
    b: MarketplaceSimulator
    c: LivestreamSimulator
    a_secret: str
    b_token: str
    credit_code: str


@pytest.fixture
async def hub(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Hub]:
    settings = make_settings(
        fresh_dsn,
        data_dir,
        workers=True,
        sync_interval=1,
        push_schedule=deliveries.parse_schedule("1s,2s,5s"),
        pull_retry_seconds=0.05,
    )
    pool = await create_pool(fresh_dsn, min_size=1, max_size=8)
    deps = make_deps(pool, settings)
    a = StandardSimulator(api_key=KEY, outbound_secret="")
    b = MarketplaceSimulator(api_key=KEY, outbound_secret="")
    c = LivestreamSimulator(api_key=KEY, signing_secret="", outbound_secret="")
    code = factories.credit_code()
    b.put_shop("SM-1001", code, "云帆电子商务旗舰店")
    c.put_shop("lw_shop_77", code, "云帆好物直播小店")
    async with loopback.serve(a.app) as a_url, loopback.serve(b.app) as b_url, loopback.serve(c.app) as c_url:
        alpha = await clients.add_platform(deps, "alpha", "Alpha", push_url=a_url + PUSH_PATH)
        bmall = await clients.add_platform(deps, "bmall", "BMall", family="marketplace", api_url=b_url, api_key=KEY)
        cwave = await clients.add_platform(deps, "cwave", "CWave", family="livestream", api_url=c_url, api_key=KEY)
        a.outbound_secret, b.outbound_secret, c.outbound_secret = (
            alpha.outbound_secret,
            bmall.outbound_secret,
            cwave.outbound_secret,
        )
        c.signing_secret = cwave.webhook_secret  # C signs its feed pages with the secret the hub gave it
        app = create_app(settings, deps=deps)
        async with (
            loopback.serve(app, lifespan="on") as hub_url,
            httpx.AsyncClient(base_url=hub_url, timeout=10) as http,
        ):
            yield Hub(http, a, b, c, alpha.webhook_secret, bmall.client.token, code)
    await deps.http.aclose()
    await pool.close()


async def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll until `check()` gives something truthy; the workers run on their own schedules."""
    for _ in range(WAIT_SECONDS * 10):
        found = check()
        if found:
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def b_saw(hub: Hub, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    return next((notice for notice in hub.b.pushes.latest() if predicate(notice)), None)


def c_saw(hub: Hub, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    return next((notice for notice in hub.c.pushes.latest() if predicate(notice)), None)


def restricted(notice: dict[str, Any], measure: str) -> bool:
    """B calls a measure `code` and enforcement `active`; C says `measure` and `enforced`."""
    return any(
        flag.get("code", flag.get("measure")) == measure and flag.get("active", flag.get("enforced"))
        for flag in notice["restrictions"]
    )


async def send(hub: Hub, body: dict[str, Any]) -> None:
    raw = orjson.dumps(body)
    response = await hub.http.post("/webhooks/alpha", content=raw, headers=sign(hub.a_secret, raw))
    assert response.status_code == 202, response.text


async def test_a_violation_on_one_platform_reaches_the_others_and_so_does_its_lift(hub: Hub) -> None:
    # B and C are pulled: the hub learns the merchant has a shop on each and tells them its tier.
    await eventually(lambda: b_saw(hub, lambda n: n["uscc"] == hub.credit_code), "B's first notice")
    first_c = await eventually(lambda: c_saw(hub, lambda n: n["subject"]["uscc"] == hub.credit_code), "C's first")
    assert first_c["subject"]["ids"] == ["lw_shop_77"]

    report = violation(hub.credit_code, violation_id="A-2026-0001", severity="SERIOUS", category="FAKE_TRANSACTIONS")
    await send(hub, report)
    flagged_b = await eventually(lambda: b_saw(hub, lambda n: restricted(n, "CAMPAIGN_EXCLUSION")), "the flag at B")
    assert (flagged_b["credit_level"], flagged_b["shop_ids"]) == ("D", ["SM-1001"])
    assert not restricted(flagged_b, "WITHDRAWAL_HOLD")  # A's own measure stays with A
    flagged_c = await eventually(lambda: c_saw(hub, lambda n: restricted(n, "CAMPAIGN_EXCLUSION")), "the flag at C")
    assert flagged_c["grade"] == "D"
    to_a = await eventually(
        lambda: next((m for m in hub.a.pushes.latest() if m["data"]["tier"] == "D"), None), "A's own notice"
    )
    assert "WITHDRAWAL_HOLD" in {flag["measure"] for flag in to_a["data"]["flags"]}

    graphql = GraphQLClient(hub.http, hub.b_token)
    executed = await graphql.data(
        """mutation($input: ReportMeasureExecutionInput!) { reportMeasureExecution(input: $input) {
            __typename ... on ReportMeasureExecutionSuccess { subjectId execution { platform action } } } }""",
        input={
            "subject": {"kind": "MERCHANT", "accountId": "SM-1001", "creditCode": hub.credit_code},
            "measure": "CAMPAIGN_EXCLUSION",
            "action": "APPLIED",
            "executedAt": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    assert executed["reportMeasureExecution"]["execution"] == {"platform": "bmall", "action": "APPLIED"}
    status = await graphql.data(
        """query($code: String!) { subjectByCreditCode(creditCode: $code) { creditStatus {
            flags { measure executions { platform action executedAt } } } } }""",
        code=hub.credit_code,
    )
    flags = {flag["measure"]: flag for flag in status["subjectByCreditCode"]["creditStatus"]["flags"]}
    assert [e["platform"] for e in flags["CAMPAIGN_EXCLUSION"]["executions"]] == ["bmall"]

    await send(
        hub,
        {
            "type": "violation.revoked",
            "timestamp": dt.datetime.now(dt.UTC).isoformat(),
            "data": {"violation_id": "A-2026-0001", "reason": "申诉成立"},
        },
    )

    def lifted(changes: list[dict[str, Any]]) -> bool:
        return any(
            c.get("kind", c.get("type")) == "FLAG_LIFTED" and c.get("measure", c.get("code")) == "CAMPAIGN_EXCLUSION"
            for c in changes
        )

    lifted_b = await eventually(lambda: b_saw(hub, lambda n: lifted(n["changes"])), "the lift at B")
    assert not restricted(lifted_b, "CAMPAIGN_EXCLUSION")
    await eventually(lambda: c_saw(hub, lambda n: lifted(n["changes"])), "the lift at C")
    assert hub.b.pushes.refused == hub.c.pushes.refused == hub.a.pushes.refused == 0
    # Every push each platform received is what docs/schemas/ says it is.
    for name, sim in (
        ("credit.status_changed", hub.a),
        ("marketplace.status_notice", hub.b),
        ("livestream.status_notice", hub.c),
    ):
        for notice in sim.pushes.latest():
            assert schemas.errors(f"push/{name}.json", notice) == [], notice
