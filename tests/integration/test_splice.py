"""Stored statuses spliced into the answer (credithub/entrypoints/projection.py, docs/adr/0015)
answer byte for byte as the decoded path and as graphql-core alone, for any selection, and the
splice is what answers a selection of stored fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credithub.db.pool import create_pool, transaction
from credithub.db.world import insert_world
from credithub.demo.world import generate_world
from credithub.domain import status_codec
from credithub.domain.clients import Client, Role
from credithub.entrypoints.graphql import build_schema
from credithub.services import clients, statuses
from credithub.services.ports import Deps
from resolvers.loaders import RequestLoaders
from schema.context import Context
from tests.conftest import TEST_PERSON_KEY, FixedClock, create_database, drop_database, make_deps, unique_name

SPLICED, DECODED, PLAIN = build_schema(), build_schema(splice=False), build_schema(projection=False)
STORED_AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
ASKED_AT = STORED_AT + dt.timedelta(minutes=5)  # the clock of every query: two executions must agree
PLATFORMS = ("shopmall", "bazaar", "livewave")
VIEWERS = [
    Client(1, "regulator", Role.REGULATOR, None),
    Client(2, "shopmall", Role.PLATFORM, "shopmall"),
    Client(3, "bazaar", Role.PLATFORM, "bazaar"),
    Client(4, "dashboard", Role.VIEWER, None),
]

STATUS = """
fragment flag on RestrictionFlag {
  __typename measure kind mandatory enforced notEnforcedReason scope legalBasis legalBasisReference
  legalBasisLevel sourcePlatform sourceAuthority via viaSubject { __typename id kind name } recordIds
  listEntryIds effectiveFrom effectiveUntil reason
}
fragment status on CreditStatus {
  subjectId creditCode tier tierReason onSeriousDishonestList onJointConstraintList onRedList asOf ruleSet
  stableUntil flags { ...flag }
}"""
ERRORS = "... on UserError { code message } ... on InvalidIdentifierError { check input field identifier }"

DOCUMENTS = {
    "every field, in fragments": f"""query($codes: [String!]!) {{
      creditStatuses(creditCodes: $codes) {{ __typename ...status {ERRORS} }} }} {STATUS}""",
    "aliases, repeated and merged fields": """query($codes: [String!]!) {
      creditStatuses(creditCodes: $codes) { kind: __typename
        ... on CreditStatus { code: creditCode tier t2: tier flags { measure } flags { reason m: measure }
                              again: flags { viaSubject { name } viaSubject { id } via } }
        ... on CreditStatus { tier onRedList } } }""",
    "directives": """query($codes: [String!]!, $yes: Boolean!, $no: Boolean!) {
      creditStatuses(creditCodes: $codes) { __typename
        ... on CreditStatus @include(if: $yes) { tier flags @skip(if: $no) { measure scope } }
        ... on CreditStatus @skip(if: $yes) { stableUntil }
        ... on CreditStatus { asOf @include(if: $no) creditCode @skip(if: $no) flags { enforced @include(if: $yes) } }
        ... on UserError @include(if: $yes) { code } } }""",
    "typename only": """query($codes: [String!]!) { creditStatuses(creditCodes: $codes) { __typename } }""",
    "a field with a resolver below (never spliced)": """query($codes: [String!]!) {
      creditStatuses(creditCodes: $codes) { __typename
        ... on CreditStatus { tier flags { measure executions { platform action executedAt } } } } }""",
    "an instant asked for (stored statuses current then)": f"""query($codes: [String!]!) {{
      creditStatuses(creditCodes: $codes, asOf: "{ASKED_AT.isoformat()}") {{ __typename ...status }} }} {STATUS}""",
    "a past instant (every status computed)": f"""query($codes: [String!]!) {{
      creditStatuses(creditCodes: $codes, asOf: "2025-11-02T08:00:00+08:00") {{ __typename ...status }} }}
      {STATUS}""",
}
VARIABLES: dict[str, Any] = {"yes": True, "no": False}


@dataclasses.dataclass(frozen=True)
class World:
    deps: Deps
    codes: list[str]  # stored, not stored, unknown and invalid, mixed
    stored: int  # how many of them have a stored status current at ASKED_AT


@pytest.fixture(scope="module")
async def world(server_dsn: str, template_db: str, deps: Deps) -> AsyncIterator[World]:
    """The demo world with the statuses of two subjects in three stored (as the refresher keeps
    them), the third computed when asked."""
    name = unique_name("chub_splice")
    dsn = await create_database(server_dsn, name, template=template_db)
    pool = await create_pool(dsn, min_size=1, max_size=3)
    try:
        storing = make_deps(pool, deps.settings, FixedClock(STORED_AT))
        for code in PLATFORMS:
            await clients.add_platform(storing, code, code.title())
        async with transaction(pool) as conn:
            await insert_world(conn, generate_world(now=STORED_AT, person_key=TEST_PERSON_KEY))
        rows = await pool.fetch("SELECT id, credit_code FROM subjects WHERE credit_code IS NOT NULL ORDER BY id")
        kept = [row for row in rows if row["id"] % 3 != 0][:400] + [row for row in rows if row["id"] % 3 == 0][:200]
        chosen = sorted(kept, key=lambda row: row["id"])
        await statuses.refresh_subjects(storing, [row["id"] for row in chosen if row["id"] % 3 != 0])
        await pool.execute("DELETE FROM subject_statuses WHERE subject_id % 3 = 0")
        codes = [row["credit_code"] for row in chosen]
        codes[5:5] = ["91110000600037341N", "not-a-code", "91310115MA1K3BTP2B"]  # bad check, invalid, unknown
        yield World(make_deps(pool, deps.settings, FixedClock(ASKED_AT)), codes, 400)
        await storing.http.aclose()
    finally:
        await pool.close()
        await drop_database(server_dsn, name)


async def _answer(schema: Any, deps: Deps, viewer: Client, document: str, **variables: Any) -> bytes:
    context = Context(deps=deps, loader_factory=RequestLoaders, client=viewer)
    result = await schema.execute(document, variable_values=variables, context_value=context)
    answer: dict[str, Any] = {"data": result.data}
    if result.errors:
        answer["errors"] = [error.formatted for error in result.errors]
    return orjson.dumps(answer)


async def _all_three(world: World, viewer: Client, document: str, codes: list[str] | None = None) -> bytes:
    variables = {"codes": world.codes if codes is None else codes, **VARIABLES}
    spliced = await _answer(SPLICED, world.deps, viewer, document, **variables)
    assert spliced == await _answer(DECODED, world.deps, viewer, document, **variables)
    assert spliced == await _answer(PLAIN, world.deps, viewer, document, **variables)
    return spliced


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.name)
@pytest.mark.parametrize("document", list(DOCUMENTS), ids=str)
async def test_a_spliced_answer_is_the_decoded_answer_byte_for_byte(
    world: World, viewer: Client, document: str
) -> None:
    answer = orjson.loads(await _all_three(world, viewer, DOCUMENTS[document]))
    assert "errors" not in answer
    assert len(answer["data"]["creditStatuses"]) == len(world.codes)


async def test_the_batch_compared_holds_stored_and_computed_statuses_flags_and_errors(world: World) -> None:
    answer = orjson.loads(await _all_three(world, VIEWERS[0], DOCUMENTS["every field, in fragments"]))
    results = answer["data"]["creditStatuses"]
    kinds = {result["__typename"] for result in results}
    assert kinds == {"CreditStatus", "InvalidIdentifierError", "UnknownSubjectError"}
    flags = [flag for result in results for flag in result.get("flags", [])]
    assert sum(flag["scope"] == "ORIGIN_PLATFORM" for flag in flags) > 5
    assert any(flag["viaSubject"] is not None for flag in flags)
    assert any(flag["effectiveUntil"] is None for flag in flags)
    assert any(flag["notEnforcedReason"] for flag in flags)
    assert await world.deps.pool.fetchval("SELECT count(*) FROM subject_statuses") == world.stored


async def test_a_platform_is_spliced_only_the_flags_it_may_see(world: World) -> None:
    document = """query($codes: [String!]!) { creditStatuses(creditCodes: $codes) {
      ... on CreditStatus { flags { scope sourcePlatform } } } }"""
    for viewer in VIEWERS[1:3]:
        answer = orjson.loads(await _all_three(world, viewer, document))
        seen = [flag for result in answer["data"]["creditStatuses"] for flag in result.get("flags", [])]
        origin = [flag["sourcePlatform"] for flag in seen if flag["scope"] == "ORIGIN_PLATFORM"]
        assert origin
        assert set(origin) == {viewer.platform}


async def test_a_subject_client_is_spliced_its_own_status_alone(world: World) -> None:
    subject_id = await world.deps.pool.fetchval("SELECT subject_id FROM subject_statuses ORDER BY subject_id LIMIT 1")
    viewer = Client(5, "itself", Role.SUBJECT, None, subject_id=subject_id)
    answer = orjson.loads(await _all_three(world, viewer, DOCUMENTS["every field, in fragments"]))
    found = [result for result in answer["data"]["creditStatuses"] if result["__typename"] == "CreditStatus"]
    assert [result["subjectId"] for result in found] == [f"sub_{subject_id}"]


STATUS_FIELDS = [
    "subjectId",
    "creditCode",
    "tier",
    "tierReason",
    "onSeriousDishonestList",
    "onJointConstraintList",
    "onRedList",
    "asOf",
    "ruleSet",
    "stableUntil",
    "__typename",
]
FLAG_FIELDS = [
    "measure",
    "kind",
    "mandatory",
    "enforced",
    "notEnforcedReason",
    "scope",
    "legalBasis",
    "legalBasisReference",
    "legalBasisLevel",
    "sourcePlatform",
    "sourceAuthority",
    "via",
    "viaSubject { id kind name }",
    "recordIds",
    "listEntryIds",
    "effectiveFrom",
    "effectiveUntil",
    "reason",
    "__typename",
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(STATUS_FIELDS), min_size=1, unique=True),
    st.lists(st.sampled_from(FLAG_FIELDS), min_size=1, unique=True),
    st.booleans(),
    st.sampled_from(VIEWERS),
)
async def test_any_selection_of_stored_fields_splices_identically(
    world: World, status_fields: list[str], flag_fields: list[str], aliased: bool, viewer: Client
) -> None:
    def selection(fields: list[str]) -> str:
        return " ".join(
            f"x{i}: {field}" if aliased and not field.startswith("__") else field for i, field in enumerate(fields)
        )

    document = (
        "query($codes: [String!]!) { creditStatuses(creditCodes: $codes) { ... on CreditStatus { "
        f"{selection(status_fields)} flags {{ {selection(flag_fields)} }} }} }} }}"
    )
    await _all_three(world, viewer, document, world.codes[:150])


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every stored status decoded, by subject id."""
    calls: list[int] = []
    decode = status_codec.decode_status

    def counted(raw: dict[str, Any]) -> Any:
        calls.append(raw["subject"])
        return decode(raw)

    monkeypatch.setattr(status_codec, "decode_status", counted)
    return calls


async def test_a_selection_of_stored_fields_decodes_no_stored_status(world: World, decoded: list[int]) -> None:
    for viewer in VIEWERS:
        await _answer(SPLICED, world.deps, viewer, DOCUMENTS["every field, in fragments"], codes=world.codes)
    assert decoded == []
    await _answer(DECODED, world.deps, VIEWERS[0], DOCUMENTS["every field, in fragments"], codes=world.codes)
    assert len(decoded) == world.stored  # the same batch without the splice decodes every one


async def test_a_selection_the_stored_form_cannot_answer_decodes_each_stored_status_once(
    world: World, decoded: list[int]
) -> None:
    document = DOCUMENTS["a field with a resolver below (never spliced)"]
    await _answer(SPLICED, world.deps, VIEWERS[1], document, codes=world.codes)
    assert len(decoded) == len(set(decoded)) == world.stored
