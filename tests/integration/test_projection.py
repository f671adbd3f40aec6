"""Projection (credithub/entrypoints/projection.py) answers exactly as graphql-core does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credithub.domain.clients import Client, Role
from credithub.entrypoints.graphql import build_schema
from credithub.services.ports import Deps
from resolvers.loaders import RequestLoaders
from schema.context import Context

PROJECTED, PLAIN = build_schema(), build_schema(projection=False)
AS_OF = "2026-06-01T00:00:00+00:00"  # fixed: two executions must not differ by the clock
VIEWERS = [Client(1, "regulator", Role.REGULATOR, None), Client(2, "shopmall", Role.PLATFORM, "shopmall")]

BATCH = """
query($codes: [String!]!, $asOf: DateTime, $withFlags: Boolean!) {
  creditStatuses(creditCodes: $codes, asOf: $asOf) {
    __typename
    ... on CreditStatus {
      theCode: creditCode tier onSeriousDishonestList onRedList asOf ruleSet stableUntil tierReason
      flags @include(if: $withFlags) { ...flag }
      again: flags { measure }
    }
    ... on UserError { message code }
    ... on InvalidIdentifierError { check input field identifier }
    ... on UnknownSubjectError { input }
  }
}
fragment flag on RestrictionFlag {
  measure kind mandatory enforced notEnforcedReason scope legalBasis legalBasisReference sourcePlatform
  sourceAuthority via viaSubject { id kind name } recordIds listEntryIds effectiveFrom effectiveUntil reason
}"""

WIDE = """
{
  subjects(first: 40) {
    totalCount pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
    edges { cursor node {
      __typename id kind name
      accounts { id platform externalId status openedAt displayName }
      creditStatus(asOf: "2026-06-01T00:00:00+00:00") { tier flags { measure via viaSubject { name } recordIds } }
      records(first: 3) { edges { node { id category severity status redacted source { type platform }
                                         statusHistory { toStatus at } legalBasis } } }
      ... on McnAgency { creditCode anchors(first: 2, includeEnded: true) { edges { node { validTo anchor { name } } } } }
    } }
  }
  listEntries(first: 10, filter: {list: SERIOUS_DISHONEST}) {
    totalCount edges { node { id list recordIds authority exitCondition inForce subject { __typename name } } }
  }
  measures { code kind scope subjectKinds trigger { type list via categories severities count windowMonths tiers } }
  missing: subject(id: "sub_999999999") { id }
}"""


async def _both(deps: Deps, viewer: Client, document: str, **variables: Any) -> tuple[Any, Any]:
    answers = []
    for schema in (PROJECTED, PLAIN):
        context = Context(deps=deps, loader_factory=RequestLoaders, client=viewer)
        result = await schema.execute(document, variable_values=variables, context_value=context)
        answers.append((result.data, [error.formatted for error in result.errors or []]))
    return answers[0], answers[1]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.role.value)
async def test_a_batch_projects_exactly_as_graphql_core_completes_it(
    demo_deps: Deps, codes: list[str], viewer: Client
) -> None:
    projected, plain = await _both(demo_deps, viewer, BATCH, codes=codes, asOf=AS_OF, withFlags=True)
    assert projected == plain
    assert projected[1] == []
    assert sum(bool(result.get("flags")) for result in projected[0]["creditStatuses"]) > 20


async def test_directives_that_drop_fields_are_honoured(demo_deps: Deps, codes: list[str]) -> None:
    projected, plain = await _both(
        demo_deps, VIEWERS[0], BATCH, codes=codes[:20], asOf="2024-06-01T00:00:00Z", withFlags=False
    )
    assert projected == plain
    assert all("flags" not in result for result in projected[0]["creditStatuses"])


async def test_one_document_asked_again_with_other_variables_drops_fields_as_they_say(
    demo_deps: Deps, codes: list[str]
) -> None:
    answers = {}
    for with_flags in (True, False, True):
        projected, plain = await _both(demo_deps, VIEWERS[0], BATCH, codes=codes[:20], asOf=AS_OF, withFlags=with_flags)
        assert projected == plain
        answers[with_flags] = projected[0]["creditStatuses"]
    assert all("flags" in result for result in answers[True] if result["__typename"] == "CreditStatus")
    assert all("flags" not in result for result in answers[False])


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.role.value)
async def test_nested_reads_mix_projection_and_resolvers_without_changing_the_answer(
    demo_deps: Deps, viewer: Client
) -> None:
    projected, plain = await _both(demo_deps, viewer, WIDE)
    assert projected == plain
    assert projected[1] == [], projected[1]
    assert projected[0]["missing"] is None
    assert projected[0]["listEntries"]["totalCount"] > 0  # the demo world has listings to compare


async def test_errors_are_reported_the_same_way(demo_deps: Deps) -> None:
    document = (
        '{ a: subjectByCreditCode(creditCode: "nope") { id } b: creditStatuses(creditCodes: ["x"]) { __typename } }'
    )
    projected, plain = await _both(demo_deps, VIEWERS[0], document)
    assert projected == plain
    assert len(projected[1]) == 1


FLAG_FIELDS = [
    "measure",
    "kind",
    "mandatory",
    "enforced",
    "notEnforcedReason",
    "scope",
    "legalBasis",
    "sourcePlatform",
    "sourceAuthority",
    "via",
    "viaSubject { id name }",
    "recordIds",
    "effectiveFrom",
    "effectiveUntil",
    "reason",
    "__typename",
]
STATUS_FIELDS = ["tier", "onSeriousDishonestList", "onRedList", "asOf", "creditCode", "subjectId", "__typename"]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(STATUS_FIELDS), min_size=1, unique=True),
    st.lists(st.sampled_from(FLAG_FIELDS), min_size=1, unique=True),
    st.booleans(),
)
async def test_any_selection_of_status_fields_projects_identically(
    demo_deps: Deps, codes: list[str], status_fields: list[str], flag_fields: list[str], aliased: bool
) -> None:
    def selection(fields: list[str]) -> str:
        return " ".join(
            f"x{i}: {field}" if aliased and not field.startswith("__") else field for i, field in enumerate(fields)
        )

    document = (
        'query($codes: [String!]!) { creditStatuses(creditCodes: $codes, asOf: "2026-06-01T00:00:00Z") { ... on CreditStatus { '
        f"{selection(status_fields)} flags {{ {selection(flag_fields)} }} }} }} }}"
    )
    projected, plain = await _both(demo_deps, VIEWERS[1], document, codes=codes[:60])
    assert projected == plain
