"""A `subject` client: a merchant, anchor or agency speaking for itself. It sees only itself —
its own objections, repairs, notices and credit report, nobody else's — and `viewer` tells a
client (the dashboard) who it is bound to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, format_id
from credithub.domain.records import Severity
from credithub.domain.subjects import Subject, SubjectKind
from credithub.services import clients
from tests import factories
from tests.e2e.conftest import AUTHORITY, Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_credit_reports import REPORT
from tests.e2e.test_notices import NOTICES
from tests.e2e.test_workflows import APPLY, COMMITMENT, file, resolve

VIEWER = "{ viewer { name role platform authority subjectId actor } }"

OBJECTIONS = """query($filter: ObjectionFilter) {
  objections(first: 50, filter: $filter) { totalCount edges { node { id reason subject { id } } } } }"""

REPAIRS = """query($filter: RepairApplicationFilter) {
  repairApplications(first: 50, filter: $filter) { totalCount edges { node { id evidence subject { id } } } } }"""

SCREEN = """query($name: String!) { screenSubjects(queries: [{name: $name}]) { candidates { score } } }"""

FLAG_CHANGES = "{ flagChanges(first: 5) { edges { node { subjectId } } } }"


@dataclass
class Pair:
    """Two merchants on platform A, each with a contested record and a repair application; the
    first speaks for itself through `as_itself`."""

    mine: Subject
    other: Subject
    as_itself: GraphQLClient


async def contested_merchant(cast: Cast) -> Subject:
    async with transaction(cast.deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, cast.platform_a)
        contested = await factories.record(
            conn, merchant.id, cast.platform_a, occurred_at=factories.NOW - dt.timedelta(days=20)
        )
        repairable = await factories.record(
            conn,
            merchant.id,
            cast.platform_a,
            severity=Severity.MINOR,
            occurred_at=factories.NOW - dt.timedelta(days=5),
        )
    objection = await file(cast.as_regulator, format_id(IdKind.RECORD, contested.id), reason=f"异议 {merchant.name}")
    assert (await resolve(cast.as_a, objection["objection"]["id"], upheld=False))["__typename"].endswith("Success")
    applied = await cast.as_a.data(
        APPLY, recordId=format_id(IdKind.RECORD, repairable.id), evidence=f"整改 {merchant.name}", commitment=COMMITMENT
    )
    assert applied["applyForRepair"]["__typename"] == "ApplyForRepairSuccess"
    return merchant


async def pair(cast: Cast, http: httpx.AsyncClient) -> Pair:
    mine, other = await contested_merchant(cast), await contested_merchant(cast)
    issued = await clients.add_client(
        cast.deps, f"{mine.name} itself", "subject", subject=format_id(IdKind.SUBJECT, mine.id)
    )
    return Pair(mine, other, GraphQLClient(http, issued.token))


def subjects_in(connection: dict[str, Any]) -> set[str]:
    return {edge["node"]["subject"]["id"] for edge in connection["edges"]}


async def test_viewer_says_who_a_client_speaks_for(cast: Cast, http: httpx.AsyncClient) -> None:
    both = await pair(cast, http)
    itself = (await both.as_itself.data(VIEWER))["viewer"]
    assert itself == {
        "name": f"{both.mine.name} itself",
        "role": "SUBJECT",
        "platform": None,
        "authority": None,
        "subjectId": format_id(IdKind.SUBJECT, both.mine.id),
        "actor": f"subject:{both.mine.name} itself",
    }
    regulator = (await cast.as_regulator.data(VIEWER))["viewer"]
    assert (regulator["authority"], regulator["subjectId"]) == (AUTHORITY, None)
    assert regulator["actor"] == f"regulator:{regulator['name']}"


async def test_a_subject_browses_only_its_own_objections_and_repairs(cast: Cast, http: httpx.AsyncClient) -> None:
    both = await pair(cast, http)
    mine, other = format_id(IdKind.SUBJECT, both.mine.id), format_id(IdKind.SUBJECT, both.other.id)
    objections = (await both.as_itself.data(OBJECTIONS))["objections"]
    assert subjects_in(objections) == {mine}
    assert [edge["node"]["reason"] for edge in objections["edges"]] == [f"异议 {both.mine.name}"]
    repairs = (await both.as_itself.data(REPAIRS))["repairApplications"]
    assert subjects_in(repairs) == {mine}
    assert [edge["node"]["evidence"] for edge in repairs["edges"]] == [f"整改 {both.mine.name}"]

    asked_about_other = {"subjectId": other}
    assert (await both.as_itself.data(OBJECTIONS, filter=asked_about_other))["objections"]["totalCount"] == 0
    assert (await both.as_itself.data(REPAIRS, filter=asked_about_other))["repairApplications"]["totalCount"] == 0
    assert subjects_in((await cast.as_regulator.data(OBJECTIONS, filter=asked_about_other))["objections"]) == {other}


async def test_a_subject_reads_its_own_notices_and_report_and_nobody_elses(cast: Cast, http: httpx.AsyncClient) -> None:
    both = await pair(cast, http)
    notices = (await both.as_itself.data(NOTICES, id=format_id(IdKind.SUBJECT, both.mine.id)))["subject"]["notices"]
    assert [edge["node"]["kind"] for edge in notices["edges"]] == ["RIGHT_TO_REPAIR", "OBJECTION_REJECTED"]
    report = (await both.as_itself.data(REPORT, id=format_id(IdKind.SUBJECT, both.mine.id), purpose=None))[
        "creditReport"
    ]
    assert (report["__typename"], report["subject"]["name"]) == ("CreditReport", both.mine.name)

    elsewhere = await both.as_itself.data(REPORT, id=format_id(IdKind.SUBJECT, both.other.id), purpose="看看")
    assert elsewhere["creditReport"]["code"] == "PERMISSION_DENIED"
    assert (await both.as_itself.data(NOTICES, id=format_id(IdKind.SUBJECT, both.other.id)))["subject"] is None


async def test_screening_and_the_flag_feed_show_a_subject_nothing_of_others(
    cast: Cast, http: httpx.AsyncClient
) -> None:
    both = await pair(cast, http)
    assert (await both.as_itself.data(SCREEN, name=both.other.name))["screenSubjects"][0]["candidates"] == []
    other = format_id(IdKind.SUBJECT, both.other.id)
    feed = (await both.as_itself.data(FLAG_CHANGES))["flagChanges"]["edges"]
    assert other not in {edge["node"]["subjectId"] for edge in feed}
    screened = (await cast.as_a.data(SCREEN, name=both.other.name))["screenSubjects"]
    assert screened[0]["candidates"][0]["score"] == 1.0
