"""Resolvers through schema.execute() on real PostgreSQL: batching, and the error policy."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from credithub.db.pool import counting_queries, transaction
from credithub.domain.clients import Client, Role
from credithub.domain.ids import IdKind, format_id
from credithub.domain.subjects import SubjectKind
from credithub.entrypoints.graphql import build_schema
from credithub.services.ports import Deps
from resolvers.loaders import RequestLoaders
from schema.context import Context
from tests import factories
from tests.conftest import make_deps

REGULATOR = Client(id=1, name="regulator", role=Role.REGULATOR, platform=None)

WIDE = """
query($first: Int!) {
  subjects(first: $first) {
    totalCount
    edges { node {
      id name accounts { platform externalId }
      records(first: 3) { totalCount edges { node { id category statusHistory { toStatus } } } }
      ... on McnAgency { anchors(first: 5, includeEnded: true) { totalCount edges { node { anchor { name accounts { platform } } } } } }
      ... on Anchor { signings { agency { name } } }
    } }
  }
}"""


async def _execute(deps: Deps, document: str, client: Client = REGULATOR, **variables: Any) -> tuple[Any, int]:
    context = Context(deps=deps, loader_factory=RequestLoaders, client=client)
    with counting_queries() as counter:
        result = await build_schema().execute(document, variable_values=variables, context_value=context)
        await asyncio.sleep(0)  # asyncpg reports each statement to its loggers on the next loop turn
    return result, counter[0]


async def test_nested_fields_cost_the_same_number_of_queries_for_5_or_100_subjects(demo_deps: Deps) -> None:
    async def fewest_queries(first: int) -> tuple[Any, int]:
        """asyncpg introspects types the first time each pooled connection meets a statement; which
        connection a loader gets varies, so the steady-state count is the least of a few runs."""
        runs = []
        for _ in range(4):
            demo_deps.engine.forget_version_check()  # every run checks the config version: one query
            runs.append(await _execute(demo_deps, WIDE, first=first))
        return runs[-1][0], min(count for _, count in runs)

    small, small_queries = await fewest_queries(5)
    large, large_queries = await fewest_queries(100)
    assert small.errors is None
    assert large.errors is None
    assert len(large.data["subjects"]["edges"]) == 100
    assert large_queries == small_queries
    assert large_queries <= 14  # one per loader batch, the rules version check and the audit insert


async def test_an_unexpected_failure_is_masked_and_names_no_internals(fresh_deps: Deps) -> None:
    await fresh_deps.pool.execute("ALTER TABLE subjects RENAME COLUMN name TO renamed")  # not what the code expects
    result, _ = await _execute(fresh_deps, '{ subject(id: "sub_1") { name } }')
    assert [error.message for error in result.errors] == ["Unexpected error."]
    assert result.errors[0].extensions == {"code": "INTERNAL"}


async def test_a_database_that_is_away_is_unavailable_not_internal(deps: Deps) -> None:
    broken_pool = await asyncpg.create_pool(deps.settings.database_url, min_size=1, max_size=1)
    await broken_pool.close()
    broken = make_deps(broken_pool, deps.settings)
    result, _ = await _execute(broken, '{ subject(id: "sub_1") { name } }')
    assert [error.extensions for error in result.errors] == [{"code": "UNAVAILABLE"}]
    assert "pool" not in result.errors[0].message


async def test_without_an_authenticated_client_nothing_is_read(deps: Deps) -> None:
    context = Context(deps=deps, loader_factory=RequestLoaders, client=None)
    result = await build_schema().execute('{ subject(id: "sub_1") { name } }', context_value=context)
    assert result.errors[0].extensions["code"] == "PERMISSION_DENIED"


async def test_introspection_can_be_switched_off() -> None:
    result = await build_schema(introspection=False).execute("{ __schema { types { name } } }")
    assert result.errors


async def test_an_answer_holding_credit_information_is_withheld_when_it_cannot_be_audited(fresh_deps: Deps) -> None:
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await conn.execute(
            "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'no space left on device'; END $$;"
            "CREATE TRIGGER audit_reads_broken BEFORE INSERT ON audit_reads"
            " FOR EACH STATEMENT EXECUTE FUNCTION refuse_insert();"
        )
    document = "query($id: ID!) { subject(id: $id) { name creditStatus { tier } } }"
    result, _ = await _execute(fresh_deps, document, id=format_id(IdKind.SUBJECT, merchant.id))
    assert result.data is None
    assert [error.extensions for error in result.errors] == [{"code": "AUDIT_UNAVAILABLE"}]
    assert "no space" not in result.errors[0].message

    plain, _ = await _execute(
        fresh_deps, "query($id: ID!) { subject(id: $id) { name } }", id=format_id(IdKind.SUBJECT, merchant.id)
    )
    assert plain.errors is None
    assert plain.data == {"subject": {"name": merchant.name}}


async def test_among_concurrent_answers_only_the_one_whose_audit_fails_is_withheld(fresh_deps: Deps) -> None:
    async with transaction(fresh_deps.pool) as conn:
        refused = await factories.subject(conn, SubjectKind.MERCHANT)
        others = [await factories.subject(conn, SubjectKind.MERCHANT) for _ in range(4)]
        await conn.execute(
            "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'no space left on device'; END $$;"
            "CREATE TRIGGER audit_reads_broken BEFORE INSERT ON audit_reads"
            f" FOR EACH ROW WHEN (NEW.subject_id = {refused.id}) EXECUTE FUNCTION refuse_insert();"
        )
    document = "query($id: ID!) { subject(id: $id) { name creditStatus { tier } } }"

    results = await asyncio.gather(
        *(_execute(fresh_deps, document, id=format_id(IdKind.SUBJECT, s.id)) for s in [refused, *others])
    )

    withheld, *answered = [result for result, _ in results]
    assert withheld.data is None
    assert [error.extensions for error in withheld.errors] == [{"code": "AUDIT_UNAVAILABLE"}]
    assert [result.data["subject"]["name"] for result in answered] == [s.name for s in others]
    audited = await fresh_deps.pool.fetch("SELECT subject_id FROM audit_reads ORDER BY subject_id")
    assert [row["subject_id"] for row in audited] == sorted(s.id for s in others)
