"""The local loop as a platform engineer runs it against a hub that runs every worker: a
simulator process the hub pulls from and pushes to, `trigger` sending a signed sample event,
and `listen` receiving the hub's pushes, verified, and forwarding them to the engineer's own
endpoint."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests import loopback, schemas
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.conftest import LiveHub
from tests.e2e.test_cli import REPO, cli_env, free_port, run_cli_async

pytestmark = pytest.mark.slow
WAIT_SECONDS = 60


class Lines:
    """A CLI process's stdout, one JSON object per line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def until(self, event: str) -> dict[str, Any]:
        assert self.process.stdout is not None
        while True:
            raw = await asyncio.wait_for(self.process.stdout.readline(), WAIT_SECONDS)
            assert raw, "the process ended"
            line: dict[str, Any] = json.loads(raw)
            if line["event"] == event:
                return line


async def start(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "credithub", *args, cwd=REPO, env=env, stdout=-1, stderr=asyncio.subprocess.DEVNULL
    )


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def test_a_simulator_process_is_pulled_and_pushed_to_and_trigger_reports_to_the_hub(
    live_hub: LiveHub, fresh_dsn: str, tmp_path: Path
) -> None:
    hub = live_hub.url
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY=TEST_SECRET_KEY)
    port = free_port()
    simulator = await start("simulate", "standard", "--port", str(port), "--platform", "simstd", env=env)
    try:
        lines = Lines(simulator)
        started = await lines.until("simulating")
        assert started["api_url"] == f"http://127.0.0.1:{port}"
        pushed = await lines.until("push received")  # the hub pulled the feed, applied it and told it
        assert schemas.errors("push/credit.status_changed.json", pushed["body"]) == []
        code, out, err = await run_cli_async(
            "trigger", "violation.reported", "--platform", "simstd", "--hub", hub, env=env
        )
        assert code == 0, err
        sent = json.loads(out)
        assert (sent["status"], sent["answer"]["accepted"]) == (202, True)
        code, out, err = await run_cli_async("trigger", "no.such.event", "--platform", "simstd", "--hub", hub, env=env)
        assert code == 1
        assert "EVENT must be one of" in err
    finally:
        await stop(simulator)


async def test_listen_forwards_verified_pushes_and_gives_the_push_url_back(
    live_hub: LiveHub, fresh_dsn: str, tmp_path: Path
) -> None:
    hub = live_hub.url
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY=TEST_SECRET_KEY)
    code, out, err = await run_cli_async(
        "platform", "add", "mine", "--name", "Mine", "--push-url", "https://mine.example/hook", env=env
    )
    assert code == 0, err
    outbound = json.loads(out)["outbound_secret"]
    received: list[tuple[dict[str, str], bytes]] = []

    async def endpoint(request: Request) -> Response:
        received.append((dict(request.headers), await request.body()))
        return Response(status_code=204)

    async with loopback.serve(Starlette(routes=[Route("/hook", endpoint, methods=["POST"])])) as mine:
        port = free_port()
        listener = await start(
            "listen", "--platform", "mine", "--port", str(port), "--forward-to", f"{mine}/hook", env=env
        )
        try:
            lines = Lines(listener)
            await lines.until("listening")
            code, _, err = await run_cli_async(
                "trigger", "violation.reported", "--platform", "mine", "--hub", hub, env=env
            )
            assert code == 0, err
            shown = await lines.until("push received")
            forwarded = await lines.until("forwarded")
        finally:
            await stop(listener)
    assert shown["verified"] is True
    assert forwarded["status"] == 204
    headers, body = received[0]
    Webhook(outbound).verify(body, headers)  # forwarded unchanged: it verifies at the engineer's end too
    assert json.loads(body)["type"] == "credit.status_changed"
    platforms = json.loads((await run_cli_async("platform", "list", env=env))[1])["platforms"]
    assert platforms[0]["push_url"] == "https://mine.example/hook"  # put back when listen stopped
