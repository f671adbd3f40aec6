"""No single request or client can exhaust the hub: input sizes, query cost, statement time and
requests in flight are bounded, and health checks and webhook ingest keep their own connections.

Regression: a dozen requests with a 1 MB `nameContains` held every pooled connection for ~30 s
(GraphQL, webhooks and /healthz all stalled); 15 aliases × 1,000 codes was one 2.3 s request.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from credithub.bootstrap import create_pools
from credithub.db.pool import transaction
from credithub.entrypoints.app import create_app
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.conftest import Cast
from tests.e2e.test_webhooks import sign, violation

BATCH = """query($codes: [String!]!) { creditStatuses(creditCodes: $codes) {
  __typename ... on CreditStatus { tier flags { measure } } } }"""


def aliased(times: int) -> str:
    fields = " ".join(
        f"a{n}: creditStatuses(creditCodes: $codes) {{ __typename ... on CreditStatus {{ tier }} }}"
        for n in range(times)
    )
    return f"query($codes: [String!]!) {{ {fields} }}"


async def test_one_batch_of_a_thousand_codes_fits_but_many_aliases_of_it_do_not(cast: Cast) -> None:
    codes = [factories.credit_code() for _ in range(1000)]
    answer = await cast.as_a.data(BATCH, codes=codes)
    assert len(answer["creditStatuses"]) == 1000
    started = time.monotonic()
    error = await cast.as_a.error(aliased(15), codes=codes)
    assert time.monotonic() - started < 1.0  # refused before any work
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert int(error["extensions"]["cost"]) > int(error["extensions"]["limit"])


async def test_the_same_document_costs_what_its_variables_ask_for_each_time(cast: Cast) -> None:
    document = aliased(6)
    answer = await cast.as_a.data(document, codes=[factories.credit_code() for _ in range(10)])
    assert len(answer["a5"]) == 10
    error = await cast.as_a.error(document, codes=[factories.credit_code() for _ in range(1000)])
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert int(error["extensions"]["cost"]) == 6000
    pages = "query($n: Int) { subjects(first: $n) { edges { node { records(first: 40) { edges { node { id } } } } } } }"
    assert "subjects" in await cast.as_viewer.data(pages, n=10)
    assert (await cast.as_viewer.error(pages, n=100))["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_deep_pages_count_by_their_sizes(cast: Cast) -> None:
    document = "{ subjects(first: 100) { edges { node { records(first: 100) { edges { node { id } } } } } } }"
    error = await cast.as_viewer.error(document)
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    fine = "{ subjects(first: 20) { edges { node { records(first: 10) { totalCount } } } } }"
    assert "subjects" in await cast.as_viewer.data(fine)


@pytest.mark.parametrize(("length", "code", "status"), [(101, "INVALID_VALUE", 200), (300_000, "INPUT_TOO_LARGE", 400)])
async def test_a_name_search_is_bounded(cast: Cast, length: int, code: str, status: int) -> None:
    document = "query($n: String) { subjects(filter: {nameContains: $n}) { totalCount } }"
    response = await cast.as_viewer.post(document, n="a" * length)
    assert response.status_code == status
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code


@dataclass
class Instance:
    deps: Deps
    url: str
    admin_token: str


@pytest.fixture
async def small_instance(fresh_dsn: str, data_dir: Path) -> AsyncIterator[Instance]:
    """An instance with real pools per kind of work, deliberately small: two connections for
    GraphQL with a one-second statement timeout, one client request in flight at a time."""
    settings = make_settings(
        fresh_dsn,
        data_dir,
        pool_size=2,
        ingest_pool_size=1,
        worker_pool_size=1,
        api_statement_timeout=1.0,
        client_concurrency=1,
    )
    pools = await create_pools(fresh_dsn, settings)
    deps = dataclasses.replace(make_deps(pools.workers, settings), pools=pools)
    admin = await clients.add_client(deps, "admin", "admin")
    try:
        async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
            yield Instance(deps, url, admin.token)
    finally:
        await deps.feed.close()
        await deps.http.aclose()
        await pools.close()


async def test_health_and_webhooks_answer_while_every_graphql_connection_is_held(small_instance: Instance) -> None:
    platform = await factories.platform(small_instance.deps)
    held = [await small_instance.deps.pools.api.acquire() for _ in range(2)]  # type: ignore[union-attr]
    try:
        async with httpx.AsyncClient(base_url=small_instance.url, timeout=10) as http:
            started = time.monotonic()
            health = await http.get("/healthz")
            assert (health.status_code, health.json()) == (200, {"status": "ok"})
            body = orjson.dumps(violation())
            accepted = await http.post(
                f"/webhooks/{platform.code}", content=body, headers=sign(platform.webhook_secret, body)
            )
            assert accepted.status_code == 202, accepted.text
            assert time.monotonic() - started < 2.0
    finally:
        for conn in held:
            await small_instance.deps.pools.api.release(conn)  # type: ignore[union-attr]


async def test_a_statement_over_the_timeout_is_a_typed_error(small_instance: Instance) -> None:
    async with transaction(small_instance.deps.pool) as conn:
        await conn.execute("LOCK TABLE subjects IN ACCESS EXCLUSIVE MODE")  # every read of subjects waits
        async with httpx.AsyncClient(base_url=small_instance.url, timeout=10) as http:
            response = await http.post(
                "/graphql",
                json={"query": "{ subjects(first: 1) { totalCount } }"},
                headers={"Authorization": f"Bearer {small_instance.admin_token}"},
            )
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TIMEOUT"


async def test_a_client_gets_429_beyond_its_requests_in_flight_and_others_are_unaffected(
    small_instance: Instance,
) -> None:
    other = await clients.add_client(small_instance.deps, "other", "viewer")
    async with transaction(small_instance.deps.pool) as conn:
        await conn.execute("LOCK TABLE subjects IN ACCESS EXCLUSIVE MODE")  # requests stay in flight
        async with httpx.AsyncClient(base_url=small_instance.url, timeout=10) as http:

            async def ask(token: str) -> int:
                response = await http.post(
                    "/graphql",
                    json={"query": "{ subjects(first: 1) { totalCount } }"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                return response.status_code

            slow = asyncio.create_task(ask(small_instance.admin_token))
            await asyncio.sleep(0.3)
            assert await ask(small_instance.admin_token) == 429  # the same client, one in flight already
            other_status = asyncio.create_task(ask(other.token))  # another client still gets in
            # Both run until the statement timeout cuts them off (a typed error, status 200).
            assert await asyncio.gather(slow, other_status) == [200, 200]
