"""The examples of docs/public-credit-information.md run on the demo world, as a regulator."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from graphql import parse, validate

from credithub.db.pool import create_pool
from credithub.demo.world import SHOWCASE_CODE
from credithub.domain.clients import Client, Role
from credithub.entrypoints.graphql import build_schema
from credithub.services.ports import Deps
from resolvers.loaders import RequestLoaders
from schema.context import Context
from tests.conftest import make_deps

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "public-credit-information.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", GUIDE.read_text(), re.DOTALL)
REGULATOR = Client(id=1, name="regulator", role=Role.REGULATOR, platform=None)


@pytest.fixture
async def replica_deps(demo_dsn: str, deps: Deps) -> AsyncIterator[Deps]:
    """Reads as a query routed to the replica makes them: every transaction read-only."""
    pool = await create_pool(demo_dsn, min_size=1, max_size=3, read_only=True)
    yield make_deps(pool, deps.settings)
    await pool.close()


def test_the_guide_shows_every_new_field() -> None:
    text = "\n".join(EXAMPLES)
    for field in (
        "recordAuthorityDecision",
        "decidedAt",
        "publicityUntil",
        "screenSubjects",
        "creditStatusesByIdNumber",
        "creditReport",
        "notices",
        "statistics",
        "flagChanges",
    ):
        assert field in text, field


@pytest.mark.parametrize("on_replica", [False, True], ids=["primary", "replica"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda text: text.split("(")[0].split()[-1])
async def test_every_example_is_valid_and_every_query_answers_without_errors(
    example: str, on_replica: bool, demo_deps: Deps, replica_deps: Deps, demo_conn: asyncpg.Connection
) -> None:
    """Also with its reads on a replica (DATABASE_REPLICA_URL): no query writes."""
    schema = build_schema()
    assert validate(schema._schema, parse(example)) == []
    if example.lstrip().startswith("mutation"):
        return  # the demo database is shared read-only; the mutation's path is tested in e2e
    showcase = await demo_conn.fetchval("SELECT id FROM subjects WHERE credit_code = $1", SHOWCASE_CODE)
    document = example.replace("sub_6001", f"sub_{showcase}")
    context = Context(deps=demo_deps, loader_factory=RequestLoaders, client=REGULATOR)
    context.read_deps = replica_deps if on_replica else None
    result = await schema.execute(document, context_value=context)
    assert result.errors is None, result.errors
    assert result.data
