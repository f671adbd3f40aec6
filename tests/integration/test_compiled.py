"""Compiled answers (credithub/entrypoints/compiled.py) are graphql-core's answers, or none.

Each document is answered by its compiled plan and by the schema's normal execution, as the same
viewer on the demo world; the data must be the same, and the plan must have answered (a plan
that always gave up would pass a comparison and do nothing). Where graphql-core reports an
error the plan must give up, so that graphql-core answers."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import parse

from credithub.domain.clients import Client
from credithub.entrypoints.compiled import CompiledQuery
from credithub.entrypoints.projection import static
from credithub.services.ports import Deps
from resolvers.loaders import RequestLoaders
from schema.context import Context
from tests.integration.test_projection import BATCH, PROJECTED, VIEWERS, WIDE

LOOKUP = """query($code: String!) { subjectByCreditCode(creditCode: $code) { id name
  creditStatus { tier flags { measure enforced via recordIds } } } }"""

MIXED = """
query($code: String!, $codes: [String!]!) {
  first: subjectByCreditCode(creditCode: $code) { __typename ...who kind }
  again: subjectByCreditCode(creditCode: $code) { ... on Merchant { creditCode accounts { platform } } }
  batch: creditStatuses(creditCodes: $codes) {
    __typename ... on CreditStatus { tier creditCode flags { measure legalBasis } }
    ... on UserError { message code }
  }
  measures { code kind }
}
fragment who on Subject { id name creditStatus(asOf: "2026-06-01T00:00:00+00:00") { tier onRedList asOf } }"""

CONTEXT_CLASS = static(PROJECTED.execution_context_class)


def _context(deps: Deps, viewer: Client) -> Context:
    return Context(deps=deps, loader_factory=RequestLoaders, client=viewer)


async def _compiled(deps: Deps, viewer: Client, document: str, plan: CompiledQuery, **variables: Any) -> Any:
    plan.plan(CONTEXT_CLASS, PROJECTED._schema, parse(document), variables, None)  # on a first answer, as prepared
    return await plan.answer(_context(deps, viewer), variables, None)


async def _executed(deps: Deps, viewer: Client, document: str, **variables: Any) -> tuple[Any, list[Any]]:
    result = await PROJECTED.execute(document, variable_values=variables, context_value=_context(deps, viewer))
    return result.data, [error.formatted for error in result.errors or []]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.role.value)
async def test_lookups_answer_as_graphql_core_does(demo_deps: Deps, codes: list[str], viewer: Client) -> None:
    plan = CompiledQuery()
    for code in codes[:60]:  # one plan, asked again and again, as a prepared query is
        compiled = await _compiled(demo_deps, viewer, LOOKUP, plan, code=code)
        data, errors = await _executed(demo_deps, viewer, LOOKUP, code=code)
        assert errors == []
        assert compiled == data
    assert data["subjectByCreditCode"]["creditStatus"]["tier"]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda viewer: viewer.role.value)
async def test_batches_lists_fragments_and_abstract_types_answer_as_graphql_core_does(
    demo_deps: Deps,
    codes: list[str],
    viewer: Client,
) -> None:
    batch = BATCH.replace(" @include(if: $withFlags)", "").replace(", $withFlags: Boolean!", "")
    for document, variables in (
        (batch, {"codes": codes, "asOf": "2026-06-01T00:00:00+00:00"}),
        (WIDE, {}),
        (MIXED, {"code": codes[3], "codes": codes[:50]}),
    ):
        compiled = await _compiled(demo_deps, viewer, document, CompiledQuery(), **variables)
        data, errors = await _executed(demo_deps, viewer, document, **variables)
        assert errors == []
        assert compiled is not None
        assert compiled == data


async def test_where_graphql_core_reports_an_error_the_plan_gives_up(demo_deps: Deps) -> None:
    plan = CompiledQuery()
    assert await _compiled(demo_deps, VIEWERS[0], LOOKUP, plan, code="nope") is None
    data, errors = await _executed(demo_deps, VIEWERS[0], LOOKUP, code="nope")
    assert data == {"subjectByCreditCode": None}
    assert errors[0]["extensions"]["code"] == "INVALID_IDENTIFIER"
    # ... and the same plan answers the next, valid lookup
    rows = await demo_deps.pool.fetch("SELECT credit_code FROM subjects WHERE credit_code IS NOT NULL LIMIT 1")
    assert await _compiled(demo_deps, VIEWERS[0], LOOKUP, plan, code=rows[0]["credit_code"]) is not None
    # variables that do not coerce are graphql-core's to report, though the plan was made
    assert await _compiled(demo_deps, VIEWERS[0], LOOKUP, plan) is None
    assert await _compiled(demo_deps, VIEWERS[0], LOOKUP, plan, code=7) is None


async def test_introspection_is_left_to_graphql_core(demo_deps: Deps) -> None:
    assert (
        await _compiled(demo_deps, VIEWERS[0], "{ __typename __schema { queryType { name } } }", CompiledQuery())
        is None
    )
