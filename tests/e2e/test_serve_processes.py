"""`serve --workers N` and `--role` as an operator runs them: several processes answering on one
port, one killed and replaced, the API and the background work in processes of their own
against the same database."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import factories
from tests.e2e.test_cli import REPO, cli_env, free_port, run_cli
from tests.e2e.test_webhooks import sign, violation

pytestmark = pytest.mark.slow

RECORDS = "query($c: String!) { subjectByCreditCode(creditCode: $c) { records { totalCount } } }"


class Serve:
    """`python -m credithub serve ARGS` on a free port, its output in a file."""

    def __init__(self, *args: str, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "credithub", "serve", "--port", str(self.port), *args],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"serve did not become ready:\n{self.log.read_text()}")

    def readyz(self) -> dict[str, object]:
        """Over a new connection each time, so that any process may answer."""
        response = httpx.get(f"{self.url}/readyz", timeout=60)
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=90)


@contextmanager
def serving(*args: str, env: dict[str, str], log: Path) -> Iterator[Serve]:
    serve = Serve(*args, env=env, log=log)
    try:
        serve.wait_ready()
        yield serve
    finally:
        if serve.process.poll() is None:
            serve.stop()


def api_pids(serve: Serve, want: int) -> set[int]:
    pids: set[int] = set()
    for _ in range(60):
        body = serve.readyz()
        assert body["role"] == "api"
        pids.add(int(str(body["pid"])))
        if len(pids) >= want:
            break
    return pids


def metric(serve: Serve, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    text = httpx.get(f"{serve.url}/metrics", timeout=30).text
    return {
        tuple(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def test_two_processes_answer_one_killed_is_replaced_and_ctrl_c_stops_all_and_the_database(tmp_path: Path) -> None:
    env = cli_env(CREDITHUB_DATA_DIR=str(tmp_path))  # no DATABASE_URL: the embedded server
    with serving("--workers", "2", env=env, log=tmp_path / "serve.log") as serve:
        children = psutil.Process(serve.process.pid).children()
        assert len(children) == 3  # two serving the port, one for the background work
        first = api_pids(serve, want=2)
        assert len(first) == 2, "every request went to one process"
        assert first < {child.pid for child in children}

        # /metrics adds up every process: each of our readiness probes, whoever answered it.
        readyz = (("method", "GET"), ("route", "/readyz"), ("status", "200"))
        before = metric(serve, "credithub_http_requests_total")[readyz]
        assert len(api_pids(serve, want=3)) == 2  # 60 probes, spread over both processes
        deadline = time.monotonic() + 10  # each process counts a request just after answering it
        while metric(serve, "credithub_http_requests_total")[readyz] < before + 60:
            assert time.monotonic() < deadline, metric(serve, "credithub_http_requests_total")
            time.sleep(0.2)
        assert metric(serve, "credithub_http_requests_total")[readyz] == before + 60

        killed = min(first)
        psutil.Process(killed).kill()
        deadline = time.monotonic() + 90
        now: set[int] = set()
        while time.monotonic() < deadline and (len(now) < 2 or killed in now):
            now = api_pids(serve, want=2)
        assert killed not in now
        assert len(now) == 2, now  # a new process took the killed one's place, and both answer
        pool_pids = {dict(labels)["pid"] for labels in metric(serve, "credithub_db_pool_max")}
        assert str(killed) not in pool_pids  # the dead process's gauges left /metrics

        assert serve.stop() == 0
    assert not any(psutil.pid_exists(child.pid) and child.status() != "zombie" for child in children[1:])
    assert not (tmp_path / "pg" / "postmaster.pid").exists(), "the embedded PostgreSQL is still running"
    assert "Traceback" not in serve.log.read_text()


def test_the_api_role_leaves_a_webhook_pending_and_the_workers_role_applies_it(fresh_dsn: str, tmp_path: Path) -> None:
    env = cli_env(DATABASE_URL=fresh_dsn, CREDITHUB_DATA_DIR=str(tmp_path))
    platform = json.loads(run_cli("platform", "add", "twoparts", "--name", "Two Parts", env=env).stdout)
    admin = json.loads(run_cli("client", "add", "ops", "--role", "admin", env=env).stdout)["token"]
    code = factories.credit_code()
    body = orjson.dumps(violation(code))
    headers = {"Authorization": f"Bearer {admin}"}

    def records(base: str) -> object:
        answer = httpx.post(f"{base}/graphql", json={"query": RECORDS, "variables": {"c": code}}, headers=headers)
        return answer.json()["data"]["subjectByCreditCode"]

    with serving("--role", "api", "--workers", "2", env=env, log=tmp_path / "api.log") as api:
        ready = api.readyz()
        assert (ready["role"], ready["workers"]) == ("api", {})
        accepted = httpx.post(
            f"{api.url}/webhooks/twoparts", content=body, headers=sign(platform["webhook_secret"], body)
        )
        assert accepted.status_code == 202, accepted.text
        time.sleep(3)  # six times the inbox's polling interval
        assert records(api.url) is None  # accepted, not applied: no process here runs the inbox
        assert metric(api, "credithub_inbox_pending")[()] >= 1

        with serving("--role", "workers", env=env, log=tmp_path / "workers.log") as workers:
            ready = workers.readyz()
            assert ready["role"] == "workers"
            assert set(ready["workers"]) == {  # type: ignore[arg-type]
                "inbox-processor",
                "status-refresher",
                "push-dispatcher",
                "platform-puller",
                "audit-partitioner",
            }
            assert "revocations" not in ready
            assert httpx.post(f"{workers.url}/graphql", json={"query": "{ viewer { name } }"}).status_code == 404
            deadline = time.monotonic() + 30
            while records(api.url) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert records(api.url) == {"records": {"totalCount": 1}}
            assert workers.stop() == 0
        assert api.stop() == 0
    for log in ("api.log", "workers.log"):
        assert "Traceback" not in (tmp_path / log).read_text(), log


def test_a_port_another_server_listens_on_is_refused_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--workers", "2", "--port", str(port), env=cli_env(CREDITHUB_DATA_DIR=str(tmp_path)))
    assert result.returncode == 2, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert not (tmp_path / "pg").exists()  # no database was started for nothing


def test_a_client_s_rate_limit_holds_for_the_instance_not_for_each_of_its_processes(
    fresh_dsn: str, tmp_path: Path
) -> None:
    """No Redis: the two processes of one `serve --workers 2` take from the same bucket, so a
    client that spreads its requests over both (a new connection each) gets its burst once."""
    burst = 6
    env = cli_env(
        DATABASE_URL=fresh_dsn,
        CREDITHUB_DATA_DIR=str(tmp_path),
        CREDITHUB_RATE_LIMIT="1",
        CREDITHUB_RATE_BURST=str(burst),
        CREDITHUB_WORKERS="false",
    )
    token = json.loads(run_cli("client", "add", "eager", "--role", "admin", env=env).stdout)["token"]
    with serving("--workers", "2", env=env, log=tmp_path / "serve.log") as serve:
        assert len(api_pids(serve, want=2)) == 2  # new connections reach both processes
        started = time.monotonic()
        statuses = [
            httpx.post(
                f"{serve.url}/graphql",
                json={"query": "{ viewer { name } }"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ).status_code
            for _ in range(4 * burst)
        ]
        elapsed = time.monotonic() - started
        assert set(statuses) == {200, 429}, statuses
        # One bucket: the burst, plus what one token a second refilled meanwhile. Two buckets
        # (one per process) would have admitted about twice the burst.
        assert statuses.count(200) <= burst + int(elapsed) + 1, (statuses, elapsed)
        assert serve.stop() == 0
    assert "Traceback" not in (tmp_path / "serve.log").read_text()
