"""The demo world shows every step of designation and due process, as the demo's own clients see it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.demo_hub import DEMO_NOW, DemoHub, serve_demo

ENTRIES = """
query($state: ListEntryState) {
  listEntries(first: 100, filter: {list: JOINT_CONSTRAINT, state: $state}) {
    edges { node {
      id state endCause noticeSentAt defenceDeadline validUntil decidedBy proposedBy
      defences { statement } subject { id name }
    } }
  }
}
"""


@pytest.fixture(scope="module")
async def hub(server_dsn: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[DemoHub]:
    async with serve_demo(server_dsn, template_db, tmp_path_factory.mktemp("demo")) as served:
        yield served


async def entries(hub: DemoHub, state: str) -> list[dict[str, Any]]:
    data = await hub.as_("regulator").data(ENTRIES, state=state)
    return [edge["node"] for edge in data["listEntries"]["edges"]]


async def test_proposals_wait_in_their_defence_window_or_for_a_decision(hub: DemoHub) -> None:
    proposed = await entries(hub, "PROPOSED")
    assert {entry["state"] for entry in proposed} == {"PROPOSED"}
    assert all(entry["noticeSentAt"] and entry["decidedBy"] is None for entry in proposed)
    open_window = [entry for entry in proposed if entry["defenceDeadline"] > DEMO_NOW.isoformat()]
    waiting = [entry for entry in proposed if entry["defenceDeadline"] <= DEMO_NOW.isoformat()]
    assert len(open_window) == 1
    assert len(waiting) == 1
    assert waiting[0]["defences"], "the merchant waiting for a decision stated its defence"


async def test_listings_in_force_dropped_expired_and_ended_by_exit(hub: DemoHub) -> None:
    in_force = await entries(hub, "IN_FORCE")
    assert {entry["state"] for entry in in_force} == {"IN_FORCE"}  # the filter is on the state shown now
    assert len(in_force) == 2  # one plain, one under an exit review
    assert all(entry["validUntil"] > DEMO_NOW.isoformat() for entry in in_force)
    [dropped] = await entries(hub, "DROPPED")
    assert dropped["defences"]
    ended = await entries(hub, "ENDED")  # ended by its authority, or by its validUntil passing
    assert sorted(entry["endCause"] for entry in ended) == ["EXIT", "EXPIRED"]
    expired = [entry for entry in ended if entry["endCause"] == "EXPIRED"]
    proposers = {entry["proposedBy"].split(":")[0] for entry in in_force + expired + [dropped]}
    assert proposers == {"platform"}
    assert {entry["decidedBy"] for entry in in_force} == {"regulator:demo-regulator"}


async def test_an_exit_review_is_open_for_a_listing_whose_record_its_platform_revoked(hub: DemoHub) -> None:
    data = await hub.as_("regulator").data(
        """{ exitReviews(filter: {status: OPEN}) { edges { node {
              cause openedBy entry { state authority } } } } }"""
    )
    [review] = [edge["node"] for edge in data["exitReviews"]["edges"]]
    assert review["cause"] == "WITHDRAWN"
    assert review["openedBy"].startswith("platform:")
    assert review["entry"]["state"] == "IN_FORCE"
    assert review["entry"]["authority"] == hub.deps.settings.joint_list_authority


async def test_objections_past_their_deadline_are_escalated_and_one_was_corrected(hub: DemoHub) -> None:
    data = await hub.as_("regulator").data(
        """{
          overdue: objections(first: 5, filter: {overdue: true}) { totalCount edges { node { escalated } } }
          upheld: objections(first: 5, filter: {status: UPHELD}) { edges { node {
            outcome record { severity statusHistory { toStatus } } } } }
        }"""
    )
    assert data["overdue"]["totalCount"] > 0
    assert all(edge["node"]["escalated"] for edge in data["overdue"]["edges"])
    corrected = [edge["node"] for edge in data["upheld"]["edges"] if edge["node"]["outcome"] == "CORRECT"]
    assert len(corrected) == 1
    assert corrected[0]["record"]["severity"] == "GENERAL"
    assert corrected[0]["record"]["statusHistory"][-1]["toStatus"] == "ACTIVE"


async def test_the_subject_client_sees_its_own_proposal_and_notice_and_nobody_else(hub: DemoHub) -> None:
    as_subject = hub.as_("subject")
    data = await as_subject.data(
        """{ viewer { role }
             subjects(first: 5) { totalCount edges { node { id notices { edges { node { kind } } } } } }
             listEntries { edges { node { state subject { id } } } } }"""
    )
    assert data["viewer"]["role"] == "SUBJECT"
    [me] = [edge["node"] for edge in data["subjects"]["edges"]]
    assert data["subjects"]["totalCount"] == 1
    assert [edge["node"]["kind"] for edge in me["notices"]["edges"]] == ["LISTING_PROPOSED"]
    assert [(edge["node"]["state"], edge["node"]["subject"]["id"]) for edge in data["listEntries"]["edges"]] == [
        ("PROPOSED", me["id"])
    ]
    [defending] = [e for e in await entries(hub, "PROPOSED") if e["defenceDeadline"] > DEMO_NOW.isoformat()]
    assert defending["subject"]["id"] == me["id"]


async def test_the_readme_batch_still_answers_d_c_and_a(hub: DemoHub) -> None:
    """The stories leave alone the three merchants the README's batch example names."""
    data = await hub.as_("admin").data(
        """{ creditStatuses(creditCodes: ["91320106MAX9W2CK58", "91310115MACRC65R8X", "92440305MAGJATE14E"]) {
              ... on CreditStatus { tier flags { measure } } } }"""
    )
    statuses = data["creditStatuses"]
    assert [status["tier"] for status in statuses] == ["D", "C", "A"]
    assert {flag["measure"] for flag in statuses[0]["flags"]} == {"ONBOARDING_BAN", "CAMPAIGN_EXCLUSION"}
    assert {flag["measure"] for flag in statuses[2]["flags"]} == {"DEPOSIT_REDUCTION"}


async def test_the_subject_gets_a_signed_report_on_itself_and_on_nobody_else(hub: DemoHub) -> None:
    as_subject = hub.as_("subject")
    me = (await as_subject.data("{ subjects(first: 1) { edges { node { id } } } }"))["subjects"]["edges"][0]["node"]
    document = """query($id: ID!) { creditReport(subjectId: $id) {
        __typename ... on CreditReport { signed } ... on UserError { code } } }"""
    own = (await as_subject.data(document, id=me["id"]))["creditReport"]
    assert own["__typename"] == "CreditReport"
    assert me["id"] in own["signed"]
    other = (await as_subject.data(document, id="sub_1"))["creditReport"]
    assert other == {"__typename": "PermissionDeniedError", "code": "PERMISSION_DENIED"}


COMMITMENTS = (
    """query($id: ID!) { subject(id: $id) { commitments { state brokenByRecordId termFrom termUntil madeBy } } }"""
)


async def test_one_commitment_was_broken_by_a_later_record_and_one_runs(hub: DemoHub) -> None:
    async def states_of(entries_: list[dict[str, Any]]) -> list[str]:
        found = []
        for entry in entries_:
            data = await hub.as_("regulator").data(COMMITMENTS, id=entry["subject"]["id"])
            found += [commitment["state"] for commitment in data["subject"]["commitments"]]
        return found

    in_force = await entries(hub, "IN_FORCE")
    proposed = [e for e in await entries(hub, "PROPOSED") if e["defenceDeadline"] > DEMO_NOW.isoformat()]
    assert await states_of(in_force) == ["BROKEN"]
    assert await states_of(proposed) == ["IN_TERM"]
