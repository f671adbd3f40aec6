"""Objections and credit repair over real HTTP: who may do what, what each step does
to the record, its flags and its list entries, and what stays in the history and the audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

from credithub.db import objections as db_objections
from credithub.db.pool import transaction
from credithub.domain.errors import UnknownSubject
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.rules import add_months
from credithub.domain.subjects import Subject, SubjectKind
from credithub.services import catalog, objections
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_credit_status import list_serious, status_of

NOW = dt.datetime.now(dt.UTC)

FILE = """
mutation($recordId: ID!, $reason: String!) {
  fileObjection(recordId: $recordId, reason: $reason) {
    __typename
    ... on FileObjectionSuccess { objection { id status dueAt overdue filedBy record { id status } subject { id } } }
    ... on UserError { message code }
  }
}"""

RESOLVE = """
mutation($id: ID!, $upheld: Boolean!, $note: String!) {
  resolveObjection(objectionId: $id, upheld: $upheld, note: $note) {
    __typename
    ... on ResolveObjectionSuccess { objection { id status resolvedBy resolutionNote record { status } } }
    ... on TransitionNotAllowedError { state event }
    ... on UserError { message code }
  }
}"""

APPLY = """
mutation($recordId: ID!, $evidence: String!, $commitment: String!) {
  applyForRepair(recordId: $recordId, evidence: $evidence, commitment: $commitment) {
    __typename
    ... on ApplyForRepairSuccess { application { id status appliedBy record { id status } } }
    ... on RepairTooEarlyError { allowedFrom ruleSet }
    ... on UserError { message code }
  }
}"""

DECIDE = """
mutation($id: ID!, $approved: Boolean!, $note: String!) {
  decideRepair(applicationId: $id, approved: $approved, note: $note) {
    __typename
    ... on DecideRepairSuccess { application { id status decidedBy decisionNote record { status } } }
    ... on UserError { message code }
  }
}"""

RECORD_STATUSES = """
query($id: ID!) { subject(id: $id) { records(first: 50) { totalCount edges { node { id status statusHistory { fromStatus toStatus actor reason } } } } } }"""

ENTRIES = """
query($id: ID!) { listEntries(filter: {subjectId: $id}) { edges { node { id state endedAt endedBy endReason endCause inForce } } } }"""

EXIT_REVIEWS = """
query($id: ID!) { exitReviews(filter: {subjectId: $id}) { totalCount edges { node { id cause status entryId recordId } } } }"""

DECIDE_EXIT = """
mutation($id: ID!, $end: Boolean!, $note: String!) {
  decideExitReview(reviewId: $id, endListing: $end, note: $note) {
    __typename
    ... on DecideExitReviewSuccess { review { id status decidedBy entry { state endCause } } }
    ... on UserError { message code }
  }
}"""

COMMITMENT = "本主体承诺已纠正失信行为，今后守法诚信经营，如有违反愿承担相应法律责任。"


@dataclass
class Case:
    """A merchant with accounts on A and B, a serious record reported by A, listed on it."""

    merchant: Subject
    record_id: str
    entry_id: str


async def serious_case(
    deps: Deps, cast: Cast, *, days_ago: int = 40, category: Category = Category.FAKE_TRANSACTIONS
) -> Case:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, cast.platform_a)
        await factories.account(conn, merchant.id, cast.platform_b)
        record = await factories.record(
            conn,
            merchant.id,
            cast.platform_a,
            severity=Severity.SERIOUS,
            category=category,
            occurred_at=NOW - dt.timedelta(days=days_ago),
        )
    listed = await list_serious(cast, merchant.id, [record.id])
    assert listed["__typename"] == "DecideListingSuccess", listed
    return Case(merchant, format_id(IdKind.RECORD, record.id), listed["entry"]["id"])


def restrictions(status: dict[str, Any]) -> list[str]:
    return [flag["measure"] for flag in status["flags"] if flag["kind"] == "RESTRICTION"]


def subject_id(case: Case) -> str:
    return format_id(IdKind.SUBJECT, case.merchant.id)


async def file(
    client: GraphQLClient, record_id: str, reason: str = "该交易系真实交易，附物流与支付凭证"
) -> dict[str, Any]:
    result: dict[str, Any] = (await client.data(FILE, recordId=record_id, reason=reason))["fileObjection"]
    return result


async def resolve(client: GraphQLClient, objection_id: str, *, upheld: bool) -> dict[str, Any]:
    data = await client.data(RESOLVE, id=objection_id, upheld=upheld, note="核查物流与支付记录")
    result: dict[str, Any] = data["resolveObjection"]
    return result


async def record_status(client: GraphQLClient, case: Case) -> str | None:
    data = await client.data(RECORD_STATUSES, id=subject_id(case))
    found = [edge["node"] for edge in data["subject"]["records"]["edges"] if edge["node"]["id"] == case.record_id]
    return found[0]["status"] if found else None


async def test_an_objection_stops_enforcement_at_once_and_a_rejection_restores_it(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    before = await status_of(cast.as_b, case.merchant.id)
    assert before["flags"]
    assert all(flag["enforced"] for flag in before["flags"])

    filed = await file(cast.as_b, case.record_id)  # B: a platform where the merchant has an account
    assert filed["__typename"] == "FileObjectionSuccess", filed
    assert filed["objection"]["status"] == "OPEN"
    assert filed["objection"]["record"]["status"] == "OBJECTION_PENDING"
    assert filed["objection"]["overdue"] is False

    pending = await status_of(cast.as_b, case.merchant.id)
    assert {flag["measure"] for flag in pending["flags"]} == {flag["measure"] for flag in before["flags"]}
    assert pending["flags"]
    assert not any(flag["enforced"] for flag in pending["flags"])
    assert all("OBJECTION_PENDING" in flag["notEnforcedReason"] for flag in pending["flags"])

    refused = await resolve(cast.as_b, filed["objection"]["id"], upheld=False)  # B is not the source
    assert refused["__typename"] == "PermissionDeniedError"
    rejected = await resolve(cast.as_a, filed["objection"]["id"], upheld=False)
    assert rejected["__typename"] == "ResolveObjectionSuccess", rejected
    assert rejected["objection"]["status"] == "REJECTED"
    assert rejected["objection"]["record"]["status"] == "ACTIVE"
    after = await status_of(cast.as_b, case.merchant.id)
    assert after["flags"]
    assert all(flag["enforced"] for flag in after["flags"])

    again = await resolve(cast.as_a, filed["objection"]["id"], upheld=True)
    assert (again["__typename"], again["state"], again["event"]) == ("TransitionNotAllowedError", "REJECTED", "UPHOLD")


async def test_an_upheld_objection_withdraws_the_record_and_its_authority_ends_the_listing(
    deps: Deps, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    filed = await file(cast.as_b, case.record_id)
    upheld = await resolve(cast.as_regulator, filed["objection"]["id"], upheld=True)
    assert upheld["objection"]["status"] == "UPHELD"
    assert upheld["objection"]["record"]["status"] == "WITHDRAWN"
    assert upheld["objection"]["resolvedBy"].startswith("regulator:")

    status = await status_of(cast.as_b, case.merchant.id)
    assert restrictions(status) == []
    assert status["onSeriousDishonestList"] is False
    [entry] = (await cast.as_regulator.data(ENTRIES, id=subject_id(case)))["listEntries"]["edges"]
    assert entry["node"]["id"] == case.entry_id
    assert entry["node"]["inForce"] is False
    assert "withdrawn" in entry["node"]["endReason"]

    history = await cast.as_a.data(RECORD_STATUSES, id=subject_id(case))
    [record] = [e["node"] for e in history["subject"]["records"]["edges"] if e["node"]["id"] == case.record_id]
    assert [(c["fromStatus"], c["toStatus"]) for c in record["statusHistory"]] == [
        (None, "ACTIVE"),
        ("ACTIVE", "OBJECTION_PENDING"),
        ("OBJECTION_PENDING", "WITHDRAWN"),
    ]
    assert all(change["actor"] and change["reason"] for change in record["statusHistory"])


async def test_one_open_objection_per_record_and_only_parties_may_file(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    stranger = GraphQLClient(cast.as_a.http, (await factories.platform(deps)).client.token)
    assert (await file(stranger, case.record_id))["__typename"] == "PermissionDeniedError"
    assert (await file(cast.as_viewer, case.record_id))["__typename"] == "PermissionDeniedError"
    assert (await file(cast.as_a, case.record_id))["__typename"] == "FileObjectionSuccess"
    second = await file(cast.as_b, case.record_id)
    assert second["__typename"] == "TransitionNotAllowedError", second
    blank = await file(cast.as_b, case.record_id, reason="   ")
    assert (blank["__typename"], blank["code"]) == ("InvalidValueError", "INVALID_VALUE")
    missing = await file(cast.as_b, "rec_999999999")
    assert missing["__typename"] == "NotFoundError"
    malformed = await file(cast.as_b, "sub_1")
    assert malformed["__typename"] == "InvalidIdError"


async def test_an_error_the_result_union_does_not_list_is_answered_with_its_code_never_internal(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`resolveObjection` catches `NotFound`, and with it every subclass: one whose type its union
    does not list (here `UnknownSubject`, as a change in the service could bring) reaches the client
    as a top-level error with its own code, not as INTERNAL."""

    async def raises(*args: object, **kwargs: object) -> NoReturn:
        raise UnknownSubject(format_id(IdKind.SUBJECT, 1))

    monkeypatch.setattr(objections, "resolve_objection", raises)
    answer = await cast.as_a.execute(RESOLVE, id=format_id(IdKind.OBJECTION, 1), upheld=True, note="核查")
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "UNKNOWN_SUBJECT", error
    assert error["path"] == ["resolveObjection"]


OBJECTIONS = """
query($filter: ObjectionFilter) {
  objections(first: 50, filter: $filter) { totalCount edges { node { id overdue status subject { id } } } }
}"""


async def test_overdue_objections_are_listed_and_each_platform_sees_its_own(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    filed = await file(cast.as_b, case.record_id)
    async with transaction(deps.pool) as conn:  # an objection filed three weeks ago and never resolved
        other = await serious_case(deps, cast)
        late = await db_objections.insert(
            conn,
            int(other.record_id.removeprefix("rec_")),
            "platform:test",
            cast.platform_b,
            "late",
            NOW - dt.timedelta(days=21),
            NOW - dt.timedelta(days=6),
            suspends=True,
        )
    late_id = format_id(IdKind.OBJECTION, late.id)

    overdue = (await cast.as_regulator.data(OBJECTIONS, filter={"overdue": True}))["objections"]
    overdue_ids = {edge["node"]["id"] for edge in overdue["edges"]}
    assert late_id in overdue_ids
    assert filed["objection"]["id"] not in overdue_ids
    assert all(edge["node"]["overdue"] for edge in overdue["edges"])

    mine = (await cast.as_b.data(OBJECTIONS, filter={"subjectId": subject_id(case)}))["objections"]
    assert [edge["node"]["id"] for edge in mine["edges"]] == [filed["objection"]["id"]]
    stranger = GraphQLClient(cast.as_a.http, (await factories.platform(deps)).client.token)
    assert (await stranger.data(OBJECTIONS))["objections"]["totalCount"] == 0


async def test_a_repair_is_refused_before_the_minimum_publicity_period_with_the_date_it_opens(
    deps: Deps, cast: Cast
) -> None:
    case = await serious_case(deps, cast, days_ago=40)
    rules = await catalog.rules_now(deps)
    result = (await cast.as_b.data(APPLY, recordId=case.record_id, evidence="已整改", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    assert result["__typename"] == "RepairTooEarlyError", result
    async with deps.pool.acquire() as conn:
        occurred_at = await conn.fetchval(
            "SELECT occurred_at FROM credit_records WHERE id = $1", int(case.record_id.removeprefix("rec_"))
        )
    opens = add_months(occurred_at, rules.window(Severity.SERIOUS).min_months)
    assert dt.datetime.fromisoformat(result["allowedFrom"]) == opens
    assert result["ruleSet"] == rules.code


async def test_categories_the_law_excludes_are_not_repairable(deps: Deps, cast: Cast) -> None:
    rules = await catalog.rules_now(deps)
    assert rules.repair_excluded_categories, "the seeded rule set excludes court-listed debtors"
    excluded = Category(sorted(rules.repair_excluded_categories)[0])
    case = await serious_case(deps, cast, days_ago=800, category=excluded)
    result = (await cast.as_a.data(APPLY, recordId=case.record_id, evidence="已履行", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    assert (result["__typename"], result["code"]) == ("NotRepairableError", "NOT_REPAIRABLE")
    assert excluded.value in result["message"]


async def test_an_approved_repair_hides_the_record_and_asks_the_listings_authority_to_end_it(
    deps: Deps, cast: Cast
) -> None:
    case = await serious_case(deps, cast, days_ago=400)
    assert (await status_of(cast.as_b, case.merchant.id))["flags"]
    short = (await cast.as_b.data(APPLY, recordId=case.record_id, evidence="已整改", commitment="承诺"))[
        "applyForRepair"
    ]
    assert short["__typename"] == "InvalidValueError"
    applied = (await cast.as_b.data(APPLY, recordId=case.record_id, evidence="已整改并赔付", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    assert applied["__typename"] == "ApplyForRepairSuccess", applied
    assert applied["application"]["status"] == "PENDING"
    twice = (await cast.as_b.data(APPLY, recordId=case.record_id, evidence="再次", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    assert twice["__typename"] == "AlreadyExistsError"

    application_id = applied["application"]["id"]
    denied = (await cast.as_b.data(DECIDE, id=application_id, approved=True, note="同意"))["decideRepair"]
    assert denied["__typename"] == "PermissionDeniedError"  # B did not report it: A decides
    approved = (await cast.as_a.data(DECIDE, id=application_id, approved=True, note="整改到位，同意修复"))[
        "decideRepair"
    ]
    assert approved["__typename"] == "DecideRepairSuccess", approved
    assert approved["application"]["status"] == "APPROVED"
    assert approved["application"]["record"] is None  # repaired: no longer shown, even to its source

    for client in (cast.as_a, cast.as_b, cast.as_viewer, cast.as_admin):
        assert await record_status(client, case) is None
    assert await record_status(cast.as_regulator, case) == "REPAIRED"
    # A repaired its own record; the listing is the market regulator's act: it stands, and its
    # authority is asked whether it should end.
    status = await status_of(cast.as_b, case.merchant.id)
    assert status["onSeriousDishonestList"] is True
    assert "ONBOARDING_BAN" in restrictions(status)
    [review] = (await cast.as_regulator.data(EXIT_REVIEWS, id=subject_id(case)))["exitReviews"]["edges"]
    assert (review["node"]["cause"], review["node"]["status"], review["node"]["entryId"]) == (
        "REPAIRED",
        "OPEN",
        case.entry_id,
    )
    refused = await cast.as_a.data(DECIDE_EXIT, id=review["node"]["id"], end=True, note="已修复")
    assert refused["decideExitReview"]["__typename"] == "PermissionDeniedError"
    ended = await cast.as_regulator.data(DECIDE_EXIT, id=review["node"]["id"], end=True, note="记录已修复，移出名单")
    assert ended["decideExitReview"]["review"]["status"] == "ENDED"
    assert ended["decideExitReview"]["review"]["entry"]["state"] == "ENDED"

    status = await status_of(cast.as_b, case.merchant.id)
    assert restrictions(status) == []
    assert status["onSeriousDishonestList"] is False
    [entry] = (await cast.as_regulator.data(ENTRIES, id=subject_id(case)))["listEntries"]["edges"]
    assert entry["node"]["inForce"] is False


async def test_a_rejected_repair_keeps_its_reason_and_the_record(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast, days_ago=400)
    applied = (await cast.as_a.data(APPLY, recordId=case.record_id, evidence="已整改", commitment=COMMITMENT))[
        "applyForRepair"
    ]
    rejected = (await cast.as_regulator.data(DECIDE, id=applied["application"]["id"], approved=False, note="证据不足"))[
        "decideRepair"
    ]
    assert rejected["application"]["status"] == "REJECTED"
    assert rejected["application"]["decisionNote"] == "证据不足"
    assert rejected["application"]["record"]["status"] == "ACTIVE"
    assert (await status_of(cast.as_b, case.merchant.id))["onSeriousDishonestList"] is True


async def test_text_postgresql_cannot_keep_is_refused_as_input_never_as_an_internal_error(
    deps: Deps, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    refused = await file(cast.as_b, case.record_id, reason="真实交易\u0000")
    assert (refused["__typename"], refused["code"]) == ("InvalidValueError", "INVALID_VALUE"), refused
    assert "U+0000" in refused["message"]
    assert await record_status(cast.as_b, case) == "ACTIVE"  # nothing was filed
    error = await cast.as_b.error('{ subjects(filter: {nameContains: "a\\u0000"}) { totalCount } }')
    assert error["extensions"]["code"] == "INVALID_VALUE"


async def test_a_record_hidden_from_a_platform_cannot_be_acted_on_or_told_apart_from_none(
    deps: Deps, cast: Cast
) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, cast.platform_a)
        await factories.account(conn, merchant.id, cast.platform_b)
        minor = await factories.record(conn, merchant.id, cast.platform_a, severity=Severity.MINOR)  # unpublished
        repaired = await factories.record(
            conn, merchant.id, cast.platform_a, status=RecordStatus.REPAIRED, occurred_at=NOW - dt.timedelta(days=800)
        )
    nowhere = await file(cast.as_b, "rec_999999999")
    for record in (minor, repaired):
        record_id = format_id(IdKind.RECORD, record.id)
        refused = [
            await file(cast.as_b, record_id),
            (await cast.as_b.data(APPLY, recordId=record_id, evidence="整改完毕", commitment=COMMITMENT))[
                "applyForRepair"
            ],
        ]
        assert [(r["__typename"], r["message"].split()[:2]) for r in refused] == [
            ("NotFoundError", nowhere["message"].split()[:2])
        ] * 2
    assert (await file(cast.as_a, format_id(IdKind.RECORD, minor.id)))["__typename"] == "FileObjectionSuccess"


async def test_dashboards_see_where_workflows_stand_but_not_what_the_parties_wrote(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    filed = await file(cast.as_b, case.record_id, reason="物流单号 SF1234 可证交易真实")
    assert filed["__typename"] == "FileObjectionSuccess"
    document = """query($filter: ObjectionFilter) {
      objections(first: 5, filter: $filter) { edges { node { id status reason resolutionNote } } } }"""
    seen = {}
    for role in ("as_viewer", "as_regulator", "as_b"):
        data = await getattr(cast, role).data(document, filter={"subjectId": subject_id(case)})
        [node] = [edge["node"] for edge in data["objections"]["edges"]]
        seen[role] = (node["status"], node["reason"])
    assert seen == {
        "as_viewer": ("OPEN", None),
        "as_regulator": ("OPEN", "物流单号 SF1234 可证交易真实"),
        "as_b": ("OPEN", "物流单号 SF1234 可证交易真实"),
    }
