"""Resolvers through schema.execute() on real PostgreSQL: batching, and the error policy."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from credithub.db.pool import counting_queries, create_pool
from credithub.domain.clients import Client, Role
from credithub.entrypoints.graphql import build_schema
from credithub.services.ports import Deps
from resolvers.loaders import make_loaders
from schema.context import Context
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


@pytest.fixture
async def demo_deps(demo_dsn: str, deps: Deps) -> AsyncIterator[Deps]:
    pool = await create_pool(demo_dsn, min_size=1, max_size=3)
    yield make_deps(pool, deps.settings)
    await pool.close()


async def _execute(deps: Deps, document: str, client: Client = REGULATOR, **variables: Any) -> tuple[Any, int]:
    context = Context(deps=deps, loader_factory=make_loaders, client=client)
    async with counting_queries() as counter:
        result = await build_schema().execute(document, variable_values=variables, context_value=context)
        await asyncio.sleep(0)  # asyncpg reports each statement to its loggers on the next loop turn
    return result, counter[0]


async def test_nested_fields_cost_the_same_number_of_queries_for_5_or_100_subjects(demo_deps: Deps) -> None:
    await _execute(demo_deps, WIDE, first=100)  # warm up: asyncpg introspects types once per connection
    small, small_queries = await _execute(demo_deps, WIDE, first=5)
    large, large_queries = await _execute(demo_deps, WIDE, first=100)
    assert small.errors is None
    assert large.errors is None
    assert len(large.data["subjects"]["edges"]) == 100
    assert large_queries == small_queries
    assert large_queries <= 14  # one per loader batch, the rules version check and the audit insert


async def test_an_unexpected_failure_is_masked_and_names_no_internals(deps: Deps) -> None:
    broken_pool = await asyncpg.create_pool(deps.settings.database_url, min_size=1, max_size=1)
    await broken_pool.close()
    broken = make_deps(broken_pool, deps.settings)
    result, _ = await _execute(broken, '{ subject(id: "sub_1") { name } }')
    assert [error.message for error in result.errors] == ["Unexpected error."]
    assert result.errors[0].extensions == {"code": "INTERNAL"}


async def test_without_an_authenticated_client_nothing_is_read(deps: Deps) -> None:
    context = Context(deps=deps, loader_factory=make_loaders, client=None)
    result = await build_schema().execute('{ subject(id: "sub_1") { name } }', context_value=context)
    assert result.errors[0].extensions["code"] == "FORBIDDEN"


async def test_introspection_can_be_switched_off() -> None:
    result = await build_schema(introspection=False).execute("{ __schema { types { name } } }")
    assert result.errors
