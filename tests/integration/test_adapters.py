"""Each adapter against a simulator of its platform, served for real on loopback: paging,
mapping, failures that must never read as an empty feed, and signatures both ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from credithub.domain.clients import generate_webhook_secret
from credithub.domain.deliveries import Message
from credithub.domain.platforms import CodeMapping, PlatformLink
from credithub.domain.records import Category, Severity
from platform_adapters.errors import PlatformContractError, PlatformRejected, PlatformThrottled, PlatformUnavailable
from platform_adapters.livestream.client import LivestreamAdapter
from platform_adapters.livestream.simulator import LivestreamSimulator
from platform_adapters.marketplace.client import MarketplaceAdapter
from platform_adapters.marketplace.simulator import MarketplaceSimulator
from platform_adapters.protocol import FeedPage, PulledItem, RefusedItem
from platform_adapters.standard.client import StandardAdapter
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator
from tests import factories, loopback

NOW = dt.datetime.now(dt.UTC)
SECRET = generate_webhook_secret()
OUTBOUND = generate_webhook_secret()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=1.0) as client:
        yield client


def link(family: str, api_url: str, *, push_url: str | None = None, **changes: Any) -> PlatformLink:
    codes = {
        "SP-201": CodeMapping("SP-201", Category.FAKE_TRANSACTIONS, Severity.SERIOUS, None),
        "LW-FAKE-SALES": CodeMapping("LW-FAKE-SALES", Category.FAKE_TRANSACTIONS, Severity.SERIOUS, None),
    }
    base = PlatformLink("sim", family, api_url, push_url, "key-123", (SECRET,), OUTBOUND, codes)
    return PlatformLink(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, **changes})


def message(**payload: Any) -> Message:
    data = {
        "subject_id": "sub_1",
        "kind": "MERCHANT",
        "credit_code": factories.credit_code(),
        "accounts": ["S1"],
        "tier": "D",
        "on_serious_dishonest_list": False,
        "flags": [
            {
                "measure": "CAMPAIGN_EXCLUSION",
                "kind": "RESTRICTION",
                "mandatory": False,
                "enforced": True,
                "not_enforced_reason": None,
                "scope": "ALL_PLATFORMS",
                "legal_basis": "basis",
                "source_platform": "other",
                "source_authority": None,
                "via": None,
                "effective_from": NOW.isoformat(),
                "effective_until": None,
            }
        ],
        "changed": [{"kind": "FLAG_ADDED", "measure": "CAMPAIGN_EXCLUSION", "from": None, "to": "ENFORCED"}],
        "as_of": NOW.isoformat(),
        "version": 7,
    } | payload
    return Message(42, "sim", 1, data, NOW, 1)


def events(page: FeedPage) -> list[PulledItem]:
    return [item for item in page.items if isinstance(item, PulledItem)]


# ---- standard ---------------------------------------------------------------------------------


@pytest.fixture
async def standard() -> AsyncIterator[tuple[StandardSimulator, str]]:
    sim = StandardSimulator(api_key="key-123", outbound_secret=OUTBOUND)
    for n in range(5):
        sim.add_event(f"evt-{n}", {"type": "violation.revoked", "timestamp": NOW.isoformat(), "data": {"n": n}})
    async with loopback.serve(sim.app) as url:
        yield sim, url


async def test_the_standard_feed_pages_to_its_end_and_reads_the_same_twice(
    standard: tuple[StandardSimulator, str], http: httpx.AsyncClient
) -> None:
    _, url = standard
    adapter, target = StandardAdapter(), link("standard", url)
    seen, cursor, pages = [], None, 0
    while True:
        page = await adapter.fetch_page(http, target, "events", cursor, 2)
        seen += [item.item_id for item in events(page)]
        pages += 1
        if not page.has_more:
            break
        again = await adapter.fetch_page(http, target, "events", cursor, 2)
        assert again == page
        cursor = page.cursor
    assert (seen, pages) == ([f"evt-{n}" for n in range(5)], 3)
    assert events(page)[0].event["type"] == "violation.revoked"


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (lambda faults: faults.fail_next(503), PlatformUnavailable),
        (lambda faults: faults.fail_next(500), PlatformUnavailable),
        (lambda faults: faults.stall_next(1.5), PlatformUnavailable),  # longer than the client's 1 s timeout
        (lambda faults: faults.garble_next(), PlatformContractError),
        (lambda faults: faults.fail_next(404), PlatformRejected),
    ],
    ids=["503", "500", "timeout", "not-json", "404"],
)
async def test_a_failing_feed_raises_and_never_reads_as_empty(
    standard: tuple[StandardSimulator, str], http: httpx.AsyncClient, script: Any, expected: type[Exception]
) -> None:
    sim, url = standard
    script(sim.faults)
    with pytest.raises(expected):
        await StandardAdapter().fetch_page(http, link("standard", url), "events", None, 10)


@pytest.mark.parametrize(
    ("body", "refusal"),
    [
        ("[]", "not a JSON object"),
        ('{"events": {}, "has_more": false}', "needs an `events` list and a boolean `has_more`"),
        ('{"events": [], "has_more": "no"}', "needs an `events` list and a boolean `has_more`"),
        ('{"events": [], "has_more": false, "next_cursor": 5}', "`next_cursor` must be a string or null"),
        ('{"events": [], "has_more": true}', "says `has_more` but gives no `next_cursor`"),
        ('{"events": [{"id": "e-1"}, {"type": "x"}], "has_more": false}', "every feed event needs a string `id`"),
        ('{"events": [{"id": ""}], "has_more": false}', "every feed event needs a string `id`"),
    ],
    ids=[
        "array",
        "events-not-a-list",
        "has-more-not-a-bool",
        "cursor-not-a-string",
        "more-without-cursor",
        "event-without-id",
        "empty-id",
    ],
)
async def test_a_feed_page_off_its_contract_is_refused_saying_what_is_wrong(
    standard: tuple[StandardSimulator, str], http: httpx.AsyncClient, body: str, refusal: str
) -> None:
    sim, url = standard
    sim.faults.fail_next(200, body=body)
    with pytest.raises(PlatformContractError) as refused:
        await StandardAdapter().fetch_page(http, link("standard", url), "events", None, 10)
    assert refusal in str(refused.value)


async def test_a_throttled_feed_says_when_to_come_back(
    standard: tuple[StandardSimulator, str], http: httpx.AsyncClient
) -> None:
    sim, url = standard
    sim.faults.throttle_next(retry_after=7)
    with pytest.raises(PlatformThrottled) as throttled:
        await StandardAdapter().fetch_page(http, link("standard", url), "events", None, 10)
    assert throttled.value.retry_after == dt.timedelta(seconds=7)


async def test_a_wrong_api_key_is_a_rejection(standard: tuple[StandardSimulator, str], http: httpx.AsyncClient) -> None:
    _, url = standard
    with pytest.raises(PlatformRejected, match="401"):
        await StandardAdapter().fetch_page(http, link("standard", url, api_key="wrong"), "events", None, 10)


async def test_a_standard_push_is_a_standard_webhook_the_platform_verifies(
    standard: tuple[StandardSimulator, str], http: httpx.AsyncClient
) -> None:
    sim, url = standard
    target = link("standard", url, push_url=url + PUSH_PATH)
    assert await StandardAdapter().push_status(http, target, message(), NOW) == 204
    [kept] = sim.pushes.latest()
    assert kept["type"] == "credit.status_changed"
    assert set(kept["data"]) >= {"subject_id", "kind", "credit_code", "accounts", "tier", "flags", "changed"}
    assert list(sim.pushes.messages) == ["msg_42"]
    forged = link("standard", url, push_url=url + PUSH_PATH, outbound_secret=generate_webhook_secret())
    with pytest.raises(PlatformRejected, match="401"):
        await StandardAdapter().push_status(http, forged, message(), NOW)
    assert sim.pushes.refused == 1


# ---- marketplace ------------------------------------------------------------------------------


@pytest.fixture
async def marketplace() -> AsyncIterator[tuple[MarketplaceSimulator, str]]:
    sim = MarketplaceSimulator(api_key="key-123", outbound_secret=OUTBOUND)
    async with loopback.serve(sim.app) as url:
        yield sim, url


async def _walk(adapter: Any, target: PlatformLink, stream: str, limit: int) -> list[PulledItem | RefusedItem]:
    async with httpx.AsyncClient(timeout=2) as http:
        return await _pages(adapter, http, target, stream, limit)


async def _pages(
    adapter: Any, http: httpx.AsyncClient, target: PlatformLink, stream: str, limit: int
) -> list[PulledItem | RefusedItem]:
    found: list[PulledItem | RefusedItem] = []
    cursor = None
    for _ in range(50):
        page = await adapter.fetch_page(http, target, stream, cursor, limit)
        found += page.items
        cursor = page.cursor
        if not page.has_more:
            return found
    raise AssertionError("the feed never ended")


async def test_marketplace_shops_and_penalties_become_hub_events_by_the_platform_codes(
    marketplace: tuple[MarketplaceSimulator, str],
) -> None:
    sim, url = marketplace
    code = factories.credit_code()
    sim.put_shop("S1", code, "云帆旗舰店", status=2)
    sim.put_penalty("P1", "S1", "SP-201", at_ms=int(NOW.timestamp() * 1000) - 86_400_000)
    sim.put_penalty("P2", "S1", "SP-999", at_ms=int(NOW.timestamp() * 1000))
    sim.put_penalty("P3", "S1", "SP-201", at_ms=int(NOW.timestamp() * 1000))
    sim.revoke_penalty("P3", "申诉成立")
    target = link("marketplace", url)
    [shop] = await _walk(MarketplaceAdapter(), target, "shops", 10)
    assert isinstance(shop, PulledItem)
    assert shop.event["data"]["status"] == "SUSPENDED"
    assert shop.event["data"]["subject"] == {
        "kind": "MERCHANT",
        "account_id": "S1",
        "name": "云帆旗舰店",
        "credit_code": code,
    }
    items = await _walk(MarketplaceAdapter(), target, "penalties", 10)
    reported = [i for i in items if isinstance(i, PulledItem) and i.event["type"] == "violation.reported"]
    assert {i.event["data"]["violation_id"] for i in reported} == {"P1", "P3"}
    assert {(i.event["data"]["category"], i.event["data"]["severity"]) for i in reported} == {
        ("FAKE_TRANSACTIONS", "SERIOUS")
    }
    [refused] = [i for i in items if isinstance(i, RefusedItem)]
    assert "SP-999" in refused.reason
    [revoked] = [i for i in items if isinstance(i, PulledItem) and i.event["type"] == "violation.revoked"]
    assert revoked.event["data"] == {"violation_id": "P3", "reason": "申诉成立"}


async def test_marketplace_paging_never_skips_items_sharing_a_millisecond(
    marketplace: tuple[MarketplaceSimulator, str],
) -> None:
    sim, url = marketplace
    code = factories.credit_code()
    for n in range(7):
        sim.put_shop(f"S{n}", code, f"店 {n}")
    for shop in list(sim.shops.values())[1:6]:  # five items in one millisecond, pages of two
        shop["gmt_modified_ms"] = sim.shops["S1"]["gmt_modified_ms"]
    items = await _walk(MarketplaceAdapter(), link("marketplace", url), "shops", 2)
    assert {item.item_id.split("@")[0] for item in items} == {f"shop:S{n}" for n in range(7)}


async def test_a_marketplace_notice_carries_its_field_names_and_a_signature_it_checks(
    marketplace: tuple[MarketplaceSimulator, str], http: httpx.AsyncClient
) -> None:
    sim, url = marketplace
    await MarketplaceAdapter().push_status(http, link("marketplace", url), message(), NOW)
    [notice] = sim.pushes.latest()
    assert notice["request_id"] == "msg_42"
    assert notice["credit_level"] == "D"
    assert notice["restrictions"][0]["code"] == "CAMPAIGN_EXCLUSION"
    assert notice["restrictions"][0]["start_ms"] == int(NOW.timestamp() * 1000)
    with pytest.raises(PlatformRejected):
        await MarketplaceAdapter().push_status(
            http, link("marketplace", url, outbound_secret="whsec_b3RoZXI="), message(), NOW
        )


# ---- livestream -------------------------------------------------------------------------------


@pytest.fixture
async def livestream() -> AsyncIterator[tuple[LivestreamSimulator, str]]:
    sim = LivestreamSimulator(api_key="key-123", signing_secret=SECRET, outbound_secret=OUTBOUND)
    async with loopback.serve(sim.app) as url:
        yield sim, url


async def test_livestream_feeds_walk_opaque_cursors_and_convert_china_time(
    livestream: tuple[LivestreamSimulator, str],
) -> None:
    sim, url = livestream
    person = factories.resident_id()
    for n in range(3):
        sim.put_anchor(f"lw_{n}", person, f"主播{n}", state="BANNED" if n == 2 else "NORMAL")
    sim.put_violation("V1", "lw_0", person, "LW-FAKE-SALES", punished=NOW - dt.timedelta(days=3))
    sim.put_contract(
        "C1",
        {"org_id": "org_9", "org_name": "星辰传媒", "uscc": factories.credit_code()},
        "lw_0",
        person,
        sign_date="2025-01-02",
    )
    target = link("livestream", url)
    anchors = await _walk(LivestreamAdapter(), target, "anchors", 2)
    assert [a.event["data"]["status"] for a in anchors if isinstance(a, PulledItem)] == [
        "ACTIVE",
        "ACTIVE",
        "SUSPENDED",
    ]
    assert anchors[0].event["data"]["opened_at"] == "2025-03-02T02:00:00+00:00"  # 10:00 in Beijing
    [contract] = await _walk(LivestreamAdapter(), target, "contracts", 10)
    assert contract.event["data"]["valid_from"] == "2025-01-01T16:00:00+00:00"
    [violation] = await _walk(LivestreamAdapter(), target, "violations", 10)
    assert violation.event["data"]["subject"]["id_number"] == person  # hashed by the hub's parser, never stored


async def test_a_livestream_page_whose_signature_does_not_verify_is_refused(
    livestream: tuple[LivestreamSimulator, str], http: httpx.AsyncClient
) -> None:
    sim, url = livestream
    sim.put_anchor("lw_1", factories.resident_id(), "主播")
    with pytest.raises(PlatformContractError, match="signature"):
        await LivestreamAdapter().fetch_page(
            http, link("livestream", url, webhook_secrets=(generate_webhook_secret(),)), "anchors", None, 10
        )
    rotated = link("livestream", url, webhook_secrets=(generate_webhook_secret(), SECRET))  # any active secret will do
    assert (await LivestreamAdapter().fetch_page(http, rotated, "anchors", None, 10)).items


async def test_a_livestream_notice_is_signed_with_its_scheme(
    livestream: tuple[LivestreamSimulator, str], http: httpx.AsyncClient
) -> None:
    sim, url = livestream
    await LivestreamAdapter().push_status(http, link("livestream", url), message(), NOW)
    [notice] = sim.pushes.latest()
    assert (notice["msg_id"], notice["grade"], notice["restrictions"][0]["measure"]) == (
        "msg_42",
        "D",
        "CAMPAIGN_EXCLUSION",
    )
    assert sim.pushes.refused == 0
