"""The integration kit's examples (docs/examples/) run as a platform engineer runs them, against a
live hub with every worker on: each signs and sends webhooks, queries GraphQL, follows the live
feed and verifies the hub's push. Skipped, with the reason, where Node or the JDK is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from credithub.services import clients
from tests import factories, toolchains
from tests.e2e.conftest import LiveHub
from tests.e2e.test_cli import free_port

pytestmark = pytest.mark.slow
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


async def example_env(hub: LiveHub) -> dict[str, str]:
    port = free_port()
    code = f"ex{factories.suffix()}"
    registered = await clients.add_platform(hub.deps, code, "Example Platform", push_url=f"http://127.0.0.1:{port}/")
    return {
        **{key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "JAVA_HOME")},
        "HUB_URL": hub.url,
        "PLATFORM": code,
        "TOKEN": registered.client.token,
        "WEBHOOK_SECRET": registered.webhook_secret,
        "OUTBOUND_SECRET": registered.outbound_secret,
        "CREDIT_CODE": factories.credit_code(),
        "PUSH_PORT": str(port),
        "TIMEOUT_SECONDS": "45",
    }


def assert_whole_loop(output: str) -> None:
    assert "sent violation.reported" in output
    assert "status: tier" in output
    assert "live:" in output
    assert "push verified" in output
    assert "done: a live event and a verified push" in output


async def test_the_node_example_runs_the_whole_loop(live_hub: LiveHub) -> None:
    folder = toolchains.npm_install(EXAMPLES / "node")
    env = await example_env(live_hub)
    ran = await toolchains.run("node", "example.mjs", cwd=folder, env=env, seconds=90)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert_whole_loop(ran.stdout)


async def test_the_java_example_runs_the_whole_loop(live_hub: LiveHub) -> None:
    java = toolchains.require("java")
    env = await example_env(live_hub)
    ran = await toolchains.run(java, "Example.java", cwd=EXAMPLES / "java", env=env, seconds=120)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert_whole_loop(ran.stdout)
