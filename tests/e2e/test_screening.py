"""Screening before onboarding, from a platform's side: names, credit codes and ID numbers."""

from __future__ import annotations

import random
from typing import Any

from credithub.db import screening as db_screening
from credithub.db.pool import transaction
from credithub.domain.identifiers import compute_person_hash, parse_resident_id
from credithub.domain.subjects import SubjectKind
from credithub.services.ports import Deps
from tests import factories
from tests.conftest import TEST_PERSON_KEY
from tests.e2e.conftest import Cast

SCREEN = """
query($queries: [ScreeningQueryInput!]!, $threshold: Float) {
  screenSubjects(queries: $queries, threshold: $threshold) {
    name creditCode normalizedName creditCodeError { check }
    candidates { score matchedOn subject { id name } }
  }
}"""

BY_ID = """
query($ids: [String!]!) {
  creditStatusesByIdNumber(idNumbers: $ids) {
    __typename
    ... on CreditStatus { subjectId tier }
    ... on UserError { code message }
    ... on InvalidIdentifierError { input check }
  }
}"""

BRAND = "".join(random.SystemRandom().choice("琪瑶璟珂瑾翊昀暄珩") for _ in range(3))  # unique to this run


async def screen(cast: Cast, queries: list[dict[str, Any]], threshold: float | None = None) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = (await cast.as_a.data(SCREEN, queries=queries, threshold=threshold))[
        "screenSubjects"
    ]
    return result


async def test_a_name_without_its_legal_form_finds_the_company_and_unrelated_names_stay_out(
    deps: Deps, cast: Cast
) -> None:
    async with transaction(deps.pool) as conn:
        wanted = await factories.subject(conn, SubjectKind.MERCHANT, name=f"上海{BRAND}美妆有限公司")
        for other in (f"上海{BRAND}服饰有限公司", f"杭州{BRAND[::-1]}美妆有限公司", "上海佳禾美妆有限公司"):
            await factories.subject(conn, SubjectKind.MERCHANT, name=other)
    [found] = await screen(cast, [{"name": f"上海{BRAND}美妆公司"}])
    assert found["normalizedName"] == f"上海{BRAND}美妆"
    names = [(c["subject"]["name"], c["score"], c["matchedOn"]) for c in found["candidates"]]
    assert names[0] == (f"上海{BRAND}美妆有限公司", 1.0, ["NAME"])
    assert all(score >= 0.8 for _, score, _ in names)
    assert f"上海{BRAND}服饰有限公司" not in [name for name, _, _ in names]

    [spaced] = await screen(cast, [{"name": f"  上海 {BRAND}美妆（有限公司） "}])  # full width and spaces
    assert spaced["candidates"][0]["subject"]["name"] == f"上海{BRAND}美妆有限公司"
    [lenient] = await screen(cast, [{"name": f"上海{BRAND}美妆公司"}], threshold=0.6)
    assert f"上海{BRAND}服饰有限公司" in [c["subject"]["name"] for c in lenient["candidates"]]

    [by_code, bad_code] = await screen(
        cast, [{"creditCode": wanted.credit_code}, {"name": f"上海{BRAND}美妆", "creditCode": "91110000600037341N"}]
    )
    assert by_code["candidates"][0]["matchedOn"] == ["CREDIT_CODE"]
    assert bad_code["creditCodeError"]["check"] == "check_character"
    assert bad_code["candidates"][0]["subject"]["name"] == f"上海{BRAND}美妆有限公司"


async def test_anchors_are_screened_by_id_number_without_storing_unknown_ones(deps: Deps, cast: Cast) -> None:
    known, unknown = factories.resident_id(), factories.resident_id()
    async with transaction(deps.pool) as conn:
        person = await conn.fetchval(
            "INSERT INTO persons (id_hash) VALUES ($1) RETURNING id",
            compute_person_hash(parse_resident_id(known), TEST_PERSON_KEY),
        )
        anchor = await conn.fetchval(
            "INSERT INTO subjects (kind, name, person_id) VALUES ('ANCHOR', '小鱼带货', $1) RETURNING id", person
        )
    persons_before = await deps.pool.fetchval("SELECT count(*) FROM persons")
    answers = await cast.as_a.data(
        BY_ID, ids=[known, unknown, known[:-1] + "0" if known[-1] != "0" else known[:-1] + "1"]
    )
    found, missing, invalid = answers["creditStatusesByIdNumber"]
    assert (found["__typename"], found["subjectId"]) == ("CreditStatus", f"sub_{anchor}")
    assert missing["code"] == "UNKNOWN_SUBJECT"
    assert unknown not in missing["message"]
    assert (invalid["__typename"], invalid["input"]) == ("InvalidIdentifierError", "")
    assert await deps.pool.fetchval("SELECT count(*) FROM persons") == persons_before
    hashed = compute_person_hash(parse_resident_id(unknown), TEST_PERSON_KEY)
    assert await db_screening.resolve_person_hashes(deps.pool, [hashed]) == {}


async def test_max_candidates_outside_one_to_fifty_is_an_invalid_value_naming_the_argument(cast: Cast) -> None:
    document = 'query($n: Int) { screenSubjects(queries: [{name: "上海"}], maxCandidates: $n) { name } }'
    for bad in (0, 51):
        error = await cast.as_a.error(document, n=bad)
        assert error["extensions"]["code"] == "INVALID_VALUE"
        assert error["extensions"]["field"] == "maxCandidates"
    assert len((await cast.as_a.data(document, n=50))["screenSubjects"]) == 1
