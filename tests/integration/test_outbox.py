"""The push outbox on real PostgreSQL against platform simulators on loopback: what is queued
and when, delivery, retries on the schedule, throttling, dead letters and replay, a worker that
dies mid-push, and order per subject."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from credithub.db import outbox as db_outbox
from credithub.db import work_queue
from credithub.db.pool import create_pool, transaction
from credithub.domain import deliveries
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import Subject, SubjectKind
from credithub.services import clients, outbox, statuses
from credithub.services.ports import Deps
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator
from tests import factories, loopback
from tests.conftest import FixedClock, make_deps, make_settings

START = dt.datetime.now(dt.UTC).replace(microsecond=0)
SCHEDULE = "1m,10m"


@dataclass
class World:
    deps: Deps
    clock: FixedClock
    standard: StandardSimulator
    market: MarketplaceSimulator
    standard_code: str
    market_code: str

    def later(self, delta: dt.timedelta) -> None:
        self.clock.instant += delta


@pytest.fixture
async def world(fresh_dsn: str, data_dir: Path) -> AsyncIterator[World]:
    clock = FixedClock(START)
    pool = await create_pool(fresh_dsn, min_size=1, max_size=5)
    settings = make_settings(fresh_dsn, data_dir, push_schedule=deliveries.parse_schedule(SCHEDULE))
    deps = make_deps(pool, settings, clock)
    market = MarketplaceSimulator(api_key="k", outbound_secret="")
    standard = StandardSimulator(api_key="k", outbound_secret="")
    async with loopback.serve(standard.app) as standard_url, loopback.serve(market.app) as market_url:
        a = await clients.add_platform(deps, "alpha", "Alpha", push_url=standard_url + PUSH_PATH)
        b = await clients.add_platform(deps, "bmall", "BMall", family="marketplace", api_url=market_url)
        standard.outbound_secret, market.outbound_secret = a.outbound_secret, b.outbound_secret
        yield World(deps, clock, standard, market, a.code, b.code)
    await deps.http.aclose()
    await pool.close()


async def merchant_on_both(world: World) -> Subject:
    async with transaction(world.deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, world.standard_code)
        await factories.account(conn, merchant.id, world.market_code)
    await statuses.refresh_subjects(world.deps, [merchant.id])  # its first status: tier only
    await deliver_all(world)
    return merchant


async def report_serious(world: World, subject: Subject, platform: str) -> int:
    async with transaction(world.deps.pool) as conn:
        record = await factories.record(
            conn,
            subject.id,
            platform,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=START - dt.timedelta(days=2),
        )
    await statuses.refresh_subjects(world.deps, [subject.id])
    return record.id


async def deliver_all(world: World) -> int:
    total = 0
    while claimed := await outbox.dispatch_due(world.deps):
        total += claimed
    return total


async def messages(world: World, subject: Subject) -> list[dict[str, Any]]:
    rows = await world.deps.pool.fetch(
        "SELECT id, platform, status, attempts, throttled, next_attempt_at, payload FROM outbox"
        " WHERE subject_id = $1 ORDER BY id",
        subject.id,
    )
    return [dict(row) for row in rows]


async def test_a_status_change_queues_one_message_per_platform_with_what_that_platform_sees(world: World) -> None:
    merchant = await merchant_on_both(world)
    first = await messages(world, merchant)
    assert {m["platform"] for m in first} == {world.standard_code, world.market_code}
    # A subject first seen a moment ago has not earned A.
    assert all({"kind": "TIER", "measure": None, "from": None, "to": "B"} in m["payload"]["changed"] for m in first)

    await report_serious(world, merchant, world.standard_code)
    queued = (await messages(world, merchant))[2:]
    by_platform = {m["platform"]: m["payload"] for m in queued}
    assert set(by_platform) == {world.standard_code, world.market_code}
    own = {flag["measure"] for flag in by_platform[world.standard_code]["flags"]}
    other = {flag["measure"] for flag in by_platform[world.market_code]["flags"]}
    assert "WITHDRAWAL_HOLD" in own  # an ORIGIN_PLATFORM measure: only the reporting platform sees it
    assert "WITHDRAWAL_HOLD" not in other
    assert "CAMPAIGN_EXCLUSION" in other
    assert by_platform[world.market_code]["tier"] == "D"
    assert by_platform[world.market_code]["accounts"]  # its own account ids only
    assert {"kind": "TIER", "measure": None, "from": "B", "to": "D"} in by_platform[world.market_code]["changed"]

    await statuses.refresh_subjects(world.deps, [merchant.id])  # nothing changed: nothing queued
    assert len(await messages(world, merchant)) == 4


async def test_messages_are_delivered_signed_once_per_idempotency_key_with_an_attempt_row(world: World) -> None:
    merchant = await merchant_on_both(world)
    await report_serious(world, merchant, world.standard_code)
    assert await deliver_all(world) == 2
    assert all(m["status"] == "DELIVERED" for m in await messages(world, merchant))
    [_, pushed] = world.standard.pushes.latest()
    assert pushed["type"] == "credit.status_changed"
    assert pushed["data"]["subject_id"] == f"sub_{merchant.id}"
    [_, notice] = world.market.pushes.latest()
    assert notice["credit_level"] == "D"
    last = (await messages(world, merchant))[-1]
    [attempt] = await db_outbox.list_attempts(world.deps.pool, last["id"])
    assert (attempt.outcome, attempt.http_status, attempt.attempt) == ("DELIVERED", 200, 1)


async def test_a_failing_platform_is_retried_on_the_schedule_then_the_message_is_dead_until_replayed(
    world: World,
) -> None:
    merchant = await merchant_on_both(world)
    world.market.faults.fail_next(503, times=3, path_prefix="/open")
    await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    [market_message] = [m for m in (await messages(world, merchant))[2:] if m["platform"] == world.market_code]
    assert market_message["status"] == "PENDING"
    wait = market_message["next_attempt_at"] - START
    assert dt.timedelta(seconds=30) <= wait <= dt.timedelta(minutes=1)  # equal jitter on the first wait

    assert await deliver_all(world) == 0  # not due yet
    world.later(dt.timedelta(minutes=1))
    await deliver_all(world)
    world.later(dt.timedelta(minutes=10))
    await deliver_all(world)
    [dead] = await outbox.list_dead(world.deps, world.market_code)
    assert dead.id == market_message["id"]
    assert dead.attempts == 3
    assert "503" in (dead.last_error or "")
    outcomes = [a.outcome for a in await db_outbox.list_attempts(world.deps.pool, dead.id)]
    assert outcomes == ["RETRY", "RETRY", "DEAD"]

    assert await outbox.replay(world.deps, platform=world.market_code) == [dead.id]
    await deliver_all(world)
    assert [m["status"] for m in await messages(world, merchant)][-2:] == ["DELIVERED", "DELIVERED"]
    assert world.market.pushes.latest()[-1]["credit_level"] == "D"


async def test_a_rejected_push_is_dead_at_once(world: World) -> None:
    merchant = await merchant_on_both(world)
    world.standard.faults.fail_next(410, path_prefix=PUSH_PATH)
    await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    [dead] = await outbox.list_dead(world.deps, world.standard_code)
    assert (dead.attempts, "410" in (dead.last_error or "")) == (1, True)


async def test_a_rejection_whose_text_postgresql_cannot_keep_still_parks_the_message(world: World) -> None:
    """Regression: the error text with U+0000 failed to be recorded, so the message stayed leased
    and was pushed again every two minutes, forever."""
    merchant = await merchant_on_both(world)
    world.standard.faults.fail_next(400, path_prefix=PUSH_PATH, body="bad\x00request")
    await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    [dead] = await outbox.list_dead(world.deps, world.standard_code)
    assert "bad\\u0000request" in (dead.last_error or "")


async def test_versions_grow_per_subject_and_a_dead_message_a_later_delivery_supersedes_stays_dead(
    world: World,
) -> None:
    merchant = await merchant_on_both(world)
    world.standard.faults.fail_next(410, path_prefix=PUSH_PATH)
    record_id = await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    [dead] = await outbox.list_dead(world.deps, world.standard_code)
    async with transaction(world.deps.pool) as conn:
        await factories.withdraw(conn, record_id, at=START)  # the flag is lifted: a newer, delivered message
    await statuses.refresh_subjects(world.deps, [merchant.id])
    await deliver_all(world)
    assert await outbox.replay(world.deps, platform=world.standard_code) == []  # it would undo the lift
    assert [d.id for d in await outbox.list_dead(world.deps, world.standard_code)] == [dead.id]
    for platform in (world.standard_code, world.market_code):
        sent = [m for m in await messages(world, merchant) if m["platform"] == platform]
        assert [m["payload"]["version"] for m in sent] == [m["id"] for m in sent]  # ids grow: so do versions
    assert world.market.pushes.latest()[-1]["version"] > world.market.pushes.latest()[-2]["version"]


async def test_a_push_answered_with_a_page_that_is_not_json_is_a_failed_attempt_retried_later(world: World) -> None:
    """ShopMall acknowledges with a JSON code; a 200 that is not JSON is no acknowledgement.
    (A Standard Webhooks receiver acknowledges with any 2xx: its body is not read.)"""
    merchant = await merchant_on_both(world)
    code = world.market_code
    world.market.faults.garble_next()  # 200 with an HTML body: a proxy in the way, say
    await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)  # returns: the dispatcher goes on
    [failed] = [m for m in (await messages(world, merchant))[2:] if m["platform"] == code]
    assert (failed["status"], failed["attempts"]) == ("PENDING", 1)
    attempts = await world.deps.pool.fetch(
        "SELECT outcome, error FROM outbox_attempts WHERE message_id = $1", failed["id"]
    )
    assert [row["outcome"] for row in attempts] == ["RETRY"]
    world.later(dt.timedelta(minutes=2))
    await deliver_all(world)
    assert [m["status"] for m in await messages(world, merchant)] == ["DELIVERED"] * 4


async def test_a_throttled_push_waits_as_asked_without_using_up_an_attempt(world: World) -> None:
    merchant = await merchant_on_both(world)
    world.market.faults.throttle_next(retry_after=120, times=2, path_prefix="/open")
    await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    world.later(dt.timedelta(minutes=2))
    await deliver_all(world)
    [market_message] = [m for m in (await messages(world, merchant))[2:] if m["platform"] == world.market_code]
    assert (market_message["status"], market_message["attempts"], market_message["throttled"]) == ("PENDING", 0, 2)
    assert market_message["next_attempt_at"] == START + dt.timedelta(minutes=2) + dt.timedelta(minutes=2)
    world.later(dt.timedelta(minutes=2))
    await deliver_all(world)
    assert (await messages(world, merchant))[-1]["status"] == "DELIVERED"


async def test_a_message_whose_worker_died_mid_push_is_sent_again_and_kept_once(world: World) -> None:
    merchant = await merchant_on_both(world)
    await report_serious(world, merchant, world.standard_code)
    dead_worker = uuid.uuid4()
    claimed = await db_outbox.claim(world.deps.pool, world.clock.now(), 10, outbox.LEASE, dead_worker)
    message = next(m for m in claimed if m.platform == world.market_code)
    link = await world.deps.adapters["marketplace"].push_status(  # the push reached the platform…
        world.deps.http, await _link(world, world.market_code), message, world.clock.now()
    )
    assert link == 200
    assert await deliver_all(world) == 0  # …then the worker died: its lease still holds
    world.later(outbox.LEASE)
    assert await deliver_all(world) == 2
    assert world.market.pushes.receipts.count(message.idempotency_key) == 2
    assert len([k for k in world.market.pushes.messages if k == message.idempotency_key]) == 1
    async with transaction(world.deps.pool) as conn:  # the dead worker's late answer changes nothing
        assert not await work_queue.park(conn, db_outbox.QUEUE, message.id, dead_worker, "x", START)


async def test_a_platform_gets_a_subjects_changes_in_order(world: World) -> None:
    merchant = await merchant_on_both(world)
    world.market.faults.fail_next(503, path_prefix="/open")
    record_id = await report_serious(world, merchant, world.standard_code)
    await deliver_all(world)
    async with transaction(world.deps.pool) as conn:  # the record is withdrawn meanwhile
        await factories.withdraw(conn, record_id, world.clock.now())
    await statuses.refresh_subjects(world.deps, [merchant.id])
    await deliver_all(world)
    market_rows = [m for m in await messages(world, merchant) if m["platform"] == world.market_code]
    assert [m["status"] for m in market_rows[1:]] == ["PENDING", "PENDING"]  # the lift waits for the flag
    world.later(dt.timedelta(minutes=1))
    await deliver_all(world)
    tiers = [notice["credit_level"] for notice in world.market.pushes.latest()]
    assert tiers[-2:] == ["D", "B"]  # back from D; a new subject has not earned A


async def _link(world: World, code: str) -> Any:
    from credithub.db import platforms as db_platforms

    return await db_platforms.get_link(world.deps.pool, code)


async def test_objections_and_repair_reach_the_platforms_as_enforcement_changes_and_lifts(world: World) -> None:
    from credithub.domain.clients import Client, Role
    from credithub.services import objections, repairs

    merchant = await merchant_on_both(world)
    async with transaction(world.deps.pool) as conn:
        record = await factories.record(
            conn,
            merchant.id,
            world.standard_code,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=START - dt.timedelta(days=400),  # past the minimum publicity period: repairable
        )
    await statuses.refresh_subjects(world.deps, [merchant.id])
    regulator = Client(1, "samr", Role.REGULATOR, None, authority="国家市场监督管理总局")
    merchant_itself = Client(2, "merchant", Role.SUBJECT, None, subject_id=merchant.id)  # files; the regulator decides

    def market_changes() -> list[dict[str, Any]]:
        return world.market.pushes.latest()[-1]["changes"]

    await deliver_all(world)
    world.later(dt.timedelta(minutes=1))
    filed = await objections.file_objection(world.deps, merchant_itself, record.id, "交易真实，附凭证")
    await statuses.refresh_subjects(world.deps, [merchant.id])
    await deliver_all(world)
    assert {
        "type": "FLAG_ENFORCEMENT",
        "code": "CAMPAIGN_EXCLUSION",
        "before": "ENFORCED",
        "after": "NOT_ENFORCED",
    } in (market_changes())
    world.later(dt.timedelta(minutes=1))
    await objections.resolve_objection(world.deps, regulator, filed.id, upheld=False, note="核查属实")
    await statuses.refresh_subjects(world.deps, [merchant.id])
    await deliver_all(world)
    assert market_changes()[-1]["after"] == "ENFORCED"

    world.later(dt.timedelta(minutes=1))
    application = await repairs.apply_for_repair(
        world.deps, merchant_itself, record.id, "已整改", "本主体承诺守法诚信经营，接受监督"
    )
    await repairs.decide_repair(world.deps, regulator, application.id, approved=True, note="同意修复")
    await statuses.refresh_subjects(world.deps, [merchant.id])
    await deliver_all(world)
    assert {
        "type": "FLAG_LIFTED",
        "code": "CAMPAIGN_EXCLUSION",
        "before": "ENFORCED",
        "after": None,
    } in market_changes()
    assert world.market.pushes.latest()[-1]["credit_level"] == "B"
