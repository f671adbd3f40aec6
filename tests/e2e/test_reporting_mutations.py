"""The reporting mutations a platform may use instead of webhooks: the same fields, the same
handlers, the same effect — checked from the GraphQL side as a platform engineer would."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.graphql_client import GraphQLClient

REPORT = """mutation($input: ReportViolationInput!) { reportViolation(input: $input) {
  __typename ... on ReportViolationSuccess { subjectId record { id status } } } }"""

REVOKE = """mutation($input: RevokeViolationInput!) { revokeViolation(input: $input) {
  __typename
  ... on RevokeViolationSuccess { subjectId record { id status source { reference } } }
  ... on UserError { code message } } }"""

UPDATE_ACCOUNT = """mutation($input: UpdateAccountInput!) { updateAccount(input: $input) {
  __typename
  ... on UpdateAccountSuccess { subjectId account { platform externalId status openedAt displayName } }
  ... on InvalidIdentifierError { field check }
  ... on UserError { code message } } }"""

CHANGE_RELATION = """mutation($input: ChangeRelationInput!) { changeRelation(input: $input) {
  __typename
  ... on ChangeRelationSuccess { relation fromSubjectId toSubjectId validFrom validTo }
  ... on InputError { field }
  ... on UserError { code message } } }"""

STATUS = """query($code: String!) { subjectByCreditCode(creditCode: $code) {
  records { edges { node { status } } } creditStatus { flags { measure } } } }"""

ANCHORS = """query($id: ID!) { subject(id: $id) { ... on McnAgency {
  anchors { edges { node { validFrom validTo anchor { id accounts { externalId status } } } } } } } }"""


@pytest.fixture
async def platform(deps: Deps, http: httpx.AsyncClient) -> tuple[str, GraphQLClient]:
    registered = await factories.platform(deps)
    return registered.code, GraphQLClient(http, registered.client.token)


def merchant(code: str, account_id: str = "shop-1") -> dict[str, Any]:
    return {"kind": "MERCHANT", "accountId": account_id, "name": "锦绣服饰有限公司", "creditCode": code}


def days_ago(days: int) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).isoformat()


async def test_revoking_a_reported_violation_withdraws_it_and_lifts_its_flags(
    platform: tuple[str, GraphQLClient],
) -> None:
    _, as_platform = platform
    code = factories.credit_code()
    reported = await as_platform.data(
        REPORT,
        input={
            "violationId": "V-back",
            "subject": merchant(code),
            "category": "COUNTERFEIT_GOODS",
            "severity": "GENERAL",
            "occurredAt": days_ago(2),
            "description": "售假",
            "legalBasis": "《中华人民共和国电子商务法》第十三条",
        },
    )
    assert "WITHDRAWAL_HOLD" in {
        f["measure"]
        for f in (await as_platform.data(STATUS, code=code))["subjectByCreditCode"]["creditStatus"]["flags"]
    }
    revoked = (await as_platform.data(REVOKE, input={"violationId": "V-back", "reason": "申诉成立"}))["revokeViolation"]
    assert revoked["__typename"] == "RevokeViolationSuccess"
    assert revoked["record"] == {
        "id": reported["reportViolation"]["record"]["id"],
        "status": "WITHDRAWN",
        "source": {"reference": "V-back"},
    }
    again = (await as_platform.data(REVOKE, input={"violationId": "V-back", "reason": "再次"}))["revokeViolation"]
    assert again["record"]["status"] == "WITHDRAWN"  # a second revocation changes nothing
    status = (await as_platform.data(STATUS, code=code))["subjectByCreditCode"]
    assert status["records"]["edges"] == [{"node": {"status": "WITHDRAWN"}}]
    assert "WITHDRAWAL_HOLD" not in {flag["measure"] for flag in status["creditStatus"]["flags"]}


async def test_revoking_what_the_platform_never_reported_is_a_typed_error(
    platform: tuple[str, GraphQLClient], deps: Deps, http: httpx.AsyncClient
) -> None:
    _, as_platform = platform
    unknown = (await as_platform.data(REVOKE, input={"violationId": "V-never", "reason": "x"}))["revokeViolation"]
    assert (unknown["__typename"], unknown["code"]) == ("NotYetKnownError", "NOT_YET_KNOWN")
    viewer = GraphQLClient(http, (await clients.add_client(deps, "dash", "viewer")).token)
    denied = (await viewer.data(REVOKE, input={"violationId": "V-never", "reason": "x"}))["revokeViolation"]
    assert denied["__typename"] == "PermissionDeniedError"


async def test_update_account_registers_the_subject_and_keeps_the_accounts_state(
    platform: tuple[str, GraphQLClient],
) -> None:
    code_name, as_platform = platform
    code = factories.credit_code()
    account_id = f"shop-{factories.suffix()}"
    answer = {"subject": merchant(code, account_id), "status": "SUSPENDED", "openedAt": "2024-03-01T00:00:00+08:00"}
    result = (await as_platform.data(UPDATE_ACCOUNT, input=answer))["updateAccount"]
    assert result["__typename"] == "UpdateAccountSuccess"
    assert result["account"] == {
        "platform": code_name,
        "externalId": account_id,
        "status": "SUSPENDED",
        "openedAt": "2024-02-29T16:00:00+00:00",
        "displayName": "锦绣服饰有限公司",
    }
    closed = await as_platform.data(UPDATE_ACCOUNT, input={**answer, "status": "CLOSED", "openedAt": None})
    assert closed["updateAccount"]["account"]["status"] == "CLOSED"
    assert closed["updateAccount"]["subjectId"] == result["subjectId"]
    bad = {**answer, "subject": merchant("91110000600037341N")}
    invalid = (await as_platform.data(UPDATE_ACCOUNT, input=bad))["updateAccount"]
    assert (invalid["__typename"], invalid["field"], invalid["check"]) == (
        "InvalidIdentifierError",
        "data.subject.credit_code",
        "check_character",
    )


async def test_change_relation_signs_and_ends_an_mcn_signing(platform: tuple[str, GraphQLClient]) -> None:
    _, as_platform = platform
    agency = {"kind": "MCN_AGENCY", "name": "星辰传媒", "creditCode": factories.credit_code()}
    anchor_account = f"lw_{factories.suffix()}"
    anchor = {"kind": "ANCHOR", "accountId": anchor_account, "name": "小星", "idNumber": factories.resident_id()}
    signing = {"relation": "MCN_SIGNING", "from": agency, "to": anchor, "validFrom": "2026-01-01T00:00:00+08:00"}
    began = (await as_platform.data(CHANGE_RELATION, input=signing))["changeRelation"]
    assert began["__typename"] == "ChangeRelationSuccess"
    assert (began["relation"], began["validTo"]) == ("MCN_SIGNING", None)
    anchors = (await as_platform.data(ANCHORS, id=began["fromSubjectId"]))["subject"]["anchors"]["edges"]
    assert [edge["node"]["anchor"]["id"] for edge in anchors] == [began["toSubjectId"]]
    ended = await as_platform.data(CHANGE_RELATION, input={**signing, "validTo": "2026-02-01T00:00:00+08:00"})
    assert ended["changeRelation"]["validTo"] == "2026-01-31T16:00:00+00:00"
    anchors = (await as_platform.data(ANCHORS, id=began["fromSubjectId"]))["subject"]["anchors"]["edges"]
    assert anchors == []  # the signing ended: the agency's anchors are those signed now
    backwards = {**signing, "from": anchor, "to": agency}
    refused = (await as_platform.data(CHANGE_RELATION, input=backwards))["changeRelation"]
    assert (refused["__typename"], refused["field"]) == ("InvalidValueError", "data.from.kind")


async def test_a_legal_representative_may_be_a_person_with_no_subject(platform: tuple[str, GraphQLClient]) -> None:
    _, as_platform = platform
    person = {"kind": "PERSON", "name": "张三", "idNumber": factories.resident_id()}
    company = {
        "kind": "MERCHANT",
        "accountId": f"shop-{factories.suffix()}",
        "name": "佳禾食品有限公司",
        "creditCode": factories.credit_code(),
    }
    relation = {"relation": "LEGAL_REPRESENTATIVE", "from": person, "to": company, "validFrom": days_ago(100)}
    result = (await as_platform.data(CHANGE_RELATION, input=relation))["changeRelation"]
    assert result["__typename"] == "ChangeRelationSuccess"
    assert result["fromSubjectId"] is None
    assert result["toSubjectId"].startswith("sub_")
