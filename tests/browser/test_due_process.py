"""Designation and due process in the dashboard, in a real headless Chromium on the demo world: a
regulator of the designating authority decides a listing proposal once the defence window has
closed (the proposer cannot, and a refusal is shown with its code) and sees it in force; a
subject signs in with its own token, sees only itself, and states its defence by keyboard on a
phone; a name search lists screening candidates with their scores. Every test also fails if the
page logs an error or reaches beyond 127.0.0.1 (conftest)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from credithub.domain import lists as domain_lists
from credithub.domain.authority import CHINA
from credithub.domain.clients import Client
from credithub.domain.ids import IdKind, format_id, parse_id
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.services import clients
from credithub.services import lists as list_service
from tests import factories
from tests.browser.conftest import PHONE, WAIT_MS, DemoHub, Tab
from tests.browser.test_dashboard import graphql, press_until
from tests.conftest import FixedClock
from tests.e2e.graphql_client import GraphQLClient

pytestmark = pytest.mark.slow

AUTHORITY = "国家市场监督管理总局"  # designates most of the demo world's serious-dishonest entries
REASON = "售假情节严重，拟列入严重失信主体名单"

CLEAN_MERCHANTS = """query($platform: String!) {
  subjects(first: 20, filter: {kind: MERCHANT, tier: A, platform: $platform}) { edges { node {
  id name ... on Merchant { creditCode } accounts { platform externalId } } } } }"""

REVOKE = """mutation($input: RevokeViolationInput!) { revokeViolation(input: $input) {
  __typename ... on UserError { message code } } }"""

REPORT = """mutation($input: ReportViolationInput!) { reportViolation(input: $input) {
  __typename ... on ReportViolationSuccess { record { id } } ... on UserError { message code } } }"""

PROPOSE = """mutation($input: ProposeListingInput!) { proposeListing(input: $input) {
  __typename ... on ProposeListingSuccess { entry { id defenceDeadline } } ... on UserError { message code } } }"""

ENTRY = """query($id: ID!) { listEntries(filter: {subjectId: $id}) { edges { node {
  id state decisionRef validUntil defences { statement } } } } }"""


async def merchant_with_serious_record(hub: DemoHub, index: int, *, with_violation_id: bool = False) -> Any:
    """A demo merchant in good standing on shopmall (the `index`th, so tests keep apart), and a
    serious violation shopmall reported a month after the fact's occurrence: the merchant and the
    record's id (and the platform's violation id)."""
    merchants = (await graphql(hub, "admin", CLEAN_MERCHANTS, platform="shopmall"))["subjects"]["edges"]
    merchant: dict[str, Any] = merchants[index]["node"]
    account = next(each["externalId"] for each in merchant["accounts"] if each["platform"] == "shopmall")
    violation = {
        "violationId": f"V-{factories.suffix()}",
        "subject": {"kind": "MERCHANT", "accountId": account, "creditCode": merchant["creditCode"]},
        "category": "COUNTERFEIT_GOODS",
        "severity": "SERIOUS",
        "occurredAt": (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat(),
        "description": "售假：仿冒注册商标的化妆品，货值较大",
        "legalBasis": "《中华人民共和国电子商务法》第十三条",
    }
    reported = (await graphql(hub, "shopmall", REPORT, input=violation))["reportViolation"]
    assert reported["__typename"] == "ReportViolationSuccess", reported
    if with_violation_id:
        return merchant, reported["record"]["id"], violation["violationId"]
    return merchant, reported["record"]["id"]


async def regulator(hub: DemoHub, name: str) -> tuple[str, Client]:
    """A regulator client bound to AUTHORITY: its token, and the client as the hub knows it."""
    issued = await clients.add_client(hub.deps, f"{name} {factories.suffix()}", "regulator", authority=AUTHORITY)
    client = await clients.authenticate(hub.deps, issued.token)
    assert client is not None
    return issued.token, client


def proposal(merchant: dict[str, Any], record_id: str) -> domain_lists.Proposal:
    return domain_lists.Proposal(
        list=domain_lists.ListKind.SERIOUS_DISHONEST,
        subject_id=parse_id(IdKind.SUBJECT, merchant["id"]),
        record_ids=(parse_id(IdKind.RECORD, record_id),),
        reason=REASON,
        legal_basis=LegalBasis("《中华人民共和国电子商务法》", "第十三条"),
        legal_basis_level=LegalBasisLevel.LAW,
        exit_condition="期满且已履行行政处罚决定",
    )


def days_ago(hub: DemoHub, days: int) -> Any:
    """The hub's services on a clock `days` back: what the API cannot do, happening in the past."""
    return dataclasses.replace(hub.deps, clock=FixedClock(dt.datetime.now(dt.UTC) - dt.timedelta(days=days)))


async def report_id(page: Any) -> str:
    """The id the status line gives the report just issued."""
    text = await page.get_by_text(re.compile(r"Report rpt_\w+ issued")).inner_text()
    return re.findall(r"rpt_\w+", text)[0]


async def graphql_as(hub: DemoHub, token: str, document: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=hub.url, timeout=30) as http:
        return await GraphQLClient(http, token).data(document, **variables)


def today_in_china() -> dt.date:
    """The date the dashboard shows for now (China time): from 16:00 UTC a day ahead of UTC's."""
    return dt.datetime.now(CHINA).date()


def in_years(years: int) -> str:
    return (today_in_china() + dt.timedelta(days=365 * years)).isoformat()


async def test_a_regulator_decides_a_listing_proposal_in_the_queue_and_sees_it_in_force(tab: Tab) -> None:
    hub = tab.hub
    merchant, record_id = await merchant_with_serious_record(hub, 5)
    proposer_token, proposer = await regulator(hub, "市场监管 拟列入")
    decider_token, _ = await regulator(hub, "市场监管 决定")
    # Proposed eleven days ago (the window was ten days); the subject's platform defended it then.
    entry = await list_service.propose_listing(days_ago(hub, 11), proposer, proposal(merchant, record_id))
    shopmall = await clients.authenticate(hub.deps, hub.token("shopmall"))
    assert shopmall is not None
    defence = "该批商品系供应商提供，已下架并召回，请求从轻处理"
    await list_service.submit_defence(days_ago(hub, 10), shopmall, entry.id, defence)

    page = tab.page
    await tab.sign_in_with(proposer_token)
    await page.get_by_role("link", name="Work queues").click()
    await tab.ready()
    proposals = page.get_by_role("region", name="Listing proposals")
    item = proposals.locator("li.item", has_text=merchant["name"])
    await expect(item).to_contain_text("You proposed it: another regulator of 国家市场监督管理总局 decides.")
    await expect(item.get_by_text("Decide this proposal")).to_have_count(0)
    await page.get_by_role("button", name="Sign out").click()

    await tab.sign_in_with(decider_token)
    await page.get_by_role("link", name="Work queues").click()
    await tab.ready()
    await expect(page.get_by_role("region", name="Exit reviews")).to_be_visible()
    item = proposals.locator("li.item", has_text=merchant["name"])
    await expect(item).to_contain_text("Defence window closed")
    await expect(item).to_contain_text(defence)
    await expect(item).to_contain_text(REASON)
    await item.get_by_text("Decide this proposal").click()
    await item.get_by_label("Decision note").fill("经审查，当事人陈述申辩理由不成立，决定列入严重失信主体名单。")
    await item.get_by_label("Decision document number").fill("国市监信决〔2026〕7号")
    await item.get_by_label("In force until").fill(in_years(5))  # longer than the record may be published
    await item.get_by_role("button", name="List: put it in force").click()
    await expect(item.get_by_role("alert")).to_contain_text("VALIDITY_TOO_LONG")
    await tab.shot("queue-listing-proposal")
    await item.get_by_label("In force until").fill(in_years(1))
    await item.get_by_role("button", name="List: put it in force").click()
    status = page.locator(".status-line")
    await expect(status).to_contain_text(f"is in force from {today_in_china().isoformat()}")
    await expect(proposals.locator("li.item", has_text=merchant["name"])).to_have_count(0)
    await tab.shot("queue-listing-decided", full_page=False)

    await status.get_by_role("link", name=merchant["name"]).click()
    await tab.ready()
    await expect(page.get_by_role("heading", level=1)).to_have_text(merchant["name"])
    await expect(page.locator(".standing")).to_contain_text("On the serious-dishonest list")
    listed = page.get_by_role("region", name="Lists").locator(
        "li.item", has_text=format_id(IdKind.LIST_ENTRY, entry.id)
    )
    await expect(listed).to_contain_text("In force")
    await expect(listed).to_contain_text("国市监信决〔2026〕7号")
    await tab.shot("subject-listing-in-force")
    await page.get_by_text("Credit report", exact=True).click()
    await page.get_by_role("button", name="Issue a credit report").click()
    printable = page.get_by_role("link", name="Printable report (HTML)")
    assert (await printable.get_attribute("href") or "").startswith("data:text/html")
    assert await printable.get_attribute("download") == f"{(await report_id(page))}.html"
    stored = (await graphql(hub, "admin", ENTRY, id=merchant["id"]))["listEntries"]["edges"][0]["node"]
    assert (stored["state"], stored["decisionRef"]) == ("IN_FORCE", "国市监信决〔2026〕7号")


@pytest.mark.parametrize("tab", [PHONE], indirect=True)
async def test_a_subject_signs_in_sees_only_itself_and_states_its_defence_by_keyboard(tab: Tab) -> None:
    hub = tab.hub
    merchant, record_id = await merchant_with_serious_record(hub, 6)
    proposer_token, _ = await regulator(hub, "市场监管 拟列入")
    proposed = await graphql_as(
        hub,
        proposer_token,
        PROPOSE,
        input={
            "subjectId": merchant["id"],
            "list": "SERIOUS_DISHONEST",
            "recordIds": [record_id],
            "reason": REASON,
            "legalBasis": "《中华人民共和国电子商务法》",
            "legalBasisReference": "第十三条",
            "legalBasisLevel": "LAW",
        },
    )
    assert proposed["proposeListing"]["__typename"] == "ProposeListingSuccess", proposed
    itself = await clients.add_client(hub.deps, f"{merchant['name']} 本企业", "subject", subject=merchant["id"])
    other = (await graphql(hub, "admin", CLEAN_MERCHANTS, platform="bazaar"))["subjects"]["edges"][0]["node"]

    page = tab.page
    await tab.sign_in_with(itself.token)
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text(merchant["name"])
    navigation = page.get_by_role("navigation", name="Screens")
    assert await navigation.get_by_role("link").all_inner_texts() == ["My credit page", "GraphiQL"]
    await expect(page.locator(".who")).to_contain_text("subject (its own page)")
    for elsewhere in (f"subject/{other['id']}", "search", "queues"):
        await tab.open(elsewhere)
        await expect(heading).to_have_text(merchant["name"])

    lists = page.get_by_role("region", name="Lists")
    entry = lists.locator("li.item", has_text=REASON)
    await expect(entry).to_contain_text("Proposed")
    await expect(entry).to_contain_text("Defence window open until")
    await expect(page.get_by_role("region", name="Notices")).to_contain_text("Listing proposed")
    await expect(page.get_by_text("Contest or repair this record").first).to_be_visible()
    await expect(page.get_by_text("Credit report", exact=True)).to_be_visible()
    await tab.shot("subject-self-phone")

    summary = entry.get_by_text("State a defence against this proposal")
    await press_until(tab, "Tab", summary, limit=80)
    await page.keyboard.press("Enter")
    statement = entry.get_by_label("Your defence (陈述申辩)")
    await press_until(tab, "Tab", statement)
    await page.keyboard.type("涉事商品已全部下架召回，并已赔偿消费者，请求不予列入。")
    await press_until(tab, "Tab", entry.get_by_role("button", name="Submit defence"))
    await page.keyboard.press("Enter")
    await expect(page.locator(".status-line")).to_contain_text("Defence recorded")
    await expect(lists.locator("li.item", has_text=REASON)).to_contain_text("涉事商品已全部下架召回")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the subject's own page scrolls sideways on a phone"
    await tab.shot("subject-defence-phone")
    stored = (await graphql(hub, "admin", ENTRY, id=merchant["id"]))["listEntries"]["edges"][0]["node"]
    assert [each["statement"] for each in stored["defences"]] == [
        "涉事商品已全部下架召回，并已赔偿消费者，请求不予列入。"
    ]


async def test_a_name_search_lists_screening_candidates_with_their_scores(tab: Tab) -> None:
    merchant = (await graphql(tab.hub, "admin", CLEAN_MERCHANTS, platform="bazaar"))["subjects"]["edges"][3]["node"]
    name: str = merchant["name"]
    middle = len(name) // 3
    misspelt = name[:middle] + ("甲" if name[middle] != "甲" else "乙") + name[middle + 1 :]
    await tab.sign_in("viewer")
    await tab.page.get_by_role("link", name="Search").click()
    await tab.page.get_by_label("Credit code or part of a name").fill(misspelt)
    await tab.page.get_by_role("button", name="Search").click()
    screening = tab.page.get_by_role("region", name="Screening: names like this one")
    row = screening.locator("tr", has_text=merchant["creditCode"])  # the demo world repeats some names
    await expect(row.get_by_role("link", name=name)).to_be_visible(timeout=WAIT_MS)
    score = float(re.findall(r"[01]\.\d\d", await row.locator("td.score").inner_text())[0])
    assert 0.8 <= score < 1
    await expect(tab.page.get_by_text(f"No subject's name contains “{misspelt}”.")).to_be_visible()
    await tab.shot("search-screening")


async def test_a_regulator_answers_an_exit_review_when_the_platform_takes_its_record_back(tab: Tab) -> None:
    hub = tab.hub
    merchant, record_id, violation_id = await merchant_with_serious_record(hub, 7, with_violation_id=True)
    _, proposer = await regulator(hub, "市场监管 拟列入")
    decider_token, decider = await regulator(hub, "市场监管 决定")
    entry = await list_service.propose_listing(days_ago(hub, 11), proposer, proposal(merchant, record_id))
    await list_service.decide_listing(
        hub.deps,
        decider,
        entry.id,
        listed=True,
        note="列入严重失信主体名单",
        decision_ref=None,
        valid_until=dt.datetime.now(dt.UTC) + dt.timedelta(days=365),
    )
    revoked = await graphql(hub, "shopmall", REVOKE, input={"violationId": violation_id, "reason": "误判，撤销处罚"})
    assert revoked["revokeViolation"]["__typename"] == "RevokeViolationSuccess", revoked

    page = tab.page
    await tab.sign_in_with(decider_token)
    await page.get_by_role("link", name="Work queues").click()
    await tab.ready()
    review = page.get_by_role("region", name="Exit reviews").locator("li.item", has_text=merchant["name"])
    await expect(review).to_contain_text(f"Record {record_id} withdrawn by")
    await review.get_by_text("Answer this exit review").click()
    await review.get_by_label("Decision note").fill("据以列入的违法记录已被撤销，移出名单。")
    await tab.shot("queue-exit-review", full_page=False)
    await review.get_by_role("button", name="End the listing").click()
    await expect(page.locator(".status-line")).to_contain_text("entry is ended")
    stored = (await graphql(hub, "admin", ENTRY, id=merchant["id"]))["listEntries"]["edges"][0]["node"]
    assert stored["state"] == "ENDED"
