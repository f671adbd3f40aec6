"""Public credit commitments over real HTTP: a subject promises, a record within the term breaks it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from credithub.domain.ids import IdKind, format_id
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient

MAKE = """mutation($input: MakeCommitmentInput!) { makeCommitment(input: $input) {
  __typename
  ... on MakeCommitmentSuccess { commitment { id subjectId content purpose termFrom termUntil madeBy state } }
  ... on InputError { field }
  ... on UserError { code message } } }"""

COMMITMENTS = """query($code: String!) { subjectByCreditCode(creditCode: $code) {
  id commitments { id content state brokenByRecordId brokenAt termUntil } } }"""

REPORT = """mutation($input: ReportViolationInput!) { reportViolation(input: $input) {
  __typename ... on ReportViolationSuccess { subjectId record { id } } ... on UserError { code message } } }"""

REVOKE = """mutation($input: RevokeViolationInput!) { revokeViolation(input: $input) {
  __typename ... on UserError { code message } } }"""


def _in(days: int) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


async def _merchant_with_subject_client(
    deps: Deps, http: httpx.AsyncClient, platform: GraphQLClient
) -> tuple[str, str, GraphQLClient]:
    """A merchant first reported with a minor record (so the hub knows it), and its own client."""
    code = factories.credit_code()
    reported = await platform.data(
        REPORT,
        input={
            "violationId": f"V-{factories.suffix()}",
            "subject": {
                "kind": "MERCHANT",
                "accountId": f"shop-{factories.suffix()}",
                "name": "诚信商行",
                "creditCode": code,
            },
            "category": "PLATFORM_RULE",
            "severity": "MINOR",
            "occurredAt": _in(-30),
            "description": "轻微违规",
            "legalBasis": "平台规则",
        },
    )
    subject_id = reported["reportViolation"]["subjectId"]
    issued = await clients.add_client(deps, f"subject {factories.suffix()}", "subject", subject=code)
    return code, subject_id, GraphQLClient(http, issued.token)


async def _report_general(platform: GraphQLClient, code: str, violation_id: str) -> dict[str, Any]:
    reported = await platform.data(
        REPORT,
        input={
            "violationId": violation_id,
            "subject": {"kind": "MERCHANT", "accountId": "shop-x", "name": "诚信商行", "creditCode": code},
            "category": "FALSE_ADVERTISING",
            "severity": "GENERAL",
            "occurredAt": _in(0),
            "description": "虚假宣传",
            "legalBasis": "《中华人民共和国广告法》第二十八条",
        },
    )
    result: dict[str, Any] = reported["reportViolation"]
    return result


async def test_a_general_record_within_the_term_breaks_a_commitment_and_its_withdrawal_mends_it(
    deps: Deps, http: httpx.AsyncClient, cast: Cast
) -> None:
    code, subject_id, as_subject = await _merchant_with_subject_client(deps, http, cast.as_a)
    made = (
        await as_subject.data(
            MAKE,
            input={
                "subjectId": subject_id,
                "content": "依法诚信经营，不做虚假宣传",
                "termUntil": _in(365),
                "purpose": "信用修复",
            },
        )
    )["makeCommitment"]
    assert made["__typename"] == "MakeCommitmentSuccess", made
    assert made["commitment"]["state"] == "IN_TERM"
    assert made["commitment"]["madeBy"].startswith("subject")

    # Public: another platform sees it, in term.
    [seen] = (await cast.as_b.data(COMMITMENTS, code=code))["subjectByCreditCode"]["commitments"]
    assert (seen["id"], seen["state"]) == (made["commitment"]["id"], "IN_TERM")

    reported = await _report_general(cast.as_a, code, "V-breach")
    assert reported["__typename"] == "ReportViolationSuccess", reported
    [broken] = (await as_subject.data(COMMITMENTS, code=code))["subjectByCreditCode"]["commitments"]
    assert broken["state"] == "BROKEN"
    assert broken["brokenByRecordId"] == reported["record"]["id"]

    revoked = (await cast.as_a.data(REVOKE, input={"violationId": "V-breach", "reason": "误报"}))["revokeViolation"]
    assert revoked["__typename"] == "RevokeViolationSuccess", revoked
    [mended] = (await as_subject.data(COMMITMENTS, code=code))["subjectByCreditCode"]["commitments"]
    assert (mended["state"], mended["brokenByRecordId"]) == ("IN_TERM", None)


async def test_only_the_subject_or_a_regulator_commits_and_only_about_what_comes(
    deps: Deps, http: httpx.AsyncClient, cast: Cast
) -> None:
    _, subject_id, as_subject = await _merchant_with_subject_client(deps, http, cast.as_a)
    promise = {"subjectId": subject_id, "content": "按时履约", "termUntil": _in(90)}

    by_platform = (await cast.as_a.data(MAKE, input=promise))["makeCommitment"]
    assert by_platform["code"] == "PERMISSION_DENIED"
    other = format_id(IdKind.SUBJECT, cast.merchant.id)
    for_another = (await as_subject.data(MAKE, input={**promise, "subjectId": other}))["makeCommitment"]
    assert for_another["code"] == "PERMISSION_DENIED"
    recorded = (await cast.as_regulator.data(MAKE, input=promise))["makeCommitment"]
    assert recorded["__typename"] == "MakeCommitmentSuccess", recorded

    backdated = (await as_subject.data(MAKE, input={**promise, "termFrom": _in(-10)}))["makeCommitment"]
    assert (backdated["code"], backdated["field"]) == ("INVALID_VALUE", "termFrom")
    too_long = (await as_subject.data(MAKE, input={**promise, "termUntil": _in(6 * 366)}))["makeCommitment"]
    assert (too_long["code"], too_long["field"]) == ("INVALID_VALUE", "termUntil")
    empty = (await as_subject.data(MAKE, input={**promise, "content": "  "}))["makeCommitment"]
    assert (empty["code"], empty["field"]) == ("INVALID_VALUE", "content")
