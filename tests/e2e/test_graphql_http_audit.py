"""The graphql-http audit suite (the reference implementation of the graphql-over-http spec)
against the live hub: every MUST and every SHOULD passes. Skipped without Node or npm."""

from __future__ import annotations

import json
from pathlib import Path

from tests import toolchains
from tests.e2e.conftest import Cast

AUDIT = Path(__file__).resolve().parents[1] / "node"


async def test_every_must_and_should_audit_of_graphql_http_passes(app_url: str, cast: Cast) -> None:
    folder = toolchains.npm_install(AUDIT)
    token = cast.as_viewer.headers["Authorization"].removeprefix("Bearer ")
    ran = await toolchains.run("node", "audit.mjs", f"{app_url}/graphql", token, cwd=folder)
    assert ran.returncode == 0, ran.stderr
    audits = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(audits) > 40  # the suite ran, not an empty shell of it
    failing = [a for a in audits if a["name"].startswith(("MUST", "SHOULD")) and a["status"] != "ok"]
    assert failing == []
