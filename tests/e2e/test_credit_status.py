"""Credit status and joint restriction flags over real HTTP: the golden scenarios of how lists,
measures and records yield flags and how they propagate, as a platform or a regulator sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import SubjectKind
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient

NOW = dt.datetime.now(dt.UTC)

STATUS = """
query($id: ID!, $asOf: DateTime) {
  subject(id: $id) {
    creditStatus(asOf: $asOf) {
      tier onSeriousDishonestList onRedList asOf ruleSet
      flags { measure kind mandatory enforced notEnforcedReason scope legalBasis sourcePlatform sourceAuthority
              via viaSubject { id name } recordIds listEntryIds effectiveFrom effectiveUntil reason }
    }
  }
}"""

PROPOSE = """
mutation($input: ProposeListingInput!) {
  proposeListing(input: $input) {
    __typename
    ... on ProposeListingSuccess { entry { id list state recordIds inForce authority defenceDeadline subject { id } } }
    ... on UserError { message code }
  }
}"""

DECIDE_LISTING = """
mutation($entryId: ID!, $listed: Boolean!, $note: String!, $validUntil: DateTime, $decisionRef: String) {
  decideListing(entryId: $entryId, listed: $listed, note: $note, validUntil: $validUntil, decisionRef: $decisionRef) {
    __typename
    ... on DecideListingSuccess { entry { id list state recordIds inForce validFrom validUntil decidedBy subject { id } } }
    ... on ValidityTooLongError { latest }
    ... on DefenceWindowOpenError { deadline }
    ... on UserError { message code }
  }
}"""


async def status_of(client: GraphQLClient, subject_id: int, as_of: dt.datetime | None = None) -> dict[str, Any]:
    data = await client.data(
        STATUS, id=format_id(IdKind.SUBJECT, subject_id), asOf=as_of.isoformat() if as_of else None
    )
    status: dict[str, Any] = data["subject"]["creditStatus"]
    return status


def measures(status: dict[str, Any]) -> set[str]:
    return {flag["measure"] for flag in status["flags"]}


async def propose(
    client: GraphQLClient, subject_id: int, record_ids: list[int], *, kind: str = "SERIOUS_DISHONEST"
) -> dict[str, Any]:
    data = await client.data(
        PROPOSE,
        input={
            "list": kind,
            "subjectId": format_id(IdKind.SUBJECT, subject_id),
            "recordIds": [format_id(IdKind.RECORD, record_id) for record_id in record_ids],
            "reason": "严重失信",
            "legalBasis": "《市场监督管理严重违法失信名单管理办法》",
            "legalBasisLevel": "DEPARTMENTAL_RULE",
            "exitCondition": "三年期满",
        },
    )
    result: dict[str, Any] = data["proposeListing"]
    return result


async def decide(
    client: GraphQLClient, entry_id: str, *, listed: bool = True, valid_until: dt.datetime | None = None
) -> dict[str, Any]:
    until = valid_until or NOW + dt.timedelta(days=200)
    data = await client.data(
        DECIDE_LISTING, entryId=entry_id, listed=listed, note="经审查，认定属实", validUntil=until.isoformat()
    )
    result: dict[str, Any] = data["decideListing"]
    return result


async def list_serious(
    cast: Cast, subject_id: int, record_ids: list[int], *, proposer: GraphQLClient | None = None
) -> dict[str, Any]:
    """Propose (one regulator of the authority) and decide (another): the entry in force, or the first refusal."""
    proposed = await propose(proposer or cast.as_regulator, subject_id, record_ids)
    if proposed["__typename"] != "ProposeListingSuccess":
        return proposed
    return await decide(cast.as_second_regulator, proposed["entry"]["id"])


async def test_listing_an_mcn_agency_flags_its_signed_anchors_at_once(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        agency = await factories.subject(conn, SubjectKind.MCN_AGENCY, name="星辰文化传媒有限公司")
        anchor = await factories.subject(conn, SubjectKind.ANCHOR)
        await factories.signing(conn, agency.id, anchor.id, valid_from=NOW - dt.timedelta(days=200))
        serious = await factories.record(
            conn, agency.id, cast.platform_a, severity=Severity.SERIOUS, occurred_at=NOW - dt.timedelta(days=40)
        )
    before = await status_of(cast.as_b, anchor.id)  # computed and cached before the listing
    assert "ASSOCIATED_RISK_REVIEW" not in measures(before)

    listed = await list_serious(cast, agency.id, [serious.id])
    assert listed["__typename"] == "DecideListingSuccess", listed
    assert listed["entry"]["inForce"] is True

    after = await status_of(cast.as_b, anchor.id)
    [flag] = [f for f in after["flags"] if f["measure"] == "ASSOCIATED_RISK_REVIEW"]
    assert flag["via"] == "MCN_SIGNING"
    assert flag["viaSubject"] == {"id": format_id(IdKind.SUBJECT, agency.id), "name": "星辰文化传媒有限公司"}
    assert flag["mandatory"] is False
    assert flag["listEntryIds"] == [listed["entry"]["id"]]
    agency_status = await status_of(cast.as_b, agency.id)
    assert agency_status["onSeriousDishonestList"] is True
    assert agency_status["tier"] == "D"
    assert {"ONBOARDING_BAN", "SIGNING_BAN"} <= measures(agency_status)


async def test_the_serious_dishonest_list_refuses_a_general_record(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        general = await factories.record(conn, merchant.id, cast.platform_a)
    result = await list_serious(cast, merchant.id, [general.id])
    assert (result["__typename"], result["code"]) == ("InvalidListBasisError", "INVALID_LIST_BASIS")


async def test_only_a_public_authority_designates_the_serious_dishonest_list(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        serious = await factories.record(conn, merchant.id, cast.platform_a, severity=Severity.SERIOUS)
    for outsider in (cast.as_a, cast.as_admin, cast.as_viewer):
        result = await list_serious(cast, merchant.id, [serious.id], proposer=outsider)
        assert (result["__typename"], result["code"]) == ("PermissionDeniedError", "PERMISSION_DENIED")


async def test_a_designated_live_stream_ban_follows_the_anchor_to_a_new_account_elsewhere(
    deps: Deps, cast: Cast
) -> None:
    async with transaction(deps.pool) as conn:
        anchor = await factories.subject(conn, SubjectKind.ANCHOR)
        await factories.account(conn, anchor.id, cast.platform_a)
        serious = await factories.record(
            conn,
            anchor.id,
            cast.platform_a,
            category=Category.ILLEGAL_CONTENT,
            severity=Severity.SERIOUS,
            occurred_at=NOW - dt.timedelta(days=10),
        )
        new_account = await factories.account(conn, anchor.id, cast.platform_b)
    document = """query($p: String!, $e: String!) { subjectByAccount(platform: $p, externalId: $e) {
                    creditStatus { flags { measure mandatory scope sourcePlatform sourceAuthority enforced } } } }"""

    async def flags_on_b() -> list[dict[str, Any]]:
        data = await cast.as_b.data(document, p=cast.platform_b, e=new_account.external_id)
        found: list[dict[str, Any]] = data["subjectByAccount"]["creditStatus"]["flags"]
        return found

    # Platform A's own word is no sanction elsewhere: no ban, and nothing mandatory, on B.
    assert [f for f in await flags_on_b() if f["measure"] == "LIVE_STREAM_BAN" or f["mandatory"]] == []
    # A proposes the inter-platform list; the body that runs it decides; the ban follows the person.
    proposed = await propose(cast.as_a, anchor.id, [serious.id], kind="JOINT_CONSTRAINT")
    assert proposed["__typename"] == "ProposeListingSuccess", proposed
    assert proposed["entry"]["authority"] == deps.settings.joint_list_authority
    assert [f for f in await flags_on_b() if f["measure"] == "LIVE_STREAM_BAN"] == []  # a proposal yields nothing
    decided = await decide(cast.as_joint_regulator, proposed["entry"]["id"])
    assert decided["__typename"] == "DecideListingSuccess", decided
    assert {
        "measure": "LIVE_STREAM_BAN",
        "mandatory": False,
        "scope": "ALL_PLATFORMS",
        "sourcePlatform": None,
        "sourceAuthority": deps.settings.joint_list_authority,
        "enforced": True,
    } in await flags_on_b()


async def test_origin_platform_measures_show_only_to_the_reporting_platform(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(conn, merchant.id, cast.platform_a, occurred_at=NOW - dt.timedelta(days=5))
    assert "WITHDRAWAL_HOLD" in measures(await status_of(cast.as_a, merchant.id))
    assert "WITHDRAWAL_HOLD" not in measures(await status_of(cast.as_b, merchant.id))
    assert "WITHDRAWAL_HOLD" in measures(await status_of(cast.as_regulator, merchant.id))


async def test_a_past_instant_uses_the_rules_then_in_force(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(conn, merchant.id, cast.platform_a, occurred_at=dt.datetime(2023, 9, 1, tzinfo=dt.UTC))
    then = await status_of(cast.as_a, merchant.id, dt.datetime(2024, 9, 1, tzinfo=dt.UTC))
    assert (then["ruleSet"], then["tier"]) == ("R2023", "B")  # general, 12 months old: in force under Order 58
    before = await status_of(cast.as_a, merchant.id, dt.datetime(2023, 8, 1, tzinfo=dt.UTC))
    assert before["tier"] == "B"  # nothing adverse yet, but nothing known either: A is earned
    assert "CAMPAIGN_EXCLUSION" in measures(
        await status_of(cast.as_a, merchant.id, dt.datetime(2023, 10, 1, tzinfo=dt.UTC))
    )


BATCH = """
query($codes: [String!]!, $asOf: DateTime) {
  creditStatuses(creditCodes: $codes, asOf: $asOf) {
    __typename
    ... on CreditStatus { creditCode tier flags { measure } }
    ... on InvalidIdentifierError { code check input field }
    ... on UnknownSubjectError { code input }
    ... on UserError { message }
  }
}"""


async def test_a_batch_answers_every_input_in_order_and_one_bad_code_fails_nothing(cast: Cast) -> None:
    known = cast.merchant.credit_code
    assert known is not None
    unknown = factories.credit_code()
    codes = [known, "91110000600037341N", unknown, known.lower(), "12345"]
    results = (await cast.as_a.data(BATCH, codes=codes))["creditStatuses"]
    assert [result["__typename"] for result in results] == [
        "CreditStatus",
        "InvalidIdentifierError",
        "UnknownSubjectError",
        "CreditStatus",
        "InvalidIdentifierError",
    ]
    assert results[0]["creditCode"] == results[3]["creditCode"] == known
    assert (results[1]["check"], results[1]["input"]) == ("check_character", "91110000600037341N")
    assert results[2]["input"] == unknown
    assert results[4]["check"] == "length"


async def test_a_batch_over_the_limit_is_refused_with_a_clear_error(cast: Cast) -> None:
    error = await cast.as_a.error(BATCH, codes=[factories.credit_code() for _ in range(1001)])
    assert error["extensions"]["code"] == "BATCH_TOO_LARGE"
    assert "1000" in error["message"]


SAVE_MEASURE = """
mutation($input: MeasureInput!) {
  saveMeasure(input: $input) {
    __typename
    ... on SaveMeasureSuccess { measure { code trigger { type description } } }
    ... on UserError { code message }
  }
}"""


def measure_input(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "RESTRICTION",
        "mandatory": False,
        "legalBasis": "《测试规则》",
        "legalBasisLevel": "PLATFORM_RULE",
        "subjectKinds": ["MERCHANT"],
        "scope": "ALL_PLATFORMS",
        "trigger": {"type": "RECORD", "categories": ["TAX_EVASION"]},
        **changes,
    }


async def test_an_admin_adds_a_measure_and_the_next_query_applies_it(deps: Deps, cast: Cast) -> None:
    code = f"TEST_{factories.suffix().upper()}"
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(conn, merchant.id, cast.platform_a, category=Category.TAX_EVASION)
    assert code not in measures(await status_of(cast.as_a, merchant.id))
    saved = (await cast.as_admin.data(SAVE_MEASURE, input=measure_input(code)))["saveMeasure"]
    assert saved["__typename"] == "SaveMeasureSuccess"
    assert code in measures(await status_of(cast.as_a, merchant.id))
    switched = await cast.as_admin.data(
        "mutation($c: String!) { setMeasureActive(code: $c, active: false) { __typename } }", c=code
    )
    assert switched["setMeasureActive"]["__typename"] == "SetMeasureActiveSuccess"
    assert code not in measures(await status_of(cast.as_a, merchant.id))


@pytest.mark.parametrize(
    ("client", "changes", "expected"),
    [
        ("as_regulator", {}, "PermissionDeniedError"),
        ("as_admin", {"legalBasis": "  "}, "InvalidValueError"),
        ("as_admin", {"trigger": {"type": "RECORD_COUNT", "count": 0, "windowMonths": 12}}, "InvalidValueError"),
        ("as_admin", {"code": "__"}, "InvalidValueError"),
        ("as_admin", {"code": "1_BAN"}, "InvalidValueError"),
        ("as_admin", {"mandatory": True}, "LegalBasisInsufficientError"),
        ("as_admin", {"mandatory": True, "legalBasisLevel": "DEPARTMENTAL_RULE"}, "LegalBasisInsufficientError"),
        (
            "as_admin",
            {"subjectKinds": ["ANCHOR"], "trigger": {"type": "TIER", "tiers": ["D"]}},
            "InvalidValueError",
        ),
    ],
)
async def test_bad_catalog_edits_come_back_as_typed_errors(
    cast: Cast, client: str, changes: dict[str, Any], expected: str
) -> None:
    result = await getattr(cast, client).data(SAVE_MEASURE, input={**measure_input("SHOULD_NOT_EXIST"), **changes})
    assert result["saveMeasure"]["__typename"] == expected


async def test_subjects_filter_by_stored_tier_and_by_list(deps: Deps, cast: Cast) -> None:
    from credithub.services import statuses

    name = f"过滤测试 {factories.suffix()}"
    async with transaction(deps.pool) as conn:
        listed = await factories.subject(conn, SubjectKind.MERCHANT, name=f"{name} listed")
        clean = await factories.subject(conn, SubjectKind.MERCHANT, name=f"{name} clean")
        serious = await factories.record(
            conn, listed.id, cast.platform_a, severity=Severity.SERIOUS, occurred_at=NOW - dt.timedelta(days=20)
        )
    assert (await list_serious(cast, listed.id, [serious.id]))["__typename"] == "DecideListingSuccess"
    while await statuses.refresh_due(deps):
        pass
    document = """query($filter: SubjectFilter) { subjects(first: 10, filter: $filter) { totalCount
                  edges { node { id } } } }"""

    async def found(**filters: str) -> set[str]:
        data = await cast.as_viewer.data(document, filter={"nameContains": name, **filters})
        return {edge["node"]["id"] for edge in data["subjects"]["edges"]}

    listed_id, clean_id = format_id(IdKind.SUBJECT, listed.id), format_id(IdKind.SUBJECT, clean.id)
    assert await found() == {listed_id, clean_id}
    assert await found(tier="D") == {listed_id}
    assert await found(tier="B") == {clean_id}  # first seen today: A is earned over 36 months
    assert await found(onList="SERIOUS_DISHONEST") == {listed_id}
    assert await found(onList="RED") == set()


async def test_the_readme_batch_query_answers_as_the_readme_says(cast: Cast) -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    document = re.findall(r"```graphql\n(.*?)```", readme, re.DOTALL)[1]
    assert "creditStatuses" in document
    results = (await cast.as_a.data(document, codes=[cast.merchant.credit_code, "not-a-code"]))["creditStatuses"]
    assert [result["__typename"] for result in results] == ["CreditStatus", "InvalidIdentifierError"]
    assert results[1]["code"] == "INVALID_IDENTIFIER"
