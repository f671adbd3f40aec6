"""Fault injection: `serve` in its own process, killed with SIGKILL — the app mid-ingest and
mid-push, the embedded PostgreSQL under it — while a platform keeps sending signed webhooks and
the hub keeps pushing to a simulator. Nothing acknowledged is lost or applied twice: every event
answered 202 ends up applied exactly once, and every status message reaches the platform, which
keeps each once by its idempotency key. (Redis stopped: tests/e2e/test_readiness.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import psutil
import pytest

from credithub.services import clients
from credithub.services.ports import Deps
from platform_adapters.standard.simulator import PUSH_PATH, StandardSimulator
from tests import factories, loopback
from tests.e2e.test_cli import REPO, cli_env, free_port, run_cli
from tests.e2e.test_webhooks import sign, violation

pytestmark = pytest.mark.slow

EVENTS = 240
SENDERS = 6
SETTLE_SECONDS = 120.0


class Hub:
    """`python -m credithub serve` in a process of its own."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: ASYNC220 (the test then waits on its health, not on it)
            [sys.executable, "-m", "credithub", "serve", "--port", str(self.port)],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        async with httpx.AsyncClient(timeout=2) as http:
            for _ in range(600):
                if self.process.poll() is not None:
                    raise AssertionError(f"serve exited with {self.process.returncode}")
                try:
                    if (await http.get(self.url + "/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("serve did not become healthy in 60 s")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return 0
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@dataclass
class Platform:
    code: str
    secret: str
    simulator: StandardSimulator
    acknowledged: set[str] = field(default_factory=set)
    bodies: dict[str, bytes] = field(default_factory=dict)  # webhook-id -> body, resent as it was


def make_events(count: int) -> dict[str, bytes]:
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).isoformat()
    return {
        f"msg_{factories.suffix()}": orjson.dumps(violation(severity="SERIOUS", occurred_at=recent))
        for _ in range(count)
    }


async def send(hub: Hub, platform: Platform, event_ids: list[str]) -> None:
    """Send each event once, as a platform would: 202 is an acknowledgement, anything else
    (a refused connection, 503) is not and will be sent again later."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for event_id in event_ids:
        queue.put_nowait(event_id)

    async def sender(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            event_id = queue.get_nowait()
            body = platform.bodies[event_id]
            try:
                response = await http.post(
                    f"/webhooks/{platform.code}", content=body, headers=sign(platform.secret, body, event_id=event_id)
                )
            except httpx.TransportError:
                continue
            if response.status_code == 202:
                platform.acknowledged.add(event_id)
            else:
                assert response.status_code == 503, response.text  # only an outage may refuse a valid event

    async with httpx.AsyncClient(base_url=hub.url, timeout=10) as http:
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))


async def send_until_acknowledged(hub: Hub, platform: Platform) -> None:
    for _ in range(50):
        missing = [event_id for event_id in platform.bodies if event_id not in platform.acknowledged]
        if not missing:
            return
        await send(hub, platform, missing)
        await asyncio.sleep(0.5)
    raise AssertionError("some events were never acknowledged")


async def settled(dsn: str, platform: Platform) -> dict[str, Any]:
    """Wait until the hub has applied what it accepted and delivered what it queued; the facts."""
    conn = await _connect(dsn)
    try:
        for _ in range(int(SETTLE_SECONDS / 0.5)):
            busy = await conn.fetchval(
                "SELECT (SELECT count(*) FROM inbox_events WHERE status IN ('PENDING', 'PROCESSING'))"
                " + (SELECT count(*) FROM status_refresh_queue)"
                " + (SELECT count(*) FROM outbox WHERE status IN ('PENDING', 'DELIVERING'))"
            )
            if busy == 0:
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError("the hub did not settle")
        inbox = {
            row["event_id"]: row["status"]
            for row in await conn.fetch("SELECT event_id, status FROM inbox_events WHERE platform = $1", platform.code)
        }
        records = await conn.fetch(
            "SELECT source_ref, subject_id FROM credit_records WHERE source_platform = $1", platform.code
        )
        outbox = await conn.fetch("SELECT id, subject_id, status FROM outbox WHERE platform = $1", platform.code)
    finally:
        await conn.close()
    return {"inbox": inbox, "records": records, "outbox": outbox}


async def _connect(dsn: str) -> asyncpg.Connection:
    """A connection for the test's own checks, once the database answers (it may be recovering)."""
    for _ in range(120):
        try:
            return await asyncpg.connect(dsn)
        except (OSError, asyncpg.CannotConnectNowError, asyncpg.PostgresConnectionError):
            await asyncio.sleep(0.5)
    raise AssertionError("the database did not answer")


def assert_nothing_lost_or_doubled(platform: Platform, facts: dict[str, Any]) -> None:
    assert platform.acknowledged == set(platform.bodies)
    inbox = facts["inbox"]
    assert {event_id for event_id in platform.acknowledged if inbox.get(event_id) != "DONE"} == set()
    violations = [orjson.loads(platform.bodies[event_id])["data"]["violation_id"] for event_id in platform.bodies]
    refs = [row["source_ref"] for row in facts["records"]]
    assert sorted(refs) == sorted(violations)  # each applied, and once
    assert {row["status"] for row in facts["outbox"]} == {"DELIVERED"}
    kept = platform.simulator.pushes.messages
    assert {f"msg_{row['id']}" for row in facts["outbox"]} <= set(kept)  # every message reached the platform
    pushed_subjects = {message["data"]["subject_id"] for message in kept.values()}
    assert {f"sub_{row['subject_id']}" for row in facts["records"]} <= pushed_subjects


@pytest.fixture
async def simulator() -> AsyncIterator[tuple[StandardSimulator, str]]:
    sim = StandardSimulator(api_key="k", outbound_secret="")
    async with loopback.serve(sim.app) as url:
        yield sim, url


async def test_killing_the_app_mid_ingest_and_mid_push_loses_and_doubles_nothing(
    fresh_deps: Deps, fresh_dsn: str, tmp_path: Path, simulator: tuple[StandardSimulator, str]
) -> None:
    sim, sim_url = simulator
    registered = await clients.add_platform(fresh_deps, "faulty", "Faulty", push_url=sim_url + PUSH_PATH)
    sim.outbound_secret = registered.outbound_secret
    sim.faults.stall_next(0.2, times=60, path_prefix=PUSH_PATH)  # pushes take a while: some are in flight
    platform = Platform(registered.code, registered.webhook_secret, sim, bodies=make_events(EVENTS))
    hub = Hub(cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY="k" * 40))
    await hub.start()
    try:
        ids = list(platform.bodies)
        sending = asyncio.create_task(send(hub, platform, ids))
        while len(platform.acknowledged) < EVENTS // 3:
            await asyncio.sleep(0.01)
        hub.kill()  # mid-ingest: requests in flight, events half applied
        await sending
        await hub.start()
        await send_until_acknowledged(hub, platform)
        for _ in range(100):  # let pushes start, then kill mid-push
            if sim.pushes.receipts:
                break
            await asyncio.sleep(0.1)
        hub.kill()
        await hub.start()
        facts = await settled(fresh_dsn, platform)
    finally:
        hub.stop()
    assert_nothing_lost_or_doubled(platform, facts)


def _postmaster(pgdata: Path) -> psutil.Process:
    return psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))


def _crash(pgdata: Path) -> None:
    """What a crash of the database server looks like: the postmaster and every backend, SIGKILL."""
    postmaster = _postmaster(pgdata)
    children = postmaster.children()
    postmaster.kill()
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


async def test_killing_postgresql_mid_ingest_and_mid_push_loses_and_doubles_nothing(
    tmp_path: Path, simulator: tuple[StandardSimulator, str]
) -> None:
    sim, sim_url = simulator
    env = cli_env(CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY="k" * 40)
    added = run_cli("platform", "add", "crashy", "--name", "Crashy", "--push-url", sim_url + PUSH_PATH, env=env)
    assert added.returncode == 0, added.stderr
    registered = json.loads(added.stdout)
    sim.outbound_secret = registered["outbound_secret"]
    sim.faults.stall_next(0.2, times=60, path_prefix=PUSH_PATH)
    platform = Platform("crashy", registered["webhook_secret"], sim, bodies=make_events(EVENTS))
    hub = Hub(env)
    await hub.start()
    pgdata = tmp_path / "pg"
    try:
        ids = list(platform.bodies)
        sending = asyncio.create_task(send(hub, platform, ids))
        while len(platform.acknowledged) < EVENTS // 3:
            await asyncio.sleep(0.01)
        _crash(pgdata)  # mid-ingest: the hub answers 503 until its database is back
        await sending
        await send_until_acknowledged(hub, platform)
        for _ in range(100):
            if sim.pushes.receipts:
                break
            await asyncio.sleep(0.1)
        _crash(pgdata)  # mid-push
        await asyncio.sleep(1)
        dsn = await _embedded_dsn(pgdata)
        facts = await settled(dsn, platform)
    finally:
        assert hub.stop() == 0
    assert_nothing_lost_or_doubled(platform, facts)
    assert not (pgdata / "postmaster.pid").exists(), "serve stopped, and its database with it"


async def _embedded_dsn(pgdata: Path) -> str:
    from pgserver.utils import PostmasterInfo

    for _ in range(300):
        info = PostmasterInfo.read_from_pgdata(pgdata)
        if info is not None and info.is_running() and info.status == "ready":
            return str(info.get_uri(database="credithub"))
        await asyncio.sleep(0.1)
    raise AssertionError("the embedded PostgreSQL did not come back")


async def test_a_database_left_by_a_killed_app_is_adopted_and_stopped_with_the_next(tmp_path: Path) -> None:
    env = cli_env(CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY="k" * 40)
    first = Hub(env)
    await first.start()
    pgdata = tmp_path / "pg"
    orphan = _postmaster(pgdata)
    first.kill()
    assert orphan.is_running()  # left behind: nobody is left to stop it
    second = Hub(env)
    await second.start()
    try:
        assert _postmaster(pgdata).pid == orphan.pid  # adopted, not a second server on the same data
    finally:
        assert second.stop() == 0
    orphan.wait(timeout=30)  # and stopped with the process that adopted it
    assert not (pgdata / "postmaster.pid").exists()
