"""`flagChanges` as a platform mirroring the joint restrictions: a snapshot, then changes, resumable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import SubjectKind
from credithub.services import statuses
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_credit_status import list_serious

FEED = """
query($after: String, $first: Int) {
  flagChanges(after: $after, first: $first) {
    pageInfo { endCursor hasNextPage }
    edges { cursor node { change snapshot subjectId flagKey
                          flag { measure mandatory enforced legalBasis sourceAuthority }
                          subject { name ... on Merchant { creditCode } } } }
  }
}"""

END = """
mutation($id: ID!) { endListing(entryId: $id, reason: "三年期满，移出名单") { __typename } }"""


async def page_to_the_end(client: GraphQLClient, after: str | None) -> tuple[list[dict[str, Any]], str]:
    nodes: list[dict[str, Any]] = []
    while True:
        feed = (await client.data(FEED, after=after, first=100))["flagChanges"]
        nodes += [edge["node"] for edge in feed["edges"]]
        after = feed["pageInfo"]["endCursor"]
        if not feed["pageInfo"]["hasNextPage"]:
            assert after is not None
            return nodes, after


async def test_a_platform_mirrors_a_listing_from_the_snapshot_and_follows_its_lifting(deps: Deps, cast: Cast) -> None:
    _, cursor = await page_to_the_end(cast.as_b, None)
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        serious = await factories.record(
            conn,
            merchant.id,
            cast.platform_a,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=factories.NOW - dt.timedelta(days=30),
        )
    entry = (await list_serious(cast, merchant.id, [serious.id]))["entry"]["id"]
    await statuses.refresh_subjects(deps, [merchant.id])
    mine = format_id(IdKind.SUBJECT, merchant.id)

    changes, cursor = await page_to_the_end(cast.as_b, cursor)
    [ban] = [n for n in changes if n["subjectId"] == mine and n["flag"]["measure"] == "ONBOARDING_BAN"]
    # Recommended: no law obliges platforms to refuse a listed subject (see the catalog).
    assert (ban["change"], ban["snapshot"], ban["flag"]["mandatory"]) == ("SET", False, False)
    assert ban["flag"]["sourceAuthority"] == "国家市场监督管理总局"
    assert ban["subject"]["creditCode"] == merchant.credit_code

    snapshot, _ = await page_to_the_end(cast.as_b, None)  # a new mirror starts with it in force
    assert any(n["snapshot"] and n["flagKey"] == ban["flagKey"] and n["subjectId"] == mine for n in snapshot)

    assert (await cast.as_regulator.data(END, id=entry))["endListing"]["__typename"] == "EndListingSuccess"
    await statuses.refresh_subjects(deps, [merchant.id])
    changes, _ = await page_to_the_end(cast.as_b, cursor)
    lifted = [n for n in changes if n["subjectId"] == mine and n["flagKey"] == ban["flagKey"]]
    assert [(n["change"], n["flag"]) for n in lifted] == [("LIFTED", None)]
    again, _ = await page_to_the_end(cast.as_b, cursor)  # resuming from the same cursor gives the same
    assert again == changes


async def test_a_cursor_from_another_list_is_refused(cast: Cast) -> None:
    error = await cast.as_b.error(FEED, after="bm90LWEtY3Vyc29y", first=5)
    assert error["extensions"]["code"] == "INVALID_CURSOR"
