"""The read API over real HTTP: finding subjects, paging records, roles, and clear errors."""

from __future__ import annotations

import datetime as dt

import httpx

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.subjects import SubjectKind
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient

SUBJECT_FIELDS = """
    __typename id kind name
    ... on Merchant { creditCode }
    accounts { platform externalId status }
"""


async def test_a_merchant_is_found_by_credit_code_in_any_case(cast: Cast) -> None:
    code = cast.merchant.credit_code
    assert code is not None
    data = await cast.as_a.data(
        f"query($code: String!) {{ subjectByCreditCode(creditCode: $code) {{ {SUBJECT_FIELDS} }} }}",
        code=f"  {code.lower()} ",
    )
    found = data["subjectByCreditCode"]
    assert (found["__typename"], found["creditCode"], found["kind"]) == ("Merchant", code, "MERCHANT")
    assert {account["platform"] for account in found["accounts"]} == {cast.platform_a, cast.platform_b}


async def test_an_invalid_credit_code_is_an_error_naming_the_failed_check(cast: Cast) -> None:
    error = await cast.as_a.error('{ subjectByCreditCode(creditCode: "91110000600037341N") { id } }')
    assert error["extensions"] == {
        "code": "INVALID_IDENTIFIER",
        "field": "creditCode",
        "identifier": "USCC",
        "check": "check_character",
    }
    assert "check character" in error["message"]


async def test_an_unknown_valid_credit_code_is_null(cast: Cast) -> None:
    data = await cast.as_a.data(
        "query($c: String!) { subjectByCreditCode(creditCode: $c) { id } }", c=factories.credit_code()
    )
    assert data == {"subjectByCreditCode": None}


async def test_a_subject_is_found_by_platform_account_and_by_id(cast: Cast) -> None:
    by_account = await cast.as_b.data(
        "query($p: String!, $e: String!) { subjectByAccount(platform: $p, externalId: $e) { id name } }",
        p=cast.platform_a,
        e=cast.merchant_account.external_id,
    )
    subject_id = format_id(IdKind.SUBJECT, cast.merchant.id)
    assert by_account["subjectByAccount"] == {"id": subject_id, "name": cast.merchant.name}
    by_id = await cast.as_b.data("query($id: ID!) { subject(id: $id) { name } }", id=subject_id)
    assert by_id["subject"]["name"] == cast.merchant.name


async def test_a_malformed_id_is_an_error_not_a_crash(cast: Cast) -> None:
    error = await cast.as_a.error('{ subject(id: "rec_12") { id } }')
    assert error["extensions"]["code"] == "INVALID_ID"


RECORDS_PAGE = """
query($code: String!, $first: Int, $after: String, $filter: RecordFilter) {
  subjectByCreditCode(creditCode: $code) {
    records(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { id occurredAt severity source { type platform } } }
    }
  }
}"""


async def test_records_page_newest_first_without_gaps_or_repeats(cast: Cast) -> None:
    seen: list[str] = []
    after = None
    while True:
        data = await cast.as_a.data(RECORDS_PAGE, code=cast.merchant.credit_code, first=10, after=after)
        page = data["subjectByCreditCode"]["records"]
        assert page["totalCount"] == 26  # 25 + 1 on the other platform; the repaired one is not shown
        seen += [edge["node"]["id"] for edge in page["edges"]]
        occurred = [edge["node"]["occurredAt"] for edge in page["edges"]]
        assert occurred == sorted(occurred, reverse=True)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == 26


async def test_records_filter_by_severity_and_source(cast: Cast) -> None:
    data = await cast.as_a.data(
        RECORDS_PAGE, code=cast.merchant.credit_code, first=50, filter={"severities": ["SERIOUS"]}
    )
    page = data["subjectByCreditCode"]["records"]
    assert page["totalCount"] == 1
    assert page["edges"][0]["node"]["severity"] == "SERIOUS"
    data = await cast.as_a.data(
        RECORDS_PAGE,
        code=cast.merchant.credit_code,
        first=50,
        filter={
            "sourcePlatform": cast.platform_a,
            "occurredBefore": (factories.NOW - dt.timedelta(days=20)).isoformat(),
        },
    )
    assert data["subjectByCreditCode"]["records"]["totalCount"] == 5  # days 21..25: the bound is exclusive
    by_b = {"sourcePlatform": cast.platform_b}  # B's records are redacted for A: their source too
    for client, expected in ((cast.as_a, 0), (cast.as_b, 1), (cast.as_regulator, 2)):  # B's serious one; +repaired
        data = await client.data(RECORDS_PAGE, code=cast.merchant.credit_code, first=50, filter=by_b)
        assert data["subjectByCreditCode"]["records"]["totalCount"] == expected


async def test_a_page_size_above_the_limit_is_refused(cast: Cast) -> None:
    error = await cast.as_a.error(RECORDS_PAGE, code=cast.merchant.credit_code, first=1000)
    assert error["extensions"]["code"] == "INVALID_PAGE_SIZE"


async def test_a_forged_cursor_is_refused(cast: Cast) -> None:
    error = await cast.as_a.error(RECORDS_PAGE, code=cast.merchant.credit_code, after="bm90LWEtY3Vyc29y")
    assert error["extensions"]["code"] == "INVALID_CURSOR"


DETAIL = """
query($code: String!) {
  subjectByCreditCode(creditCode: $code) {
    records(first: 100) {
      edges { node { status redacted description legalBasis legalBasisReference statusHistory { toStatus }
                     source { type platform reference } } }
    }
  }
}"""


async def _records(client: GraphQLClient, cast: Cast) -> list[dict[str, object]]:
    data = await client.data(DETAIL, code=cast.merchant.credit_code)
    return [edge["node"] for edge in data["subjectByCreditCode"]["records"]["edges"]]


async def test_a_platform_sees_its_own_records_in_full_and_others_redacted(cast: Cast) -> None:
    for record in await _records(cast.as_b, cast):
        own = record["source"] == {
            "type": "PLATFORM",
            "platform": cast.platform_b,
            "reference": record["source"]["reference"],
        }  # type: ignore[index]
        if own:
            assert record["redacted"] is False
            assert record["description"]
            assert record["statusHistory"]
        else:
            assert record["redacted"] is True
            assert record["description"] is None
            assert record["legalBasis"] is None
            assert record["statusHistory"] is None
            assert record["source"] == {"type": "PLATFORM", "platform": None, "reference": None}


async def test_a_dashboard_viewer_sees_every_record_redacted(cast: Cast) -> None:
    records = await _records(cast.as_viewer, cast)
    assert records
    assert all(record["redacted"] and record["description"] is None for record in records)


async def test_repaired_records_are_shown_only_to_regulators(cast: Cast) -> None:
    assert "REPAIRED" not in {record["status"] for record in await _records(cast.as_b, cast)}
    assert "REPAIRED" not in {record["status"] for record in await _records(cast.as_admin, cast)}
    regulator_view = await _records(cast.as_regulator, cast)
    assert "REPAIRED" in {record["status"] for record in regulator_view}
    assert all(record["redacted"] is False for record in regulator_view)


ANCHORS = """
query($code: String!, $asOf: DateTime, $includeEnded: Boolean!) {
  subjectByCreditCode(creditCode: $code) {
    ... on McnAgency {
      anchors(first: 10, asOf: $asOf, includeEnded: $includeEnded) {
        totalCount
        edges { node { validTo anchor { id kind } agency { id } } }
      }
    }
  }
}"""


async def test_an_agency_lists_the_anchors_signed_at_an_instant(cast: Cast) -> None:
    async def anchor_ids(**variables: object) -> set[str]:
        data = await cast.as_regulator.data(ANCHORS, code=cast.agency.credit_code, **variables)
        connection = data["subjectByCreditCode"]["anchors"]
        assert connection["totalCount"] == len(connection["edges"])
        return {edge["node"]["anchor"]["id"] for edge in connection["edges"]}

    ids = [format_id(IdKind.SUBJECT, anchor.id) for anchor in cast.anchors]
    assert await anchor_ids(includeEnded=False) == set(ids[:2])
    before_end = (factories.NOW - dt.timedelta(days=20)).isoformat()
    assert await anchor_ids(asOf=before_end, includeEnded=False) == set(ids)
    assert await anchor_ids(includeEnded=True) == set(ids)


async def test_a_platform_lists_only_the_anchors_that_hold_an_account_on_it(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        agency = await factories.subject(conn, SubjectKind.MCN_AGENCY)
        ours = await factories.subject(conn, SubjectKind.ANCHOR)
        theirs = await factories.subject(conn, SubjectKind.ANCHOR)
        ours_account = await factories.account(conn, ours.id, cast.platform_a)
        await factories.account(conn, theirs.id, cast.platform_b)
        for anchor in (ours, theirs):
            await factories.signing(conn, agency.id, anchor.id, valid_from=factories.NOW - dt.timedelta(days=30))
    document = """query($code: String!) { subjectByCreditCode(creditCode: $code) { ... on McnAgency { anchors(first: 10) {
        totalCount edges { node { anchor { id accounts { platform externalId displayName status } } } } } } } }"""
    seen = (await cast.as_a.data(document, code=agency.credit_code))["subjectByCreditCode"]["anchors"]
    assert seen["totalCount"] == 1
    [edge] = seen["edges"]
    assert edge["node"]["anchor"]["id"] == format_id(IdKind.SUBJECT, ours.id)
    assert edge["node"]["anchor"]["accounts"] == [
        {"platform": cast.platform_a, "externalId": ours_account.external_id, "displayName": None, "status": "ACTIVE"}
    ]
    listing = await cast.as_regulator.execute(
        'query($id: ID!) { auditReads(filter: {subjectId: $id, operation: "anchors"}) { totalCount } }',
        id=format_id(IdKind.SUBJECT, ours.id),
    )
    assert listing["data"]["auditReads"]["totalCount"] >= 1  # the enumeration was audited like a lookup


async def test_another_platforms_accounts_show_only_as_platform_and_status(cast: Cast) -> None:
    document = """query($id: ID!) { subject(id: $id) { accounts { platform externalId displayName status } } }"""
    seen = (await cast.as_a.data(document, id=format_id(IdKind.SUBJECT, cast.merchant.id)))["subject"]["accounts"]
    by_platform = {account["platform"]: account for account in seen}
    assert by_platform[cast.platform_a]["externalId"] == cast.merchant_account.external_id
    assert by_platform[cast.platform_b] == {
        "platform": cast.platform_b,
        "externalId": None,
        "displayName": None,
        "status": "ACTIVE",
    }
    regulator_view = await cast.as_regulator.data(document, id=format_id(IdKind.SUBJECT, cast.merchant.id))
    assert all(account["externalId"] for account in regulator_view["subject"]["accounts"])


async def test_a_platform_lists_only_subjects_holding_an_account_on_it_and_says_why_it_reads(cast: Cast) -> None:
    document = """query($filter: SubjectFilter) { subjects(first: 50, filter: $filter) { edges { node { id } } } }"""
    fragment = cast.agency.name[-6:].upper()  # the agency holds no account on A or B
    assert (await cast.as_a.data(document, filter={"nameContains": fragment}))["subjects"]["edges"] == []
    response = await cast.as_a.http.post(
        "/graphql",
        json={"query": document, "variables": {"filter": {"kind": "MERCHANT", "platform": cast.platform_a}}},
        headers={**cast.as_a.headers, "Credit-Purpose": "onboarding%20review%20%E5%85%A5%E9%A9%BB%E5%AE%A1%E6%A0%B8"},
    )
    assert response.status_code == 200
    reads = await cast.as_regulator.data(
        'query($id: ID!) { auditReads(filter: {subjectId: $id, operation: "subjects"}) { edges { node { purpose } } } }',
        id=format_id(IdKind.SUBJECT, cast.merchant.id),
    )
    assert "onboarding review 入驻审核" in {edge["node"]["purpose"] for edge in reads["auditReads"]["edges"]}


async def test_subjects_list_filters_by_kind_platform_and_name(cast: Cast) -> None:
    document = """query($filter: SubjectFilter) { subjects(first: 50, filter: $filter) {
        totalCount edges { node { id kind } } } }"""
    data = await cast.as_viewer.data(document, filter={"platform": cast.platform_a, "kind": "MERCHANT"})
    found = {edge["node"]["id"] for edge in data["subjects"]["edges"]}  # other tests add merchants on A too
    assert format_id(IdKind.SUBJECT, cast.merchant.id) in found
    assert {edge["node"]["kind"] for edge in data["subjects"]["edges"]} == {"MERCHANT"}
    elsewhere = await cast.as_viewer.data(document, filter={"platform": f"{cast.platform_a}-none", "kind": "MERCHANT"})
    assert elsewhere["subjects"]["totalCount"] == 0
    fragment = cast.agency.name[-6:].upper()
    data = await cast.as_viewer.data(document, filter={"nameContains": fragment})
    assert format_id(IdKind.SUBJECT, cast.agency.id) in {edge["node"]["id"] for edge in data["subjects"]["edges"]}


async def test_requests_without_a_valid_token_are_refused(http: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer chub_not-a-real-token"}, {"Authorization": "Basic abc"}):
        response = await http.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_the_viewer_knows_who_it_is(cast: Cast) -> None:
    data = await cast.as_a.data("{ viewer { role platform } }")
    assert data["viewer"] == {"role": "PLATFORM", "platform": cast.platform_a}


async def test_graphiql_is_served_to_a_browser(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_answers_when_the_database_does(http: httpx.AsyncClient) -> None:
    response = await http.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_deep_and_alias_heavy_documents_are_refused(cast: Cast) -> None:
    deep = (
        "{ subjects { edges { node { ... on McnAgency { anchors { edges { node { agency { anchors { edges { node "
        "{ anchor { records { edges { node { id } } } } } } } } } } } } } } } }"
    )
    error = await cast.as_a.error(deep)
    assert "exceeds maximum operation depth" in error["message"]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ name }}" for i in range(20)) + " }"
    error = await cast.as_a.error(aliases)
    assert "aliases" in error["message"].lower()


async def test_unpublished_and_expired_records_are_shown_only_to_their_source_and_regulators(cast: Cast) -> None:
    from credithub.db.pool import transaction
    from credithub.domain.records import Severity
    from credithub.domain.subjects import SubjectKind
    from credithub.services import catalog

    rules = await catalog.rules_now(cast.deps)
    unpublished = [severity for severity in Severity if not rules.window(severity).published]
    assert unpublished, "the rules in force keep minor records unpublished"
    longest = max(rules.window(severity).max_months for severity in Severity)
    async with transaction(cast.deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        hidden = [
            await factories.record(conn, merchant.id, cast.platform_a, severity=unpublished[0]),
            await factories.record(
                conn, merchant.id, cast.platform_a, occurred_at=factories.NOW - dt.timedelta(days=31 * (longest + 1))
            ),
        ]
        shown = await factories.record(conn, merchant.id, cast.platform_a)

    async def ids(client: GraphQLClient) -> tuple[set[str], int]:
        data = await client.data(RECORDS_PAGE, code=merchant.credit_code, first=50)
        records = data["subjectByCreditCode"]["records"]
        return {edge["node"]["id"] for edge in records["edges"]}, records["totalCount"]

    everything = {format_id(IdKind.RECORD, record.id) for record in [*hidden, shown]}
    for client in (cast.as_b, cast.as_viewer):
        assert await ids(client) == ({format_id(IdKind.RECORD, shown.id)}, 1)
    for client in (cast.as_a, cast.as_regulator, cast.as_admin):
        assert await ids(client) == (everything, 3)


async def test_a_record_past_its_publicity_window_is_shown_as_expired(cast: Cast) -> None:
    from credithub.db.pool import transaction
    from credithub.domain.subjects import SubjectKind

    deps: Deps = cast.deps
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.record(
            conn, merchant.id, cast.platform_a, occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        )  # general: 12 months
    data = await cast.as_a.data(RECORDS_PAGE.replace("severity", "severity status"), code=merchant.credit_code)
    [edge] = data["subjectByCreditCode"]["records"]["edges"]
    assert edge["node"]["status"] == "EXPIRED"
