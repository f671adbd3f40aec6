"""Execution gaps over real HTTP: a designated mandatory flag each platform must report applied,
and a signing an agency made while it was under SIGNING_BAN."""

from __future__ import annotations

import datetime as dt
from typing import Any

from credithub.db import signings as db_signings
from credithub.db import subjects as db_subjects
from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import Account, Subject, SubjectKind
from credithub.services import clients, statuses
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_credit_status import list_serious

GAPS = """query($platform: String, $first: Int, $after: String) {
  executionGaps(platform: $platform, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { kind subjectId platform measure since dueBy relatedSubjectId detail
                   subject { name } relatedSubject { name } } } } }"""

EXECUTED = """mutation($input: ReportMeasureExecutionInput!) { reportMeasureExecution(input: $input) {
  __typename ... on UserError { code message } } }"""

SIGN = """mutation($input: ChangeRelationInput!) { changeRelation(input: $input) {
  __typename ... on UserError { code message } } }"""


async def gaps_of(client: GraphQLClient, subject_id: int, platform: str | None = None) -> list[dict[str, Any]]:
    mine = format_id(IdKind.SUBJECT, subject_id)
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await client.data(GAPS, platform=platform, first=100, after=after))["executionGaps"]
        found += [edge["node"] for edge in page["edges"] if mine in (edge["node"]["subjectId"],)]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def party(subject: Subject, account: Account) -> dict[str, Any]:
    return {
        "kind": "MERCHANT",
        "accountId": account.external_id,
        "name": subject.name,
        "creditCode": subject.credit_code,
    }


async def report(client: GraphQLClient, subject: Subject, account: Account, action: str) -> dict[str, Any]:
    executed = dt.datetime.now(dt.UTC).isoformat()
    answer = await client.data(
        EXECUTED,
        input={
            "subject": party(subject, account),
            "measure": "REPRESENTATIVE_BAR",
            "action": action,
            "executedAt": executed,
        },
    )
    result: dict[str, Any] = answer["reportMeasureExecution"]
    return result


async def test_each_platform_owes_a_report_that_it_applied_a_designated_mandatory_flag(deps: Deps, cast: Cast) -> None:
    """The serious-dishonest listing of one company bars its legal representative from representing
    another: the sister company carries the mandatory REPRESENTATIVE_BAR on both its platforms."""
    async with transaction(deps.pool) as conn:
        listed_company = await factories.subject(conn, SubjectKind.MERCHANT)
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        on_a = await factories.account(conn, merchant.id, cast.platform_a)
        on_b = await factories.account(conn, merchant.id, cast.platform_b)
        person = await db_subjects.upsert_person(conn, factories.suffix().encode() * 4)
        for company in (listed_company, merchant):
            await db_signings.upsert_representation(
                conn, person, company.id, factories.NOW - dt.timedelta(days=400), None, cast.platform_a
            )
        serious = await factories.record(
            conn, listed_company.id, cast.platform_a, severity=Severity.SERIOUS, category=Category.FAKE_TRANSACTIONS
        )
    listed = await list_serious(cast, listed_company.id, [serious.id])
    assert listed["__typename"] == "DecideListingSuccess", listed
    assert await gaps_of(cast.as_regulator, merchant.id) == []  # not pushed yet
    await statuses.refresh_subjects(deps, [merchant.id])  # the refresher pushes the new flags

    owed = await gaps_of(cast.as_regulator, merchant.id)
    assert {(g["kind"], g["platform"], g["measure"]) for g in owed} == {
        ("NOT_APPLIED", cast.platform_a, "REPRESENTATIVE_BAR"),
        ("NOT_APPLIED", cast.platform_b, "REPRESENTATIVE_BAR"),
    }
    assert len(owed) == 2
    assert owed[0]["subject"]["name"] == merchant.name

    assert (await report(cast.as_a, merchant, on_a, "APPLIED"))["__typename"] == "ReportMeasureExecutionSuccess"
    assert [g["platform"] for g in await gaps_of(cast.as_regulator, merchant.id)] == [cast.platform_b]
    # A platform sees its own gaps only, whatever it asks for.
    assert [g["platform"] for g in await gaps_of(cast.as_b, merchant.id, platform=cast.platform_a)] == [cast.platform_b]
    assert await gaps_of(cast.as_a, merchant.id) == []

    assert (await report(cast.as_b, merchant, on_b, "APPLIED"))["__typename"] == "ReportMeasureExecutionSuccess"
    assert await gaps_of(cast.as_regulator, merchant.id) == []
    assert (await report(cast.as_b, merchant, on_b, "LIFTED"))["__typename"] == "ReportMeasureExecutionSuccess"
    [lifted] = await gaps_of(cast.as_regulator, merchant.id)
    assert lifted["platform"] == cast.platform_b
    assert "lifted" in lifted["detail"]


async def test_an_agency_signing_an_anchor_under_a_signing_ban_is_a_relation_in_breach(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        agency = await factories.subject(conn, SubjectKind.MCN_AGENCY, name="违约传媒有限公司")
        await factories.account(conn, agency.id, cast.platform_a)
        serious = await factories.record(conn, agency.id, cast.platform_a, severity=Severity.SERIOUS)
    listed = await list_serious(cast, agency.id, [serious.id])
    assert listed["__typename"] == "DecideListingSuccess", listed
    await statuses.refresh_subjects(deps, [agency.id])
    assert [g for g in await gaps_of(cast.as_regulator, agency.id) if g["kind"] == "RELATION_IN_BREACH"] == []

    signed = await cast.as_a.data(
        SIGN,
        input={
            "relation": "MCN_SIGNING",
            "from": {"kind": "MCN_AGENCY", "name": agency.name, "creditCode": agency.credit_code},
            "to": {
                "kind": "ANCHOR",
                "accountId": f"lw_{factories.suffix()}",
                "name": "新主播",
                "idNumber": factories.resident_id(),
            },
            "validFrom": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    assert signed["changeRelation"]["__typename"] == "ChangeRelationSuccess", signed
    [breach] = [g for g in await gaps_of(cast.as_regulator, agency.id) if g["kind"] == "RELATION_IN_BREACH"]
    assert (breach["measure"], breach["platform"]) == ("SIGNING_BAN", cast.platform_a)
    assert breach["relatedSubject"]["name"] == "新主播"


async def test_only_oversight_and_platforms_see_execution_gaps(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
    issued = await clients.add_client(deps, f"subject {factories.suffix()}", "subject", subject=merchant.credit_code)
    as_subject = GraphQLClient(cast.as_a.http, issued.token)
    error = await as_subject.error(GAPS, first=5)
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    seen = await cast.as_viewer.data(GAPS, first=1)
    assert len(seen["executionGaps"]["edges"]) <= 1
