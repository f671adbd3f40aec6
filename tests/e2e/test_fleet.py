"""The hub as a fleet, from a client's side: a PostgreSQL primary and a streaming replica, a Redis,
and two `serve` instances A and B (scripts/fleet.py), the demo world loaded.

- B answers status lookups from the replica, and rightly;
- a client that wrote reads its write on the other instance; others may read the replica behind
  it, but never further behind than CREDITHUB_REPLICA_MAX_LAG;
- a burst spent on A is refused on B; a token revoked through A stops on both;
- a live-feed subscriber on B hears a change that came in through A;
- A killed mid-load of webhooks sent to both: every event either answered 202 is applied.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import pytest

from scripts.fleet import Fleet, Instance, start_fleet
from tests import factories
from tests.e2e.test_cli import run_cli
from tests.e2e.test_webhooks import sign, violation

pytestmark = pytest.mark.slow

MAX_LAG = 8  # CREDITHUB_REPLICA_MAX_LAG for this fleet: room for a loaded machine before the bound applies
RATE, BURST = 2, 6  # CREDITHUB_RATE_LIMIT and CREDITHUB_RATE_BURST
TIERS = {"91320106MAX9W2CK58": "D", "91310115MACRC65R8X": "C", "92440305MAGJATE14E": "A"}  # README
STATUSES = "query($c: [String!]!) { creditStatuses(creditCodes: $c) { ... on CreditStatus { creditCode tier } } }"
COMMITMENTS = "query($c: String!) { subjectByCreditCode(creditCode: $c) { id commitments { content } } }"
COMMIT = """mutation($s: ID!, $content: String!, $until: DateTime!) {
  makeCommitment(input: {subjectId: $s, content: $content, termUntil: $until}) { __typename }
}"""
VIEWER = "{ viewer { name } }"
REVOKE = "mutation($id: ID!) { revokeClient(clientId: $id) { __typename } }"
CHANGES = (
    "subscription($c: [String!]) { creditStatusChanged(creditCodes: $c) { subject { id } creditStatus { tier } } }"
)
EVENTS = 200


@dataclass
class Running:
    fleet: Fleet
    a: Instance
    b: Instance
    tokens: dict[str, str]  # demo clients by role
    platform: dict[str, Any] = field(default_factory=dict)  # registered by the test: code, webhook_secret

    def cli(self, *args: str) -> dict[str, Any]:
        done = run_cli(*args, env=self.a.env)
        assert done.returncode == 0, done.stderr
        found: dict[str, Any] = json.loads(done.stdout)
        return found


@pytest.fixture(scope="module")
def running() -> Iterator[Running]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    # Not under pytest's folder: each pytest run makes it root's alone again, and PostgreSQL runs
    # as another user when the tests run as root (scripts/fleet.py).
    folder = Path(tempfile.mkdtemp(prefix="credithub-fleet-"))
    fleet = start_fleet(
        folder,
        demo=True,
        CREDITHUB_REPLICA_MAX_LAG=str(MAX_LAG),
        CREDITHUB_RATE_LIMIT=str(RATE),
        CREDITHUB_RATE_BURST=str(BURST),
        CREDITHUB_CLIENT_CONCURRENCY="0",
        CREDITHUB_LOG_LEVEL="WARNING",
    )
    try:
        a, b = fleet.instances
        credentials = json.loads((a.data_dir / "demo-credentials.json").read_text())
        running = Running(fleet, a, b, credentials["clients"])
        code = f"fleet{factories.suffix()[:6]}".lower()
        running.platform = {"code": code, **running.cli("platform", "add", code, "--name", "Fleet platform")}
        yield running
    finally:
        fleet.stop()
        shutil.rmtree(folder, ignore_errors=True)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ask(http: httpx.AsyncClient, url: str, token: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = await http.post(url + "/graphql", json={"query": query, "variables": variables}, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def replica_reads(http: httpx.AsyncClient, url: str) -> float:
    text = (await http.get(url + "/metrics")).text
    found = re.search(r'credithub_graphql_query_reads_total\{source="replica"\} ([0-9.]+)', text)
    return float(found.group(1)) if found else 0.0


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def test_a_status_lookup_on_b_is_answered_by_the_replica_and_is_right(
    running: Running, http: httpx.AsyncClient
) -> None:
    before = await replica_reads(http, running.b.url)
    data = await ask(http, running.b.url, running.tokens["viewer"], STATUSES, c=list(TIERS))
    assert {row["creditCode"]: row["tier"] for row in data["creditStatuses"]} == TIERS
    assert await replica_reads(http, running.b.url) == before + 1
    ready = (await http.get(running.b.url + "/readyz")).json()
    assert ready["replica"]["status"] == "ok"


async def test_a_writer_reads_its_own_write_on_the_other_instance_and_no_one_reads_older_than_the_lag_bound(
    running: Running, http: httpx.AsyncClient
) -> None:
    writer, reader = running.tokens["regulator"], running.tokens["viewer"]
    code = "92440305MAGJATE14E"
    subject = (await ask(http, running.b.url, reader, COMMITMENTS, c=code))["subjectByCreditCode"]["id"]
    promise = f"按时履约 {factories.suffix()}"

    def shows(data: dict[str, Any]) -> bool:
        return promise in [row["content"] for row in data["subjectByCreditCode"]["commitments"]]

    replica = await asyncpg.connect(running.fleet.replica.dsn())
    try:
        await replica.execute("SELECT pg_wal_replay_pause()")  # the replica falls behind from now on
        until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=90)).isoformat()
        made = await ask(http, running.a.url, writer, COMMIT, s=subject, content=promise, until=until)
        assert made["makeCommitment"]["__typename"] == "MakeCommitmentSuccess"
        assert shows(await ask(http, running.b.url, writer, COMMITMENTS, c=code))  # its own write, on B
        before = await replica_reads(http, running.b.url)
        assert not shows(await ask(http, running.b.url, reader, COMMITMENTS, c=code))  # the replica, behind
        assert await replica_reads(http, running.b.url) == before + 1
        await asyncio.sleep(MAX_LAG + 1.5)  # now too far behind to serve anyone
        assert (await http.get(running.b.url + "/readyz")).json()["replica"]["status"] == "lagging"
        assert shows(await ask(http, running.b.url, reader, COMMITMENTS, c=code))
        assert await replica_reads(http, running.b.url) == before + 1  # that was the primary
    finally:
        await replica.execute("SELECT pg_wal_replay_resume()")
        await replica.close()
    await _until_replica_serves(http, running.b)
    before = await replica_reads(http, running.b.url)
    assert shows(await ask(http, running.b.url, reader, COMMITMENTS, c=code))
    assert await replica_reads(http, running.b.url) == before + 1


async def test_a_burst_spent_on_a_is_refused_on_b(running: Running, http: httpx.AsyncClient) -> None:
    token = running.cli("client", "add", f"burst {factories.suffix()}", "--role", "viewer")["token"]

    async def burst(url: str) -> list[httpx.Response]:
        return list(
            await asyncio.gather(
                *(http.post(url + "/graphql", json={"query": VIEWER}, headers=bearer(token)) for _ in range(BURST))
            )
        )

    assert [answer.status_code for answer in await burst(running.a.url)] == [200] * BURST
    on_b = await burst(running.b.url)  # B admits only what the rate refilled meanwhile, not a burst of its own
    refused = [answer for answer in on_b if answer.status_code == 429]
    assert refused, [answer.status_code for answer in on_b]
    assert refused[0].json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert int(refused[0].headers["retry-after"]) >= 1
    other = await http.post(running.b.url + "/graphql", json={"query": VIEWER}, headers=bearer(running.tokens["admin"]))
    assert other.status_code == 200  # another client has its own bucket


async def test_a_token_revoked_through_a_stops_on_both(running: Running, http: httpx.AsyncClient) -> None:
    issued = running.cli("client", "add", f"dash {factories.suffix()}", "--role", "viewer")
    for instance in (running.a, running.b):  # each has the token cached before it is revoked
        await ask(http, instance.url, issued["token"], VIEWER)
    revoked = await ask(http, running.a.url, running.tokens["admin"], REVOKE, id=f"cli_{issued['id']}")
    assert revoked["revokeClient"]["__typename"] == "RevokeClientSuccess"
    for instance in (running.a, running.b):  # within a second (a NOTIFY to each instance)
        for _ in range(10):
            answer = await http.post(instance.url + "/graphql", json={"query": VIEWER}, headers=bearer(issued["token"]))
            if answer.status_code == 401:
                break
            assert answer.status_code in (200, 429), answer.text
            await asyncio.sleep(0.1)
        assert answer.status_code == 401, (instance.url, answer.text)


async def test_a_live_feed_subscriber_on_b_hears_a_change_made_through_a(
    running: Running, http: httpx.AsyncClient
) -> None:
    code = "91310115MACRC65R8X"
    headers = {**bearer(running.tokens["viewer"]), "accept": "text/event-stream"}
    body = {"query": CHANGES, "variables": {"c": [code]}}
    async with http.stream("POST", running.b.url + "/graphql", json=body, headers=headers) as stream:
        assert stream.status_code == 200
        lines = stream.aiter_lines()
        assert (await asyncio.wait_for(anext(lines), 5)).startswith(":")  # subscribed
        report = orjson.dumps(violation(code, severity="SERIOUS"))
        secret = running.platform["webhook_secret"]
        sent = await http.post(
            f"{running.a.url}/webhooks/{running.platform['code']}", content=report, headers=sign(secret, report)
        )
        assert sent.status_code == 202, sent.text
        event = await asyncio.wait_for(_next_event(lines), 30)
    assert event["data"]["creditStatusChanged"]["creditStatus"]["tier"] == "D"


async def test_killing_a_mid_load_loses_no_event_either_instance_accepted(
    running: Running, http: httpx.AsyncClient
) -> None:
    secret, code = running.platform["webhook_secret"], running.platform["code"]
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
    bodies = {
        f"msg_{factories.suffix()}": orjson.dumps(violation(severity="SERIOUS", occurred_at=recent))
        for _ in range(EVENTS)
    }
    accepted: set[str] = set()

    async def send(url: str, event_ids: list[str]) -> None:
        """As a platform sends: 202 is an acknowledgement; anything else is sent again later."""
        for event_id in event_ids:
            try:
                answer = await http.post(
                    f"{url}/webhooks/{code}",
                    content=bodies[event_id],
                    headers=sign(secret, bodies[event_id], event_id=event_id),
                )
            except httpx.TransportError:
                continue
            if answer.status_code == 202:
                accepted.add(event_id)
            else:
                assert answer.status_code == 503, answer.text  # only an outage may refuse a valid event

    ids = list(bodies)
    halves = {running.a.url: ids[0::2], running.b.url: ids[1::2]}
    senders = [asyncio.create_task(send(url, part[lane::3])) for url, part in halves.items() for lane in range(3)]
    while len(accepted & set(halves[running.a.url])) < EVENTS // 6:
        await asyncio.sleep(0.01)
    running.a.kill()  # mid-load: requests in flight, events claimed and half applied
    await asyncio.gather(*senders)
    for _ in range(20):  # the platform retries what was not acknowledged, now at B
        missing = [event_id for event_id in ids if event_id not in accepted]
        if not missing:
            break
        await send(running.b.url, missing)
    assert accepted == set(ids)
    violations = sorted(orjson.loads(body)["data"]["violation_id"] for body in bodies.values())
    applied = await _applied(running.fleet.primary.dsn(), code, ids, violations)
    assert applied["not_done"] == [], applied
    assert applied["records"] == violations  # each applied, and once


async def _applied(dsn: str, platform: str, event_ids: list[str], violations: list[str]) -> dict[str, Any]:
    """Once B has applied everything (events A had claimed come back when their lease ends)."""
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(240):
            not_done = await conn.fetch(
                "SELECT event_id, status FROM inbox_events WHERE platform = $1 AND event_id = ANY($2) AND status <> 'DONE'",
                platform,
                event_ids,
            )
            if not not_done:
                break
            await asyncio.sleep(0.5)
        refs = await conn.fetch(
            "SELECT source_ref FROM credit_records WHERE source_platform = $1 AND source_ref = ANY($2)",
            platform,
            violations,
        )
    finally:
        await conn.close()
    return {"not_done": [dict(row) for row in not_done], "records": sorted(row["source_ref"] for row in refs)}


async def _until_replica_serves(http: httpx.AsyncClient, instance: Instance) -> None:
    for _ in range(100):
        if (await http.get(instance.url + "/readyz")).json()["replica"]["status"] == "ok":
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the replica did not catch up")


async def _next_event(lines: Any) -> dict[str, Any]:
    name = None
    async for line in lines:
        if line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:") and name == "next":
            event: dict[str, Any] = json.loads(line.partition(":")[2])
            return event
    raise AssertionError("the stream ended without an event")
