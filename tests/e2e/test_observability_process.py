"""`serve` as an operator runs it, as a process: JSON log lines on stderr carrying the request id
and the GraphQL operation, and with the standard OTEL_* variables set, OpenTelemetry spans for
requests and SQL statements delivered to an OTLP collector (here one on loopback)."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests import loopback
from tests.e2e.test_cli import REPO, cli_env, free_port, run_cli_async

pytestmark = pytest.mark.slow


class Collector:
    """An OTLP/HTTP trace receiver: keeps the name of every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[tuple[str, str]] = []  # (scope, span name)

    async def traces(self, request: Request) -> Response:
        export = ExportTraceServiceRequest.FromString(await request.body())
        for resource in export.resource_spans:
            for scope in resource.scope_spans:
                self.spans += [(scope.scope.name, span.name) for span in scope.spans]
        return Response(status_code=200)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/traces", self.traces, methods=["POST"])])


async def _wait_healthy(base: str, process: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError("serve exited early")
            try:
                if (await http.get(f"{base}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("serve did not become healthy")


async def test_serve_logs_json_lines_with_request_ids_and_sends_traces(fresh_dsn: str, tmp_path: Path) -> None:
    collector = Collector()
    async with loopback.serve(collector.app) as otlp:
        env = cli_env(
            DATABASE_URL=fresh_dsn,
            CREDITHUB_DATA_DIR=str(tmp_path),
            CREDITHUB_WORKERS="false",
            OTEL_EXPORTER_OTLP_ENDPOINT=otlp,
            OTEL_SERVICE_NAME="credithub-test",
            OTEL_BSP_SCHEDULE_DELAY="100",
        )
        code, out, err = await run_cli_async("client", "add", "ops", "--role", "admin", env=env)
        assert code == 0, err
        token = json.loads(out)["token"]
        port = free_port()
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "credithub", "serve", "--port", str(port), cwd=REPO, env=env, stderr=-1
        )
        try:
            base = f"http://127.0.0.1:{port}"
            await _wait_healthy(base, serve)
            async with httpx.AsyncClient() as http:
                answer = await http.post(
                    f"{base}/graphql",
                    json={"query": "query Census { subjects(first: 1) { totalCount } }"},
                    headers={"Authorization": f"Bearer {token}", "X-Request-Id": "trace-me-1"},
                )
            assert answer.status_code == 200, answer.text
            for _ in range(100):  # the batch processor sends every 100 ms
                if any(scope.endswith("asyncpg") for scope, _ in collector.spans):
                    break
                await asyncio.sleep(0.1)
        finally:
            serve.send_signal(signal.SIGINT)
            _, stderr = await asyncio.wait_for(serve.communicate(), 60)
    lines = stderr.decode().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON object
    request = next(event for event in events if event.get("request_id") == "trace-me-1")
    assert (request["event"], request["operation"], request["status"]) == ("request", "Census", 200)
    assert request["queries"] >= 1
    assert {"timestamp", "level", "logger"} <= set(request)
    assert any("uvicorn" in event.get("logger", "") for event in events)  # uvicorn's lines are JSON too
    scopes = {scope for scope, _ in collector.spans}
    assert any(scope.endswith("asgi") for scope in scopes), collector.spans
    assert any(scope.endswith("asyncpg") for scope in scopes), collector.spans
    assert any(name.startswith("POST /graphql") for _, name in collector.spans), collector.spans
