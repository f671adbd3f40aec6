"""With DATABASE_REPLICA_URL, queries read from the replica unless the client's own last write has
not reached it; mutations, subscriptions and the audit trail stay on the primary.

The "replica" here is a read-only pool on the test database itself, and the watch checks it only
when the test says so: between two checks, the replica counts as having replayed what the primary
had written at the first. (A real primary and streaming replica: tests/e2e/test_fleet.py.)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest

from credithub.db.pool import Pools, connect_listener, create_pool
from credithub.entrypoints.app import create_app
from credithub.services import clients
from credithub.services.ports import Deps
from credithub.services.replica import ReplicaWatch
from tests import factories, loopback
from tests.conftest import make_deps, make_settings
from tests.e2e.conftest import Cast

STATUS = "query Status($c: [String!]!) { creditStatuses(creditCodes: $c) { __typename ... on CreditStatus { tier } } }"
REVOKE = "mutation($id: ID!) { revokeClient(clientId: $id) { __typename } }"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Replica:
    """Connects to the test database as if it were the replica, until told it is down."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.up = True

    async def connect(self) -> asyncpg.Connection:
        if not self.up:
            raise ConnectionRefusedError("the replica is down")
        return await connect_listener(self.dsn, "test-replica-watch")


@dataclass
class Routed:
    deps: Deps
    watch: ReplicaWatch
    replica: Replica
    url: str


@pytest.fixture
async def routed(shared_dsn: str, data_dir: Path) -> AsyncIterator[Routed]:
    primary = await create_pool(shared_dsn, min_size=1, max_size=4)
    replica = await create_pool(shared_dsn, min_size=0, max_size=2, application_name="test-replica", read_only=True)
    settings = make_settings(shared_dsn, data_dir, replica_url=shared_dsn)
    replica_server = Replica(shared_dsn)
    watch = ReplicaWatch(primary, replica_server.connect, max_lag=5, check_seconds=3600, monotonic=Clock())
    pools = Pools(api=primary, ingest=primary, workers=primary, health=primary, replica=replica)
    deps = dataclasses.replace(make_deps(primary, settings), pools=pools, replica_watch=watch)
    try:
        async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
            yield Routed(deps, watch, replica_server, url)
    finally:
        await watch.close()
        await deps.feed.close()
        await deps.http.aclose()
        await replica.close()
        await primary.close()


async def reads(http: httpx.AsyncClient, url: str) -> dict[str, float]:
    text = (await http.get(url + "/metrics")).text
    found = re.findall(r'credithub_graphql_query_reads_total\{source="(\w+)"\} ([0-9.]+)', text)
    return {source: float(count) for source, count in found}


async def test_queries_read_the_replica_and_a_writer_reads_the_primary_until_its_write_is_replayed(
    routed: Routed, cast: Cast
) -> None:
    deps, watch, url = routed.deps, routed.watch, routed.url
    writer = (await clients.add_client(deps, f"admin {factories.suffix()}", "admin")).token
    other = (await clients.add_client(deps, f"viewer {factories.suffix()}", "viewer")).token
    victim = await clients.add_client(deps, f"victim {factories.suffix()}", "viewer")
    await watch.check()  # the replica has everything written so far
    codes = [cast.merchant.credit_code]

    async with httpx.AsyncClient(base_url=url, timeout=10) as http:

        async def lookup(token: str) -> None:
            answer = await http.post(
                "/graphql",
                json={"query": STATUS, "variables": {"c": codes}},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.json()["data"]["creditStatuses"][0]["__typename"] == "CreditStatus", answer.text

        await lookup(writer)
        assert await reads(http, url) == {"replica": 1.0}
        revoked = await http.post(
            "/graphql",
            json={"query": REVOKE, "variables": {"id": f"cli_{victim.id}"}},
            headers={"Authorization": f"Bearer {writer}"},
        )
        assert revoked.json()["data"]["revokeClient"]["__typename"] == "RevokeClientSuccess"
        await lookup(writer)  # its own write is newer than what the replica has replayed
        assert await reads(http, url) == {"replica": 1.0, "primary": 1.0}
        await lookup(other)  # another client does not wait for the writer's write
        assert await reads(http, url) == {"replica": 2.0, "primary": 1.0}
        await watch.check()  # now the replica has replayed it
        await lookup(writer)
        assert await reads(http, url) == {"replica": 3.0, "primary": 1.0}
        ready = (await http.get("/readyz")).json()
        assert ready["replica"] == {"status": "ok", "lag_seconds": 0.0}


async def test_a_replica_that_stops_answering_sends_every_read_to_the_primary(routed: Routed, cast: Cast) -> None:
    deps, watch, url = routed.deps, routed.watch, routed.url
    token = (await clients.add_client(deps, f"viewer {factories.suffix()}", "viewer")).token
    await watch.check()
    assert watch.may_serve(None)
    routed.replica.up = False
    await watch.close()  # drops its connection: the next check has to connect again
    await watch.check()
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        answer = await http.post(
            "/graphql",
            json={"query": STATUS, "variables": {"c": [cast.merchant.credit_code]}},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.json()["data"]["creditStatuses"][0]["__typename"] == "CreditStatus"
        assert await reads(http, url) == {"primary": 1.0}
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()["status"], ready.json()["replica"]["status"]) == (
            200,
            "degraded",
            "unavailable",
        )
