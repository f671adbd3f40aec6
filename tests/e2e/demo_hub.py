"""`serve --demo` in this process, at a fixed instant, for the tests that read the demo world as a
newcomer would: the world loaded and its due-process stories acted out, the app on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import httpx

from credithub.db.pool import create_pool
from credithub.entrypoints.app import create_app
from credithub.services import demo
from credithub.services.ports import Deps
from tests import loopback
from tests.conftest import FixedClock, create_database, drop_database, make_deps, make_settings, unique_name
from tests.e2e.graphql_client import GraphQLClient

# The instant docs/due-process.md was written against: its dates (validUntil, executedAt) fit it.
DEMO_NOW: Final = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


@dataclass
class DemoHub:
    url: str
    deps: Deps
    credentials: dict[str, Any]
    http: httpx.AsyncClient

    def as_(self, role: str) -> GraphQLClient:
        """A client with a demo token: `admin`, `regulator`, `viewer`, `subject`, or a platform's code."""
        clients: dict[str, str] = self.credentials["clients"]
        token = clients[role] if role in clients else self.credentials["platforms"][role]["token"]
        return GraphQLClient(self.http, token)


@asynccontextmanager
async def serve_demo(server_dsn: str, template_db: str, data_dir: Path) -> AsyncIterator[DemoHub]:
    """A fresh database with the demo world, as `serve --demo` makes it with the default
    defence window, and the app serving it at DEMO_NOW."""
    name = unique_name("chub_demo")
    dsn = await create_database(server_dsn, name, template=template_db)
    settings = make_settings(dsn, data_dir, defence_days=10)
    pool = await create_pool(dsn, min_size=1, max_size=5)
    deps = make_deps(pool, settings, FixedClock(DEMO_NOW))
    try:
        credentials = await demo.prepare_demo(deps)
        async with (
            loopback.serve(create_app(settings, deps=deps), lifespan="on") as url,
            httpx.AsyncClient(base_url=url, timeout=30) as http,
        ):
            yield DemoHub(url, deps, credentials, http)
    finally:
        await deps.http.aclose()
        await pool.close()
        await drop_database(server_dsn, name)
