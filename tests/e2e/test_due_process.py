"""Designation and due process from the user's side: who may cause which effect, over real HTTP
and signed webhooks.

One platform's word never becomes everyone's mandatory sanction without a designation; a listing
is proposed, noticed, defended and decided by someone other than its proposer, in force until its
`validUntil`; objections and repairs are decided by the record's source, never by whoever filed
them, and cannot be used to stall; tiers are earned; the red list and a blacklist never hold a
subject at once; execution feedback is tied to flags; platforms see only what they need.

Tests that move time or change the measures catalog run on a hub of their own (`court`): its own
database, a clock the test moves, and a defence window of DEFENCE_DAYS days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from credithub.db import subjects as db_subjects
from credithub.db.pool import create_pool, transaction
from credithub.domain.identifiers import compute_person_hash, parse_resident_id
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, Severity
from credithub.domain.rules import add_months
from credithub.domain.subjects import Subject, SubjectKind
from credithub.entrypoints.app import create_app
from credithub.services import catalog, clients, inbox, statuses
from credithub.services.clients import RegisteredPlatform
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.conftest import FixedClock, make_deps, make_settings
from tests.e2e.conftest import AUTHORITY, Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_authority_decisions import decision
from tests.e2e.test_authority_decisions import record as record_decision
from tests.e2e.test_webhooks import sign

DEFENCE_DAYS = 10
OBJECTION_DAYS = 15

STATUS = """
query($id: ID!) { subject(id: $id) { creditStatus {
  tier tierReason onSeriousDishonestList onJointConstraintList onRedList
  flags { measure kind mandatory enforced scope legalBasisLevel sourcePlatform sourceAuthority recordIds listEntryIds
          reason executions { platform action } }
} } }"""

PROPOSE = """
mutation($input: ProposeListingInput!) {
  proposeListing(input: $input) {
    __typename
    ... on ProposeListingSuccess { entry { id list state authority proposedBy noticeSentAt defenceDeadline inForce } }
    ... on UserError { message code }
  }
}"""

DECIDE = """
mutation($entryId: ID!, $listed: Boolean!, $validUntil: DateTime) {
  decideListing(entryId: $entryId, listed: $listed, note: "经审查，认定属实", decisionRef: "市监信决〔2026〕1号",
                validUntil: $validUntil) {
    __typename
    ... on DecideListingSuccess { entry { id list state inForce validFrom validUntil decidedBy } }
    ... on ValidityTooLongError { latest }
    ... on DefenceWindowOpenError { deadline }
    ... on InputError { field }
    ... on UserError { message code }
  }
}"""

END = """
mutation($id: ID!) { endListing(entryId: $id, reason: "退出条件已满足") {
  __typename ... on EndListingSuccess { entry { state endCause } } ... on UserError { code } } }"""

DEFEND = """
mutation($id: ID!, $statement: String!) {
  submitDefence(entryId: $id, statement: $statement) {
    __typename
    ... on SubmitDefenceSuccess { defence { submittedBy statement } entry { state } }
    ... on UserError { message code }
  }
}"""

ENTRIES = """
query($id: ID) { listEntries(first: 50, filter: {subjectId: $id}) { totalCount edges { node {
  id list state inForce validUntil endedAt endCause endReason noticeSentAt defenceDeadline
  defences { submittedBy statement }
} } } }"""

NOTICES = """
query($id: ID!) { subject(id: $id) { notices(first: 20) { edges { node { kind body listEntryId recordId } } } } }"""

FILE = """
mutation($recordId: ID!) {
  fileObjection(recordId: $recordId, reason: "该交易真实存在，附物流与支付凭证") {
    __typename
    ... on FileObjectionSuccess { objection { id status suspends filedBy record { status } } }
    ... on UserError { message code }
  }
}"""

RESOLVE = """
mutation($id: ID!, $upheld: Boolean!, $outcome: Outcome, $correction: CorrectionInput) {
  resolveObjection(objectionId: $id, upheld: $upheld, note: "核查物流与支付记录", outcome: $outcome,
                   correction: $correction) {
    __typename
    ... on ResolveObjectionSuccess { objection { id status outcome resolvedBy record { status category severity } } }
    ... on UserError { message code }
  }
}"""

APPLY = """
mutation($recordId: ID!) {
  applyForRepair(recordId: $recordId, evidence: "已整改并全额赔付消费者",
                 commitment: "本主体承诺已纠正失信行为，今后守法诚信经营，如有违反愿承担相应法律责任。") {
    __typename
    ... on ApplyForRepairSuccess { application { id status appliedBy } }
    ... on UserError { message code }
  }
}"""

DECIDE_REPAIR = """
mutation($id: ID!, $approved: Boolean!) {
  decideRepair(applicationId: $id, approved: $approved, note: "整改到位") {
    __typename
    ... on DecideRepairSuccess { application { status decidedBy } }
    ... on UserError { message code }
  }
}"""

RECORDS = """
query($id: ID!) { subject(id: $id) { records(first: 50) { edges { node {
  id category severity status redacted description legalBasis
  statusHistory { fromStatus toStatus actor reason }
  corrections { fromCategory fromSeverity toCategory toSeverity actor reason }
  source { type platform }
} } } } }"""

EXIT_REVIEWS = """
query($id: ID!) { exitReviews(filter: {subjectId: $id}) { edges { node { id cause status entryId recordId } } } }"""

DECIDE_EXIT = """
mutation($id: ID!, $end: Boolean!) {
  decideExitReview(reviewId: $id, endListing: $end, note: "经复核") {
    __typename
    ... on DecideExitReviewSuccess { review { status decidedBy entry { state inForce endCause } } }
    ... on UserError { message code }
  }
}"""

EXECUTED = """
mutation($input: ReportMeasureExecutionInput!) {
  reportMeasureExecution(input: $input) {
    __typename
    ... on ReportMeasureExecutionSuccess { execution { platform measure action } }
    ... on UserError { message code }
  }
}"""

SAVE_MEASURE = """
mutation($input: MeasureInput!) {
  saveMeasure(input: $input) { __typename ... on UserError { code message } }
}"""


def sid(subject_id: int) -> str:
    return format_id(IdKind.SUBJECT, subject_id)


def rid(record_id: int) -> str:
    return format_id(IdKind.RECORD, record_id)


def by_measure(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for flag in status["flags"]:
        assert flag["measure"] not in found, f"{flag['measure']} twice: {status['flags']}"
        found[flag["measure"]] = flag
    return found


async def status_of(client: GraphQLClient, subject_id: int) -> dict[str, Any]:
    status: dict[str, Any] = (await client.data(STATUS, id=sid(subject_id)))["subject"]["creditStatus"]
    return status


async def entries_of(client: GraphQLClient, subject_id: int | None) -> list[dict[str, Any]]:
    data = await client.data(ENTRIES, id=sid(subject_id) if subject_id is not None else None)
    return [edge["node"] for edge in data["listEntries"]["edges"]]


async def records_of(client: GraphQLClient, subject_id: int) -> list[dict[str, Any]]:
    subject = (await client.data(RECORDS, id=sid(subject_id)))["subject"]
    assert subject is not None
    return [edge["node"] for edge in subject["records"]["edges"]]


def proposal(subject_id: int, record_ids: list[int], kind: str = "SERIOUS_DISHONEST") -> dict[str, Any]:
    return {
        "list": kind,
        "subjectId": sid(subject_id),
        "recordIds": [rid(record_id) for record_id in record_ids],
        "reason": "严重失信：虚构交易",
        "legalBasis": "《市场监督管理严重违法失信名单管理办法》第二条",
        "legalBasisLevel": "DEPARTMENTAL_RULE",
        "exitCondition": "期满且已履行相关义务",
    }


async def propose(
    client: GraphQLClient, subject_id: int, record_ids: list[int], kind: str = "SERIOUS_DISHONEST"
) -> Any:
    return (await client.data(PROPOSE, input=proposal(subject_id, record_ids, kind)))["proposeListing"]


async def decide(client: GraphQLClient, entry_id: str, *, until: dt.datetime | None, listed: bool = True) -> Any:
    valid_until = until.isoformat() if until is not None else None
    return (await client.data(DECIDE, entryId=entry_id, listed=listed, validUntil=valid_until))["decideListing"]


async def file(client: GraphQLClient, record_id: int | str) -> Any:
    record = record_id if isinstance(record_id, str) else rid(record_id)
    return (await client.data(FILE, recordId=record))["fileObjection"]


async def resolve(client: GraphQLClient, objection_id: str, *, upheld: bool, **outcome: Any) -> Any:
    return (await client.data(RESOLVE, id=objection_id, upheld=upheld, **outcome))["resolveObjection"]


def enforced(status: dict[str, Any], record_id: int) -> set[bool]:
    """Whether the flags resting on the record are enforced (one value when they agree)."""
    return {flag["enforced"] for flag in status["flags"] if rid(record_id) in flag["recordIds"]}


def typename_and_code(result: dict[str, Any]) -> tuple[str, str | None]:
    return result["__typename"], result.get("code")


DENIED = ("PermissionDeniedError", "PERMISSION_DENIED")


async def regulator_of(deps: Deps, http: httpx.AsyncClient, authority: str) -> GraphQLClient:
    issued = await clients.add_client(deps, f"regulator {factories.suffix()}", "regulator", authority=authority)
    return GraphQLClient(http, issued.token)


async def client_of_subject(deps: Deps, http: httpx.AsyncClient, subject_id: int) -> GraphQLClient:
    issued = await clients.add_client(deps, f"subject {factories.suffix()}", "subject", subject=sid(subject_id))
    return GraphQLClient(http, issued.token)


# --- a hub of its own, with a clock the test moves ---------------------------------------------


@dataclass
class Court:
    """The hub on a database of its own, on a clock the test moves, with a defence window."""

    deps: Deps
    clock: FixedClock
    http: httpx.AsyncClient
    a: RegisteredPlatform
    b: RegisteredPlatform
    as_a: GraphQLClient
    as_b: GraphQLClient
    as_regulator: GraphQLClient
    as_second_regulator: GraphQLClient
    as_joint_regulator: GraphQLClient
    as_admin: GraphQLClient

    def now(self) -> dt.datetime:
        return self.clock.now()

    def move(self, by: dt.timedelta) -> dt.datetime:
        self.clock.instant += by
        return self.clock.instant

    async def send(self, platform: RegisteredPlatform, event: dict[str, Any]) -> None:
        """A webhook signed with the platform's secret at the hub's time, then applied."""
        raw = orjson.dumps(event)
        response = await self.http.post(
            f"/webhooks/{platform.code}", content=raw, headers=sign(platform.webhook_secret, raw, at=self.now())
        )
        assert response.status_code == 202, response.text
        while await inbox.process_due(self.deps):
            pass
        assert await inbox.list_dead(self.deps, platform.code) == []


@pytest.fixture
async def court(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Court]:
    clock = FixedClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    settings = make_settings(fresh_dsn, data_dir, defence_days=DEFENCE_DAYS, objection_days=OBJECTION_DAYS)
    pool = await create_pool(fresh_dsn, min_size=1, max_size=4)
    deps = make_deps(pool, settings, clock)
    try:
        async with (
            loopback.serve(create_app(settings, deps=deps), lifespan="on") as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            a, b = await factories.platform(deps), await factories.platform(deps)
            admin = await clients.add_client(deps, "admin", "admin")
            yield Court(
                deps=deps,
                clock=clock,
                http=http,
                a=a,
                b=b,
                as_a=GraphQLClient(http, a.client.token),
                as_b=GraphQLClient(http, b.client.token),
                as_regulator=await regulator_of(deps, http, AUTHORITY),
                as_second_regulator=await regulator_of(deps, http, AUTHORITY),
                as_joint_regulator=await regulator_of(deps, http, settings.joint_list_authority),
                as_admin=GraphQLClient(http, admin.token),
            )
    finally:
        await deps.http.aclose()
        await pool.close()


def shop(credit_code: str, account_id: str) -> dict[str, Any]:
    return {"kind": "MERCHANT", "account_id": account_id, "name": "锦绣服饰有限公司", "credit_code": credit_code}


def account_opened(court: Court, party: dict[str, Any], opened_at: dt.datetime) -> dict[str, Any]:
    return {
        "type": "account.updated",
        "timestamp": court.now().isoformat(),
        "data": {"subject": party, "status": "ACTIVE", "opened_at": opened_at.isoformat()},
    }


def violation(court: Court, party: dict[str, Any], *, severity: str, days_ago: int, category: str) -> dict[str, Any]:
    return {
        "type": "violation.reported",
        "timestamp": court.now().isoformat(),
        "data": {
            "violation_id": f"V-{factories.suffix()}",
            "subject": party,
            "category": category,
            "severity": severity,
            "occurred_at": (court.now() - dt.timedelta(days=days_ago)).isoformat(),
            "description": "刷单炒信：虚构交易提升店铺销量",
            "legal_basis": "《中华人民共和国电子商务法》第十七条",
        },
    }


def measure(code: str, trigger: dict[str, Any]) -> dict[str, Any]:
    """A mandatory restriction on every platform, on a statutory basis."""
    return {
        "code": code,
        "kind": "RESTRICTION",
        "mandatory": True,
        "legalBasis": "《中华人民共和国电子商务法》第三十八条",
        "legalBasisLevel": "LAW",
        "subjectKinds": ["MERCHANT", "MCN_AGENCY", "ANCHOR"],
        "scope": "ALL_PLATFORMS",
        "trigger": trigger,
    }


async def subject_by_code(client: GraphQLClient, credit_code: str) -> int:
    data = await client.data("query($c: String!) { subjectByCreditCode(creditCode: $c) { id } }", c=credit_code)
    return int(data["subjectByCreditCode"]["id"].removeprefix("sub_"))


# --- 1. cross-platform mandatory measures need a designation -----------------------------------


async def test_a_platforms_serious_report_is_no_mandatory_sanction_elsewhere_until_the_joint_list_decides(
    court: Court,
) -> None:
    # The seeded catalog holds no mandatory restriction a report or the joint list triggers (no law
    # obliges platforms to ban on either): two are added, on a statutory basis, for the rule to hold back.
    for code, trigger in (
        ("REPORTED_FRAUD_BAR", {"type": "RECORD", "categories": ["FAKE_TRANSACTIONS"], "severities": ["SERIOUS"]}),
        ("JOINT_LIST_BAR", {"type": "LIST", "lists": ["JOINT_CONSTRAINT"]}),
    ):
        saved = await court.as_admin.data(SAVE_MEASURE, input=measure(code, trigger))
        assert saved["saveMeasure"]["__typename"] == "SaveMeasureSuccess", saved
    credit_code = factories.credit_code()
    await court.send(
        court.b, account_opened(court, shop(credit_code, "B-shop-1"), court.now() - dt.timedelta(days=700))
    )
    on_a = shop(credit_code, "A-shop-1")
    for severity, days_ago in (("SERIOUS", 3), ("GENERAL", 20), ("GENERAL", 40)):
        event = violation(court, on_a, severity=severity, days_ago=days_ago, category="FAKE_TRANSACTIONS")
        await court.send(court.a, event)
    merchant = await subject_by_code(court.as_b, credit_code)

    seen_by_b = by_measure(await status_of(court.as_b, merchant))
    assert {"ENHANCED_REVIEW", "CAMPAIGN_EXCLUSION"} <= set(seen_by_b)  # recommended: B may review
    assert [flag for flag in seen_by_b.values() if flag["mandatory"]] == []
    assert "WITHDRAWAL_HOLD" not in seen_by_b
    seen_by_a = by_measure(await status_of(court.as_a, merchant))
    hold = seen_by_a["WITHDRAWAL_HOLD"]
    assert (hold["scope"], hold["sourcePlatform"], hold["mandatory"]) == ("ORIGIN_PLATFORM", court.a.code, False)
    # Not even a regulator, who sees every flag, sees a mandatory one: nobody designated anything.
    assert [f for f in (await status_of(court.as_regulator, merchant))["flags"] if f["mandatory"]] == []

    [serious] = [r for r in await records_of(court.as_a, merchant) if r["severity"] == "SERIOUS"]
    proposed = await propose(court.as_a, merchant, [int(serious["id"].removeprefix("rec_"))], "JOINT_CONSTRAINT")
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    assert proposed["entry"]["authority"] == court.deps.settings.joint_list_authority
    court.move(dt.timedelta(days=DEFENCE_DAYS, minutes=1))
    assert [f for f in (await status_of(court.as_b, merchant))["flags"] if f["mandatory"]] == []  # proposed only
    decided = await decide(court.as_joint_regulator, proposed["entry"]["id"], until=court.now() + dt.timedelta(days=90))
    assert decided["__typename"] == "DecideListingSuccess", decided

    status = await status_of(court.as_b, merchant)
    assert status["onJointConstraintList"] is True
    mandatory = [flag for flag in status["flags"] if flag["mandatory"]]
    assert [(f["measure"], f["legalBasisLevel"], f["sourceAuthority"], f["enforced"]) for f in mandatory] == [
        ("JOINT_LIST_BAR", "LAW", court.deps.settings.joint_list_authority, True)
    ]
    assert mandatory[0]["listEntryIds"] == [proposed["entry"]["id"]]
    ban = by_measure(status)["ONBOARDING_BAN"]
    assert (ban["mandatory"], ban["legalBasisLevel"]) == (False, "PLATFORM_RULE")


# --- 2. notice, defence window, decision, automatic end -----------------------------------------


async def merchant_with_serious_record(court: Court, *, days_ago: int = 40) -> tuple[Subject, int]:
    """A merchant with shops on A and B, and a serious record A reported `days_ago` (hub time)."""
    async with transaction(court.deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, court.a.code)
        await factories.account(conn, merchant.id, court.b.code)
        record = await factories.record(
            conn,
            merchant.id,
            court.a.code,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=court.now() - dt.timedelta(days=days_ago),
        )
    return merchant, record.id


async def test_a_listing_is_noticed_defended_decided_after_the_deadline_and_ends_by_itself(court: Court) -> None:
    merchant, record_id = await merchant_with_serious_record(court)
    as_merchant = await client_of_subject(court.deps, court.http, merchant.id)
    proposed_at = court.now()
    proposed = await propose(court.as_regulator, merchant.id, [record_id])
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    entry_id = proposed["entry"]["id"]
    deadline = proposed_at + dt.timedelta(days=DEFENCE_DAYS)
    assert proposed["entry"]["state"] == "PROPOSED"
    assert dt.datetime.fromisoformat(proposed["entry"]["noticeSentAt"]) == proposed_at
    assert dt.datetime.fromisoformat(proposed["entry"]["defenceDeadline"]) == deadline

    # The subject is told, in its own notices, and nothing applies yet.
    notices = (await as_merchant.data(NOTICES, id=sid(merchant.id)))["subject"]["notices"]["edges"]
    [notice] = [edge["node"] for edge in notices]
    assert (notice["kind"], notice["listEntryId"]) == ("LISTING_PROPOSED", entry_id)
    assert deadline.astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat() in notice["body"]  # Beijing day
    status = await status_of(court.as_b, merchant.id)
    assert status["onSeriousDishonestList"] is False
    assert "ONBOARDING_BAN" not in by_measure(status)

    # The subject states its defence; the decision must wait for the deadline.
    court.move(dt.timedelta(days=3))
    defended = (await as_merchant.data(DEFEND, id=entry_id, statement="涉案交易均为真实交易，申请听证"))[
        "submitDefence"
    ]
    assert defended["__typename"] == "SubmitDefenceSuccess", defended
    assert defended["defence"]["submittedBy"].startswith("subject:")
    early = await decide(court.as_second_regulator, entry_id, until=court.now() + dt.timedelta(days=60))
    assert typename_and_code(early) == ("DefenceWindowOpenError", "DEFENCE_WINDOW_OPEN")
    assert dt.datetime.fromisoformat(early["deadline"]) == deadline

    court.move(dt.timedelta(days=DEFENCE_DAYS - 3, seconds=1))
    late = (await as_merchant.data(DEFEND, id=entry_id, statement="补充陈述"))["submitDefence"]
    assert typename_and_code(late) == ("DefenceWindowClosedError", "DEFENCE_WINDOW_CLOSED")
    valid_until = court.now() + dt.timedelta(days=60)
    decided = await decide(court.as_second_regulator, entry_id, until=valid_until)
    assert decided["__typename"] == "DecideListingSuccess", decided
    assert (decided["entry"]["state"], decided["entry"]["inForce"]) == ("IN_FORCE", True)
    [entry] = await entries_of(court.as_regulator, merchant.id)
    assert entry["defences"] == [
        {"submittedBy": defended["defence"]["submittedBy"], "statement": "涉案交易均为真实交易，申请听证"}
    ]
    listed = await status_of(court.as_b, merchant.id)
    assert listed["onSeriousDishonestList"] is True
    assert by_measure(listed)["ONBOARDING_BAN"]["listEntryIds"] == [entry_id]
    kinds = [
        edge["node"]["kind"]
        for edge in (await as_merchant.data(NOTICES, id=sid(merchant.id)))["subject"]["notices"]["edges"]
    ]
    assert kinds[:2] == ["RIGHT_TO_REPAIR", "LISTING_DECIDED"]  # newest first: the decision and the right to repair

    court.move(dt.timedelta(days=60))  # validUntil passed: nobody acts, the entry ends
    [entry] = await entries_of(court.as_regulator, merchant.id)
    assert (entry["state"], entry["inForce"], entry["endCause"]) == ("ENDED", False, "EXPIRED")
    ended = await status_of(court.as_b, merchant.id)
    assert ended["onSeriousDishonestList"] is False
    assert [flag["measure"] for flag in ended["flags"] if flag["listEntryIds"]] == []
    assert ended["tier"] == "D"  # the serious record itself is still in force


# --- 3. separation of duties --------------------------------------------------------------------


async def merchant_on_both(deps: Deps, cast: Cast) -> Subject:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, cast.platform_a)
        await factories.account(conn, merchant.id, cast.platform_b)
    return merchant


async def record_by(deps: Deps, subject: Subject, platform: str, *, days_ago: int, severity: Severity) -> int:
    async with transaction(deps.pool) as conn:
        record = await factories.record(
            conn,
            subject.id,
            platform,
            severity=severity,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=factories.NOW - dt.timedelta(days=days_ago),
        )
    return record.id


async def test_a_listing_is_decided_only_by_another_regulator_of_its_authority(deps: Deps, cast: Cast) -> None:
    merchant = await merchant_on_both(deps, cast)
    serious = await record_by(deps, merchant, cast.platform_a, days_ago=40, severity=Severity.SERIOUS)
    elsewhere = await regulator_of(deps, cast.as_a.http, f"杭州市市场监督管理局 {factories.suffix()}")
    assert typename_and_code(await propose(cast.as_admin, merchant.id, [serious], "JOINT_CONSTRAINT")) == DENIED
    proposed = await propose(cast.as_regulator, merchant.id, [serious])
    entry_id = proposed["entry"]["id"]
    until = factories.NOW + dt.timedelta(days=100)
    for outsider in (cast.as_regulator, elsewhere, cast.as_joint_regulator, cast.as_admin, cast.as_a, cast.as_viewer):
        assert typename_and_code(await decide(outsider, entry_id, until=until)) == DENIED
        assert typename_and_code(await decide(outsider, entry_id, until=None, listed=False)) == DENIED
    decided = await decide(cast.as_second_regulator, entry_id, until=until)
    assert decided["__typename"] == "DecideListingSuccess", decided
    assert decided["entry"]["decidedBy"].startswith("regulator:")
    for outsider in (elsewhere, cast.as_admin, cast.as_a):
        assert typename_and_code((await outsider.data(END, id=entry_id))["endListing"]) == DENIED
    assert (await status_of(cast.as_b, merchant.id))["onSeriousDishonestList"] is True

    # The inter-platform list: A proposes, only the body that runs the list decides.
    joint = await propose(cast.as_a, merchant.id, [serious], "JOINT_CONSTRAINT")
    assert joint["__typename"] == "ProposeListingSuccess", joint
    for outsider in (cast.as_a, cast.as_regulator, cast.as_second_regulator):
        assert typename_and_code(await decide(outsider, joint["entry"]["id"], until=until)) == DENIED
    assert (await decide(cast.as_joint_regulator, joint["entry"]["id"], until=until))["__typename"] == (
        "DecideListingSuccess"
    )


async def test_nobody_decides_a_repair_or_resolves_an_objection_they_filed(deps: Deps, cast: Cast) -> None:
    merchant = await merchant_on_both(deps, cast)
    old = await record_by(deps, merchant, cast.platform_a, days_ago=400, severity=Severity.SERIOUS)
    recent = await record_by(deps, merchant, cast.platform_a, days_ago=10, severity=Severity.GENERAL)
    same_platform = GraphQLClient(
        cast.as_a.http,
        (
            await clients.add_client(deps, f"A risk desk {factories.suffix()}", "platform", platform=cast.platform_a)
        ).token,
    )

    # A applies to repair its own record: A is its source, but it applied, so it does not decide.
    applied = (await cast.as_a.data(APPLY, recordId=rid(old)))["applyForRepair"]
    assert applied["__typename"] == "ApplyForRepairSuccess", applied
    for filer in (cast.as_a, same_platform):
        refused = (await filer.data(DECIDE_REPAIR, id=applied["application"]["id"], approved=True))["decideRepair"]
        assert typename_and_code(refused) == DENIED
    decided = (await cast.as_regulator.data(DECIDE_REPAIR, id=applied["application"]["id"], approved=False))[
        "decideRepair"
    ]
    assert (decided["__typename"], decided["application"]["status"]) == ("DecideRepairSuccess", "REJECTED")

    # A objects to its own record (reopening it): another desk of A cannot resolve it either.
    reopened = await file(cast.as_a, recent)
    assert reopened["__typename"] == "FileObjectionSuccess", reopened
    for filer in (cast.as_a, same_platform):
        assert typename_and_code(await resolve(filer, reopened["objection"]["id"], upheld=False)) == DENIED
    resolved = await resolve(cast.as_regulator, reopened["objection"]["id"], upheld=False)
    assert resolved["__typename"] == "ResolveObjectionSuccess", resolved

    # A regulator's objection is resolved by the source or another regulator, never by itself.
    by_regulator = await file(cast.as_regulator, recent)
    assert by_regulator["__typename"] == "FileObjectionSuccess", by_regulator
    assert typename_and_code(await resolve(cast.as_regulator, by_regulator["objection"]["id"], upheld=True)) == DENIED
    upheld = await resolve(cast.as_second_regulator, by_regulator["objection"]["id"], upheld=True)
    assert (upheld["__typename"], upheld["objection"]["record"]["status"]) == ("ResolveObjectionSuccess", "WITHDRAWN")


# --- 4. a platform's revocation never ends an authority's listing -------------------------------


async def send_webhook(
    deps: Deps, http: httpx.AsyncClient, platform: RegisteredPlatform, event: dict[str, Any]
) -> None:
    raw = orjson.dumps(event)
    response = await http.post(f"/webhooks/{platform.code}", content=raw, headers=sign(platform.webhook_secret, raw))
    assert response.status_code == 202, response.text
    while await inbox.process_due(deps):
        pass
    assert await inbox.list_dead(deps, platform.code) == []


async def test_a_revoked_platform_record_leaves_the_listing_to_its_authority_which_reviews_it(
    deps: Deps, cast: Cast
) -> None:
    reporter = await factories.platform(deps)
    http = cast.as_a.http
    credit_code = factories.credit_code()
    now = dt.datetime.now(dt.UTC)
    party = shop(credit_code, f"C-{factories.suffix()}")
    report = {
        "type": "violation.reported",
        "timestamp": now.isoformat(),
        "data": {
            "violation_id": "C-2026-0042",
            "subject": party,
            "category": "FAKE_TRANSACTIONS",
            "severity": "SERIOUS",
            "occurred_at": (now - dt.timedelta(days=30)).isoformat(),
            "description": "组织刷单",
            "legal_basis": "《中华人民共和国电子商务法》第十七条",
        },
    }
    await send_webhook(deps, http, reporter, report)
    merchant = await subject_by_code(cast.as_regulator, credit_code)
    [record] = await records_of(cast.as_regulator, merchant)
    proposed = await propose(cast.as_regulator, merchant, [int(record["id"].removeprefix("rec_"))])
    entry_id = proposed["entry"]["id"]
    decided = await decide(cast.as_second_regulator, entry_id, until=now + dt.timedelta(days=200))
    assert decided["__typename"] == "DecideListingSuccess", decided

    revoked = {
        "type": "violation.revoked",
        "timestamp": now.isoformat(),
        "data": {"violation_id": "C-2026-0042", "reason": "复核后撤回"},
    }
    await send_webhook(deps, http, reporter, revoked)
    [record] = await records_of(cast.as_regulator, merchant)
    assert record["status"] == "WITHDRAWN"
    # The designation is the authority's own act: it stands until the authority answers.
    status = await status_of(cast.as_b, merchant)
    assert status["onSeriousDishonestList"] is True
    assert "ONBOARDING_BAN" in by_measure(status)
    [review] = [
        edge["node"] for edge in (await cast.as_viewer.data(EXIT_REVIEWS, id=sid(merchant)))["exitReviews"]["edges"]
    ]
    assert (review["cause"], review["status"], review["entryId"], review["recordId"]) == (
        "WITHDRAWN",
        "OPEN",
        entry_id,
        record["id"],
    )
    elsewhere = await regulator_of(deps, http, f"上海市市场监督管理局 {factories.suffix()}")
    for outsider in (elsewhere, cast.as_joint_regulator, cast.as_admin, cast.as_a):
        refused = (await outsider.data(DECIDE_EXIT, id=review["id"], end=True))["decideExitReview"]
        assert typename_and_code(refused) == DENIED
    assert (await status_of(cast.as_b, merchant))["onSeriousDishonestList"] is True

    ended = (await cast.as_second_regulator.data(DECIDE_EXIT, id=review["id"], end=True))["decideExitReview"]
    assert ended["__typename"] == "DecideExitReviewSuccess", ended
    assert (ended["review"]["status"], ended["review"]["entry"]["state"]) == ("ENDED", "ENDED")
    after = await status_of(cast.as_b, merchant)
    assert after["onSeriousDishonestList"] is False
    assert after["flags"] == []


# --- 5. the subject's own voice, and nothing of anyone else -------------------------------------


async def test_a_subject_objects_to_its_own_record_and_sees_only_itself_in_full(deps: Deps, cast: Cast) -> None:
    merchant = await merchant_on_both(deps, cast)
    own_a = await record_by(deps, merchant, cast.platform_a, days_ago=20, severity=Severity.GENERAL)
    own_b = await record_by(deps, merchant, cast.platform_b, days_ago=25, severity=Severity.SERIOUS)
    other = await merchant_on_both(deps, cast)
    other_record = await record_by(deps, other, cast.platform_a, days_ago=30, severity=Severity.SERIOUS)
    other_listing = await propose(cast.as_regulator, other.id, [other_record])
    assert other_listing["__typename"] == "ProposeListingSuccess"
    filed_against_other = await file(cast.as_b, other_record)
    assert filed_against_other["__typename"] == "FileObjectionSuccess"
    anchor_number = factories.resident_id()
    async with transaction(deps.pool) as conn:
        person = await db_subjects.upsert_person(
            conn, compute_person_hash(parse_resident_id(anchor_number), deps.person_key)
        )
        await db_subjects.insert(conn, SubjectKind.ANCHOR, "另一位主播", None, person)
    await statuses.refresh_subjects(deps, [other.id])  # its flags are in the change feed
    as_merchant = await client_of_subject(deps, cast.as_a.http, merchant.id)

    filed = await file(as_merchant, own_b)
    assert filed["__typename"] == "FileObjectionSuccess", filed
    assert filed["objection"]["filedBy"].startswith("subject:")
    assert (filed["objection"]["suspends"], filed["objection"]["record"]["status"]) == (True, "OBJECTION_PENDING")
    assert enforced(await status_of(cast.as_b, merchant.id), own_b) == {False}

    own = await records_of(as_merchant, merchant.id)
    assert {record["id"] for record in own} == {rid(own_a), rid(own_b)}
    for record in own:  # its own records in full, whichever platform reported them
        assert record["redacted"] is False
        assert record["description"]
        assert record["legalBasis"]
        assert record["statusHistory"]
        assert record["source"]["platform"] in (cast.platform_a, cast.platform_b)
    assert (await as_merchant.data("{ viewer { role } }"))["viewer"]["role"] == "SUBJECT"

    # Nothing of anyone else, however it asks.
    other_id = sid(other.id)
    assert (await as_merchant.data("query($id: ID!) { subject(id: $id) { id } }", id=other_id))["subject"] is None
    by_code = await as_merchant.data(
        "query($c: String!) { subjectByCreditCode(creditCode: $c) { id } }", c=other.credit_code
    )
    assert by_code["subjectByCreditCode"] is None
    batch = await as_merchant.data(
        "query($c: [String!]!) { creditStatuses(creditCodes: $c) { __typename } }",
        c=[other.credit_code, merchant.credit_code],
    )
    assert [result["__typename"] for result in batch["creditStatuses"]] == ["UnknownSubjectError", "CreditStatus"]
    listed = await as_merchant.data("{ subjects(first: 50) { totalCount edges { node { id } } } }")
    assert [edge["node"]["id"] for edge in listed["subjects"]["edges"]] == [sid(merchant.id)]
    assert await entries_of(as_merchant, None) == []
    assert await entries_of(as_merchant, other.id) == []
    objections = await as_merchant.data(
        "{ objections(first: 50) { totalCount edges { node { id recordId reason filedBy } } } }"
    )
    assert [edge["node"]["id"] for edge in objections["objections"]["edges"]] == [filed["objection"]["id"]]
    assert objections["objections"]["totalCount"] == 1
    repairs = await as_merchant.data("{ repairApplications(first: 50) { totalCount edges { node { id } } } }")
    assert repairs["repairApplications"]["totalCount"] == 0
    assert (await file(as_merchant, other_record))["__typename"] == "NotFoundError"
    defence = await as_merchant.data(DEFEND, id=other_listing["entry"]["id"], statement="与我无关")
    assert defence["submitDefence"]["__typename"] == "NotFoundError"
    for oversight in (
        "{ exitReviews { totalCount } }",
        "{ auditReads(first: 5) { totalCount } }",
        '{ statistics(from: "2020-01-01T00:00:00Z", to: "2040-01-01T00:00:00Z", groupBy: PLATFORM) { records } }',
    ):
        assert (await as_merchant.error(oversight))["extensions"]["code"] == "PERMISSION_DENIED", oversight
    feed = await as_merchant.data("{ flagChanges(first: 100) { edges { node { subjectId } } } }")
    assert {edge["node"]["subjectId"] for edge in feed["flagChanges"]["edges"]} <= {sid(merchant.id)}
    screened = await as_merchant.data(
        "query($q: [ScreeningQueryInput!]!) { screenSubjects(queries: $q) { candidates { subject { id } } } }",
        q=[{"creditCode": other.credit_code}, {"creditCode": merchant.credit_code}],
    )
    assert [r["candidates"] for r in screened["screenSubjects"]] == [[], [{"subject": {"id": sid(merchant.id)}}]]
    by_number = await as_merchant.data(
        "query($n: [String!]!) { creditStatusesByIdNumber(idNumbers: $n) { __typename } }", n=[anchor_number]
    )
    assert by_number["creditStatusesByIdNumber"] == [{"__typename": "UnknownSubjectError"}]
    assert (
        await cast.as_a.data(
            "query($n: [String!]!) { creditStatusesByIdNumber(idNumbers: $n) { __typename } }", n=[anchor_number]
        )
    )["creditStatusesByIdNumber"] == [{"__typename": "CreditStatus"}]  # a platform screening an anchor finds it
    report = await as_merchant.data(
        'query($id: ID!) { creditReport(subjectId: $id, purpose: "查看") { __typename } }', id=other_id
    )
    assert report["creditReport"]["__typename"] in ("UnknownSubjectError", "PermissionDeniedError")
    assert other_id not in orjson.dumps(report).decode()


# --- 6. objections cannot be used to stall ------------------------------------------------------


async def test_after_a_rejection_a_refiled_objection_is_reviewed_without_suspending_anything(
    deps: Deps, cast: Cast
) -> None:
    merchant = await merchant_on_both(deps, cast)
    record = await record_by(deps, merchant, cast.platform_a, days_ago=20, severity=Severity.SERIOUS)
    as_merchant = await client_of_subject(deps, cast.as_a.http, merchant.id)
    first = await file(cast.as_b, record)
    assert (first["objection"]["suspends"], first["objection"]["record"]["status"]) == (True, "OBJECTION_PENDING")
    assert enforced(await status_of(cast.as_b, merchant.id), record) == {False}
    assert (await resolve(cast.as_a, first["objection"]["id"], upheld=False))["objection"]["status"] == "REJECTED"

    for refiler in (as_merchant, cast.as_b):  # the subject, then the platform, try again
        again = await file(refiler, record)
        assert again["__typename"] == "FileObjectionSuccess", again
        assert (again["objection"]["suspends"], again["objection"]["record"]["status"]) == (False, "ACTIVE")
        assert enforced(await status_of(cast.as_b, merchant.id), record) == {True}
        third = await file(cast.as_b if refiler is as_merchant else as_merchant, record)  # one open at a time
        assert third["__typename"] in ("AlreadyExistsError", "TransitionNotAllowedError"), third
        rejected = await resolve(cast.as_a, again["objection"]["id"], upheld=False)
        assert (rejected["objection"]["status"], rejected["objection"]["record"]["status"]) == ("REJECTED", "ACTIVE")

    reopened = await file(cast.as_regulator, record)  # a regulator reopens the case: suspended again
    assert (reopened["objection"]["suspends"], reopened["objection"]["record"]["status"]) == (True, "OBJECTION_PENDING")
    assert enforced(await status_of(cast.as_b, merchant.id), record) == {False}


async def test_a_platform_that_did_not_know_the_subject_when_the_record_came_cannot_object(
    deps: Deps, cast: Cast
) -> None:
    merchant = await merchant_on_both(deps, cast)
    record = await record_by(deps, merchant, cast.platform_a, days_ago=20, severity=Severity.GENERAL)
    newcomer = await factories.platform(deps)
    as_newcomer = GraphQLClient(cast.as_a.http, newcomer.client.token)
    opened = await as_newcomer.data(
        """mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { __typename } }""",
        input={
            "subject": {"kind": "MERCHANT", "accountId": "new-shop-1", "creditCode": merchant.credit_code},
            "status": "ACTIVE",
            "openedAt": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    assert opened["updateAccount"]["__typename"] == "UpdateAccountSuccess"
    assert typename_and_code(await file(as_newcomer, record)) == DENIED
    as_merchant = await client_of_subject(deps, cast.as_a.http, merchant.id)
    assert (await file(as_merchant, record))["__typename"] == "FileObjectionSuccess"  # the subject itself may


async def test_an_upheld_correction_changes_the_record_keeps_its_history_and_asks_the_listing_authority(
    deps: Deps, cast: Cast
) -> None:
    merchant = await merchant_on_both(deps, cast)
    record = await record_by(deps, merchant, cast.platform_a, days_ago=20, severity=Severity.SERIOUS)
    proposed = await propose(cast.as_regulator, merchant.id, [record])
    listed = await decide(
        cast.as_second_regulator, proposed["entry"]["id"], until=factories.NOW + dt.timedelta(days=90)
    )
    assert listed["__typename"] == "DecideListingSuccess", listed
    filed = await file(cast.as_b, record)
    corrected = await resolve(
        cast.as_a,
        filed["objection"]["id"],
        upheld=True,
        outcome="CORRECT",
        correction={"category": "FALSE_ADVERTISING", "severity": "GENERAL"},
    )
    assert corrected["__typename"] == "ResolveObjectionSuccess", corrected
    assert (corrected["objection"]["status"], corrected["objection"]["outcome"]) == ("UPHELD", "CORRECT")
    assert corrected["objection"]["record"] == {
        "status": "ACTIVE",
        "category": "FALSE_ADVERTISING",
        "severity": "GENERAL",
    }

    [seen] = await records_of(cast.as_a, merchant.id)
    assert [(c["fromCategory"], c["fromSeverity"], c["toCategory"], c["toSeverity"]) for c in seen["corrections"]] == [
        ("FAKE_TRANSACTIONS", "SERIOUS", "FALSE_ADVERTISING", "GENERAL")
    ]
    assert seen["corrections"][0]["actor"].startswith("platform:")
    assert [(c["fromStatus"], c["toStatus"]) for c in seen["statusHistory"]] == [
        (None, "ACTIVE"),
        ("ACTIVE", "OBJECTION_PENDING"),
        ("OBJECTION_PENDING", "ACTIVE"),
    ]
    [redacted] = await records_of(cast.as_b, merchant.id)
    assert redacted["corrections"] is None  # the history is the source's and the regulators'

    # A corrected its own record below serious; the listing is the authority's: it stands, reviewed.
    assert (await status_of(cast.as_b, merchant.id))["onSeriousDishonestList"] is True
    [review] = [
        edge["node"]
        for edge in (await cast.as_regulator.data(EXIT_REVIEWS, id=sid(merchant.id)))["exitReviews"]["edges"]
    ]
    assert (review["cause"], review["status"]) == ("CORRECTED", "OPEN")
    ended = (await cast.as_regulator.data(DECIDE_EXIT, id=review["id"], end=True))["decideExitReview"]
    assert ended["review"]["entry"]["state"] == "ENDED"
    after = await status_of(cast.as_b, merchant.id)
    assert (after["onSeriousDishonestList"], after["tier"]) == (False, "C")  # a general record within the year


async def test_a_record_past_its_publicity_window_holds_up_no_listing_its_authority_withdraws_the_ground_of(
    court: Court,
) -> None:
    """A listing rests on two records; the older one's window closes while the listing is in force.
    When the listing's own authority then withdraws the other, nothing holds the listing up: it
    ends, rather than waiting on an exit review of the authority that just acted."""
    rules = await catalog.rules_now(court.deps)
    merchant, recent = await merchant_with_serious_record(court)
    closing = add_months(court.now(), -rules.window(Severity.SERIOUS).max_months) + dt.timedelta(days=DEFENCE_DAYS + 5)
    async with transaction(court.deps.pool) as conn:
        older = await factories.record(
            conn,
            merchant.id,
            court.a.code,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=closing,
        )
    proposed = await propose(court.as_regulator, merchant.id, [recent, older.id])
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    court.move(dt.timedelta(days=DEFENCE_DAYS, minutes=1))
    decided = await decide(
        court.as_second_regulator, proposed["entry"]["id"], until=court.now() + dt.timedelta(days=90)
    )
    assert decided["__typename"] == "DecideListingSuccess", decided
    court.move(dt.timedelta(days=6))  # the older record's window closes; the listing stays in force
    shown = {r["id"]: r["status"] for r in await records_of(court.as_regulator, merchant.id)}
    assert shown == {rid(recent): "ACTIVE", rid(older.id): "EXPIRED"}

    filed = await file(court.as_b, recent)
    upheld = await resolve(court.as_regulator, filed["objection"]["id"], upheld=True)
    assert upheld["objection"]["record"]["status"] == "WITHDRAWN", upheld

    [entry] = await entries_of(court.as_regulator, merchant.id)
    assert (entry["state"], entry["inForce"], entry["endCause"]) == ("ENDED", False, "WITHDRAWN")
    assert (await court.as_regulator.data(EXIT_REVIEWS, id=sid(merchant.id)))["exitReviews"]["edges"] == []
    assert (await status_of(court.as_b, merchant.id))["onSeriousDishonestList"] is False


async def test_an_authority_record_grounds_and_bounds_a_listing_from_its_decision_date(deps: Deps, cast: Cast) -> None:
    """The violation's window, counted from when it occurred, closed a month ago; counted from the
    decision, as every record's window is, it runs for years yet: the record grounds a listing, and
    the listing may last until that window closes."""
    months = (await catalog.rules_now(deps)).window(Severity.SERIOUS).max_months
    decided_at = factories.NOW - dt.timedelta(days=40)
    occurred_at = add_months(factories.NOW - dt.timedelta(days=30), -months)
    fields = decision(
        factories.credit_code(),
        f"沪市监罚〔2026〕{factories.suffix()}号",
        severity="SERIOUS",
        decidedAt=decided_at.isoformat(),
        occurredAt=occurred_at.isoformat(),
        publicityUntil=None,
    )
    recorded = await record_decision(cast.as_regulator, fields)
    assert recorded["__typename"] == "RecordAuthorityDecisionSuccess", recorded
    assert recorded["record"]["status"] == "ACTIVE"
    subject_id = int(recorded["subjectId"].removeprefix("sub_"))
    record_id = int(recorded["record"]["id"].removeprefix("rec_"))

    proposed = await propose(cast.as_regulator, subject_id, [record_id])
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    latest = add_months(decided_at, months)
    too_long = await decide(cast.as_second_regulator, proposed["entry"]["id"], until=latest + dt.timedelta(seconds=1))
    assert typename_and_code(too_long) == ("ValidityTooLongError", "VALIDITY_TOO_LONG")
    assert dt.datetime.fromisoformat(too_long["latest"]) == latest
    listed = await decide(cast.as_second_regulator, proposed["entry"]["id"], until=latest)
    assert listed["__typename"] == "DecideListingSuccess", listed


async def test_an_objection_past_its_deadline_is_escalated_and_enforcement_stays_suspended(court: Court) -> None:
    merchant, record = await merchant_with_serious_record(court, days_ago=10)
    filed = await file(court.as_b, record)
    assert filed["__typename"] == "FileObjectionSuccess", filed
    document = """query($filter: ObjectionFilter) { objections(filter: $filter) { edges { node { id overdue escalated } } } }"""
    assert (await court.as_regulator.data(document, filter={"overdue": True}))["objections"]["edges"] == []

    court.move(dt.timedelta(days=OBJECTION_DAYS, seconds=1))
    escalated = await court.as_regulator.data(document, filter={"overdue": True})
    assert [edge["node"] for edge in escalated["objections"]["edges"]] == [
        {"id": filed["objection"]["id"], "overdue": True, "escalated": True}
    ]
    status = await status_of(court.as_b, merchant.id)
    assert status["flags"]
    assert enforced(status, record) == {False}  # late verification never turns the measures back on
    assert [r["status"] for r in await records_of(court.as_regulator, merchant.id)] == ["OBJECTION_PENDING"]


# --- 7. tiers are earned; tier restrictions never reach a natural person ------------------------


def streamer(id_number: str, account_id: str) -> dict[str, Any]:
    return {"kind": "ANCHOR", "account_id": account_id, "name": "小鱼说好物", "id_number": id_number}


async def test_a_subject_first_seen_now_is_at_most_b_and_an_anchor_never_gets_a_tier_restriction(court: Court) -> None:
    credit_code, id_number = factories.credit_code(), factories.resident_id()
    long_ago = court.now() - dt.timedelta(days=5 * 365)  # the platform knew them long before the hub did
    for party in (shop(credit_code, "A-shop-7"), streamer(id_number, "A-live-7")):
        await court.send(court.a, account_opened(court, party, long_ago))
    court.move(dt.timedelta(minutes=1))  # the hub's clock past the registration (the database stamped it)
    merchant = await subject_by_code(court.as_a, credit_code)
    found = await court.as_a.data(
        "query($n: [String!]!) { creditStatusesByIdNumber(idNumbers: $n) { ... on CreditStatus { subjectId } } }",
        n=[id_number],
    )
    anchor = int(found["creditStatusesByIdNumber"][0]["subjectId"].removeprefix("sub_"))

    for subject in (merchant, anchor):
        status = await status_of(court.as_a, subject)
        assert status["tier"] == "B"
        assert "known to the hub for less than 36 months" in status["tierReason"]
        assert "DEPOSIT_REDUCTION" not in by_measure(status)

    court.move(dt.timedelta(days=3 * 366))  # three clean years known to the hub: A is earned
    for subject in (merchant, anchor):
        status = await status_of(court.as_a, subject)
        assert status["tier"] == "A", status["tierReason"]
        assert by_measure(status)["DEPOSIT_REDUCTION"]["kind"] == "INCENTIVE"  # tier incentives reach anchors too

    for party in (shop(credit_code, "A-shop-7"), streamer(id_number, "A-live-7")):
        await court.send(court.a, violation(court, party, severity="SERIOUS", days_ago=1, category="CONSUMER_RIGHTS"))
    merchant_status, anchor_status = await status_of(court.as_b, merchant), await status_of(court.as_b, anchor)
    assert merchant_status["tier"] == anchor_status["tier"] == "D"
    assert "credit tier D" in by_measure(merchant_status)["CAMPAIGN_EXCLUSION"]["reason"]
    tier_restrictions = [
        flag for flag in anchor_status["flags"] if flag["kind"] == "RESTRICTION" and "credit tier" in flag["reason"]
    ]
    assert tier_restrictions == []


# --- 8. the red list and a blacklist never hold a subject at once -------------------------------


async def red_listed(deps: Deps, cast: Cast) -> tuple[Subject, str]:
    """A merchant with shops on A and B, on the red list (an A-level taxpayer), in force."""
    merchant = await merchant_on_both(deps, cast)
    async with transaction(deps.pool) as conn:
        honour = await factories.record(
            conn, merchant.id, cast.platform_a, category=Category.A_LEVEL_TAXPAYER, severity=None
        )
    proposed = await propose(cast.as_regulator, merchant.id, [honour.id], "RED")
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    decided = await decide(
        cast.as_second_regulator, proposed["entry"]["id"], until=factories.NOW + dt.timedelta(days=300)
    )
    assert decided["__typename"] == "DecideListingSuccess", decided
    status = await status_of(cast.as_b, merchant.id)
    assert (status["onRedList"], status["tier"]) == (True, "A")
    assert by_measure(status)["GREEN_CHANNEL"]["kind"] == "INCENTIVE"
    return merchant, proposed["entry"]["id"]


async def red_entry(client: GraphQLClient, subject: Subject, entry_id: str) -> dict[str, Any]:
    [entry] = [entry for entry in await entries_of(client, subject.id) if entry["id"] == entry_id]
    return entry


async def test_a_blacklisting_ends_the_red_entry_and_a_blacklisted_subject_cannot_be_proposed_red(
    deps: Deps, cast: Cast
) -> None:
    merchant, red = await red_listed(deps, cast)
    serious = await record_by(deps, merchant, cast.platform_b, days_ago=5, severity=Severity.SERIOUS)
    assert (await red_entry(cast.as_regulator, merchant, red))["state"] == "IN_FORCE"  # a record alone does not
    proposed = await propose(cast.as_regulator, merchant.id, [serious])
    assert (await red_entry(cast.as_regulator, merchant, red))["state"] == "IN_FORCE"  # nor a proposal
    decided = await decide(
        cast.as_second_regulator, proposed["entry"]["id"], until=factories.NOW + dt.timedelta(days=90)
    )
    assert decided["__typename"] == "DecideListingSuccess", decided

    ended = await red_entry(cast.as_regulator, merchant, red)
    assert (ended["state"], ended["inForce"], ended["endCause"]) == ("ENDED", False, "SUPERSEDED")
    status = await status_of(cast.as_b, merchant.id)
    assert (status["onRedList"], status["onSeriousDishonestList"], status["tier"]) == (False, True, "D")
    assert "GREEN_CHANNEL" not in by_measure(status)

    async with transaction(deps.pool) as conn:
        honour = await factories.record(conn, merchant.id, cast.platform_a, category=Category.RED_LIST, severity=None)
    again = await propose(cast.as_regulator, merchant.id, [honour.id], "RED")
    assert typename_and_code(again) == ("ListingConflictError", "LISTING_CONFLICT")


async def test_a_general_record_reported_ends_the_red_entry(deps: Deps, cast: Cast) -> None:
    merchant, red = await red_listed(deps, cast)
    reported = await cast.as_a.data(
        """mutation($input: ReportViolationInput!) { reportViolation(input: $input) { __typename } }""",
        input={
            "violationId": f"V-{factories.suffix()}",
            "subject": {"kind": "MERCHANT", "accountId": f"A-{factories.suffix()}", "creditCode": merchant.credit_code},
            "category": "FALSE_ADVERTISING",
            "severity": "GENERAL",
            "occurredAt": (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat(),
            "description": "虚假宣传：夸大产品功效",
            "legalBasis": "《中华人民共和国广告法》第二十八条",
        },
    )
    assert reported["reportViolation"]["__typename"] == "ReportViolationSuccess"
    ended = await red_entry(cast.as_regulator, merchant, red)
    assert (ended["state"], ended["endCause"]) == ("ENDED", "SUPERSEDED")
    status = await status_of(cast.as_b, merchant.id)
    assert (status["onRedList"], status["tier"]) == (False, "C")
    assert "GREEN_CHANNEL" not in by_measure(status)


# --- 9. validUntil is required and bounded by the records' publicity windows --------------------


async def test_a_listing_comes_into_force_only_with_a_validity_inside_its_records_publicity_window(
    deps: Deps, cast: Cast
) -> None:
    merchant = await merchant_on_both(deps, cast)
    older = await record_by(deps, merchant, cast.platform_a, days_ago=400, severity=Severity.SERIOUS)
    newer = await record_by(deps, merchant, cast.platform_b, days_ago=40, severity=Severity.SERIOUS)
    rules = await catalog.rules_now(deps)
    latest = add_months(factories.NOW - dt.timedelta(days=40), rules.window(Severity.SERIOUS).max_months)
    proposed = await propose(cast.as_regulator, merchant.id, [older, newer])
    entry_id = proposed["entry"]["id"]

    missing = await decide(cast.as_second_regulator, entry_id, until=None)
    assert (missing["__typename"], missing["code"], missing["field"]) == (
        "InvalidValueError",
        "INVALID_VALUE",
        "validUntil",
    )
    past = await decide(cast.as_second_regulator, entry_id, until=factories.NOW - dt.timedelta(days=1))
    assert (past["code"], past["field"]) == ("INVALID_VALUE", "validUntil")
    too_long = await decide(cast.as_second_regulator, entry_id, until=latest + dt.timedelta(seconds=1))
    assert typename_and_code(too_long) == ("ValidityTooLongError", "VALIDITY_TOO_LONG")
    assert dt.datetime.fromisoformat(too_long["latest"]) == latest  # the newer record's window decides
    [entry] = await entries_of(cast.as_regulator, merchant.id)
    assert (entry["state"], entry["inForce"]) == ("PROPOSED", False)  # nothing half-decided
    assert (await status_of(cast.as_b, merchant.id))["onSeriousDishonestList"] is False

    decided = await decide(cast.as_second_regulator, entry_id, until=latest)
    assert decided["__typename"] == "DecideListingSuccess", decided
    assert dt.datetime.fromisoformat(decided["entry"]["validUntil"]) == latest
    dropped_later = await decide(cast.as_second_regulator, entry_id, until=None, listed=False)
    assert typename_and_code(dropped_later)[0] == "TransitionNotAllowedError"  # decided once


# --- 10. execution feedback is tied to flags ----------------------------------------------------


async def test_execution_feedback_names_a_flag_the_subject_carries_for_that_platform_then(
    deps: Deps, cast: Cast
) -> None:
    reporter = await factories.platform(deps)  # a third platform, which reports by signed webhook
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        on_a = await factories.account(conn, merchant.id, cast.platform_a)
        on_b = await factories.account(conn, merchant.id, cast.platform_b)
        on_c = await factories.account(conn, merchant.id, reporter.code)
    serious = await record_by(deps, merchant, cast.platform_a, days_ago=10, severity=Severity.SERIOUS)
    proposed = await propose(cast.as_regulator, merchant.id, [serious])
    decided = await decide(
        cast.as_second_regulator, proposed["entry"]["id"], until=factories.NOW + dt.timedelta(days=90)
    )
    valid_from = dt.datetime.fromisoformat(decided["entry"]["validFrom"])

    async def report(client: GraphQLClient, account: str, measure_code: str, action: str, at: dt.datetime) -> Any:
        party = {"kind": "MERCHANT", "accountId": account, "creditCode": merchant.credit_code}
        variables = {"subject": party, "measure": measure_code, "action": action, "executedAt": at.isoformat()}
        return (await client.data(EXECUTED, input=variables))["reportMeasureExecution"]

    now = dt.datetime.now(dt.UTC)
    no_flag = ("NoSuchFlagError", "NO_SUCH_FLAG")
    # A's own measure is A's: B does not carry it.
    assert typename_and_code(await report(cast.as_b, on_b.external_id, "WITHDRAWAL_HOLD", "APPLIED", now)) == no_flag
    assert (await report(cast.as_a, on_a.external_id, "WITHDRAWAL_HOLD", "APPLIED", now))["__typename"] == (
        "ReportMeasureExecutionSuccess"
    )
    # The listing's ban, on B: not before the listing came into force; from then on, yes.
    before = valid_from - dt.timedelta(days=1)
    assert typename_and_code(await report(cast.as_b, on_b.external_id, "ONBOARDING_BAN", "APPLIED", before)) == no_flag
    applied = await report(cast.as_b, on_b.external_id, "ONBOARDING_BAN", "APPLIED", now)
    assert applied == {
        "__typename": "ReportMeasureExecutionSuccess",
        "execution": {"platform": cast.platform_b, "measure": "ONBOARDING_BAN", "action": "APPLIED"},
    }
    # Nothing to lift: never carried, never applied.
    assert typename_and_code(await report(cast.as_b, on_b.external_id, "LIVE_STREAM_BAN", "LIFTED", now)) == no_flag
    status = await status_of(cast.as_regulator, merchant.id)
    assert by_measure(status)["ONBOARDING_BAN"]["executions"] == [{"platform": cast.platform_b, "action": "APPLIED"}]

    # The listing ends; B lifts what it had applied, though the flag is gone.
    assert (await cast.as_regulator.data(END, id=proposed["entry"]["id"]))["endListing"]["__typename"] == (
        "EndListingSuccess"
    )
    lifted = await report(cast.as_b, on_b.external_id, "ONBOARDING_BAN", "LIFTED", dt.datetime.now(dt.UTC))
    assert lifted["__typename"] == "ReportMeasureExecutionSuccess", lifted
    assert "ONBOARDING_BAN" not in by_measure(await status_of(cast.as_b, merchant.id))

    # By webhook, the same rule: what C does not carry is not kept, and the event is parked with why.
    event = {
        "type": "measure.executed",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {
            "subject": {"kind": "MERCHANT", "account_id": on_c.external_id, "credit_code": merchant.credit_code},
            "measure": "WITHDRAWAL_HOLD",
            "action": "APPLIED",
            "executed_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    }
    raw = orjson.dumps(event)
    response = await cast.as_a.http.post(
        f"/webhooks/{reporter.code}", content=raw, headers=sign(reporter.webhook_secret, raw)
    )
    assert response.status_code == 202, response.text
    while await inbox.process_due(deps):
        pass
    parked = await cast.as_regulator.data(
        "{ parkedItems(first: 50, queue: INBOX) { edges { node { platform error subjectId } } } }"
    )
    [item] = [edge["node"] for edge in parked["parkedItems"]["edges"] if edge["node"]["platform"] == reporter.code]
    assert "NoSuchFlag" in item["error"] or "NO_SUCH_FLAG" in item["error"], item
    hold = by_measure(await status_of(cast.as_regulator, merchant.id))["WITHDRAWAL_HOLD"]
    assert hold["executions"] == [{"platform": cast.platform_a, "action": "APPLIED"}]


# --- 11. minimal disclosure (beyond tests/e2e/test_read_api.py) ---------------------------------

READS = """
query($id: ID!, $operation: String) { auditReads(first: 50, filter: {subjectId: $id, operation: $operation}) {
  edges { node { client operation purpose } } } }"""


async def test_a_platform_enumerates_only_subjects_on_it_and_every_enumeration_keeps_its_purpose(
    deps: Deps, cast: Cast
) -> None:
    name = f"最小披露 {factories.suffix()}"
    async with transaction(deps.pool) as conn:
        only_on_a = await factories.subject(conn, SubjectKind.MERCHANT, name=f"{name} A")
        await factories.account(conn, only_on_a.id, cast.platform_a)
    serious = await record_by(deps, only_on_a, cast.platform_a, days_ago=15, severity=Severity.SERIOUS)
    proposed = await propose(cast.as_regulator, only_on_a.id, [serious])
    assert proposed["__typename"] == "ProposeListingSuccess"
    desk = await clients.add_client(
        deps, f"B onboarding desk {factories.suffix()}", "platform", platform=cast.platform_b, purpose="入驻审核"
    )
    as_desk = GraphQLClient(cast.as_a.http, desk.token)
    document = """query($filter: SubjectFilter) { subjects(first: 50, filter: $filter) { edges { node { id } } } }"""

    for client in (cast.as_b, as_desk):  # B: not its subject, however it asks
        for asked in ({"nameContains": name}, {"nameContains": name, "platform": cast.platform_a}):
            assert (await client.data(document, filter=asked))["subjects"]["edges"] == []
        assert await entries_of(client, only_on_a.id) == []
    assert [e["id"] for e in await entries_of(cast.as_a, only_on_a.id)] == [proposed["entry"]["id"]]

    # A's enumerations are audited like lookups, with the purpose A declared for them.
    response = await cast.as_a.http.post(
        "/graphql",
        json={"query": ENTRIES, "variables": {"id": sid(only_on_a.id)}},
        headers={**cast.as_a.headers, "Credit-Purpose": "listing%20watch"},
    )
    assert response.status_code == 200
    assert "errors" not in response.json(), response.text
    reads = await cast.as_regulator.data(READS, id=sid(only_on_a.id), operation="listEntries")
    assert "listing watch" in {edge["node"]["purpose"] for edge in reads["auditReads"]["edges"]}

    # A platform client's default purpose is kept when a request declares none.
    await open_account(deps, only_on_a, cast.platform_b)
    assert len((await as_desk.data(document, filter={"nameContains": name}))["subjects"]["edges"]) == 1
    reads = await cast.as_regulator.data(READS, id=sid(only_on_a.id), operation="subjects")
    assert {(edge["node"]["client"], edge["node"]["purpose"]) for edge in reads["auditReads"]["edges"]} == {
        (desk.name, "入驻审核")
    }


async def open_account(deps: Deps, subject: Subject, platform: str) -> None:
    async with transaction(deps.pool) as conn:
        await factories.account(conn, subject.id, platform)
