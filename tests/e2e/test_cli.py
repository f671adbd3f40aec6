"""The CLI as a newcomer runs it: `python -m credithub …` in subprocesses."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credithub", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def cli_env(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_platform_and_client_commands_print_one_json_object(fresh_dsn: str, tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path))
    added = run_cli(
        "platform", "add", "shopmall", "--name", "ShopMall", "--push-url", "https://shopmall.example/hub", env=env
    )
    assert added.returncode == 0, added.stderr
    platform = json.loads(added.stdout)
    assert {"token", "webhook_secret", "outbound_secret"} <= set(platform)
    assert platform["webhook_secret"].startswith("whsec_")
    client = json.loads(run_cli("client", "add", "Risk dashboard", "--role", "viewer", env=env).stdout)
    assert client["role"] == "viewer"
    assert client["token"].startswith("chub_")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("client", "add", "x", "--role", "superuser"), "role must be one of"),
        (("client", "add", "x", "--role", "platform"), "needs --platform"),
        (("platform", "add", "Bad Code!", "--name", "x"), "platform code must be"),
    ],
)
def test_bad_cli_input_exits_non_zero_with_a_clear_message(
    fresh_dsn: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run_cli(*args, env=cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path)))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("command", "name", "value"),
    [
        (("migrate",), "CREDITHUB_LOG_LEVEL", "bogus"),
        (("serve", "--port", "0"), "CREDITHUB_LOG_LEVEL", "verbose"),
        (("platform", "list"), "CREDITHUB_LOG_FORMAT", "xml"),
        (("migrate",), "CREDITHUB_WORKER_STATEMENT_TIMEOUT", "99999999"),
        (("client", "list"), "CREDITHUB_DB_POOL_SIZE", "ten"),
        (("serve", "--port", "0"), "CREDITHUB_GRAPHIQL", "maybe"),
    ],
)
def test_a_bad_setting_stops_any_command_with_one_line_naming_it(
    tmp_path: Path, command: tuple[str, ...], name: str, value: str
) -> None:
    result = run_cli(*command, env=cli_env(CREDITHUB_DATA_DIR=str(tmp_path), **{name: value}))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0]
    assert repr(value) in lines[0]
    assert " must be " in lines[0]
    assert result.stdout == ""
    assert not any(tmp_path.iterdir()), "no database was started"


def readme_batch_query() -> str:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)
    return next(block for block in blocks if "creditStatuses(" in block)


def readme_batch_variables() -> dict[str, object]:
    blocks = re.findall(r"```json\n(.*?)```", README.read_text(), re.DOTALL)
    variables: dict[str, object] = json.loads(next(block for block in blocks if '"codes"' in block))
    return variables


def readme_first_query() -> str:
    match = re.search(r"```graphql\n(.*?)```", README.read_text(), re.DOTALL)
    assert match, "README.md must show a first GraphQL query in a ```graphql block"
    return match.group(1)


@pytest.mark.slow
def test_serve_demo_answers_the_readme_query_and_stops_its_database(tmp_path: Path) -> None:
    port = free_port()
    env = cli_env(CREDITHUB_DATA_DIR=str(tmp_path))
    serve = subprocess.Popen(
        [sys.executable, "-m", "credithub", "serve", "--demo", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, serve)
        # A CLI command alongside the running service shares its embedded database.
        added = run_cli("client", "add", "alongside", "--role", "regulator", env=env)
        assert added.returncode == 0, added.stderr
        token = json.loads(added.stdout)["token"]
        answer = httpx.post(
            f"{base}/graphql",
            json={"query": readme_first_query()},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        assert "errors" not in answer, answer
        assert answer["data"]["subjects"]["totalCount"] > 100
        batch = httpx.post(
            f"{base}/graphql",
            json={"query": readme_batch_query(), "variables": readme_batch_variables()},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ).json()
        assert "errors" not in batch, batch
        *statuses, typo = batch["data"]["creditStatuses"]
        assert [s["tier"] for s in statuses] == ["D", "C", "A"]
        assert all(
            status["flags"] and all(f["legalBasis"] and f["reason"] for f in status["flags"]) for status in statuses
        )
        assert {"ONBOARDING_BAN", "CAMPAIGN_EXCLUSION"} <= {f["measure"] for f in statuses[0]["flags"]}
        assert typo["__typename"] == "InvalidIdentifierError"
        credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
        assert set(credentials["platforms"]) == {"shopmall", "bazaar", "livewave"}
    finally:
        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert "Traceback" not in output
    assert not (tmp_path / "pg" / "postmaster.pid").exists(), "the embedded PostgreSQL is still running"


def _wait_healthy(base: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited early:\n{process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("serve did not become healthy in 90 s")


async def run_cli_async(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """For commands that talk to a simulator this test process serves: the loop must keep running."""
    import asyncio

    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "credithub", *args, cwd=REPO, env=env, stdout=-1, stderr=-1
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_sync_pulls_a_platform_with_progress_and_the_outbox_commands_answer(
    fresh_dsn: str, tmp_path: Path
) -> None:
    from platform_adapters.marketplace.simulator import MarketplaceSimulator
    from tests import factories, loopback

    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SYNC_PAGE_SIZE="2")
    sim = MarketplaceSimulator(api_key="k-1", outbound_secret="")
    for n in range(5):
        sim.put_shop(f"S{n}", factories.credit_code(), f"店铺{n}")
    sim.put_penalty("P1", "S0", "SP-999", at_ms=sim.clock_ms)
    async with loopback.serve(sim.app) as url:
        code, out, err = await run_cli_async(
            "platform",
            "add",
            "bmall",
            "--name",
            "BMall",
            "--family",
            "marketplace",
            "--api-url",
            url,
            "--api-key",
            "k-1",
            env=env,
        )
        assert code == 0, err
        assert json.loads(out)["codes_mapped"] > 0
        code, out, err = await run_cli_async("sync", "--platform", "bmall", env=env)
    assert code == 0, err
    pulled = {entry["stream"]: entry for entry in json.loads(out)["pulled"]}
    assert (pulled["shops"]["new_events"], pulled["penalties"]["refused"]) == (5, 1)
    assert "bmall shops: 3 pages" in err
    assert "caught up" in err
    code, out, _ = await run_cli_async("sync", "--rejects", env=env)
    assert "SP-999" in json.loads(out)["rejects"][0]["error"]
    code, out, _ = await run_cli_async("sync", "--status", "--platform", "bmall", env=env)
    assert {s["stream"] for s in json.loads(out)["streams"]} == {"shops", "penalties"}
    for args in (("outbox", "status"), ("outbox", "dead"), ("outbox", "replay", "--platform", "bmall")):
        code, out, err = await run_cli_async(*args, env=env)
        assert code == 0, err
        json.loads(out)
    code, _, err = await run_cli_async("sync", "--platform", "nowhere", env=env)
    assert code != 0
    assert "nowhere" in err
    assert "Traceback" not in err
