"""A hub serving the demo world on loopback, with its workers, and a real headless Chromium to use it.

Chromium is Debian's (`/usr/bin/chromium`, installed by .ci/run when missing), driven by Playwright
for Python; nothing is downloaded by Playwright. Each test gets a fresh browser context (its own
sessionStorage) whose console errors, page errors and requests are recorded: a test fails when the
page logs an error or asks anything of a host other than 127.0.0.1. Screenshots go to
`.screenshots/` (git-ignored).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, async_playwright

from credithub.db.pool import create_pool
from credithub.entrypoints.app import create_app
from credithub.services import demo, statuses
from credithub.services.ports import Deps
from tests import loopback
from tests.conftest import create_database, drop_database, make_deps, make_settings, unique_name

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".screenshots"
WAIT_MS = 15_000


@dataclass
class DemoHub:
    url: str
    deps: Deps
    credentials: dict[str, Any]

    def token(self, role: str) -> str:
        """A demo token: `admin`, `regulator`, `viewer`, or a platform's code."""
        clients: dict[str, str] = self.credentials["clients"]
        if role in clients:
            return clients[role]
        token: str = self.credentials["platforms"][role]["token"]
        return token


@pytest.fixture(scope="package")
async def demo_hub(
    server_dsn: str, template_db: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[DemoHub]:
    """`serve --demo` in this process: the demo world loaded, every status stored (so the live feed
    carries only what happens during the tests), the workers running."""
    name = unique_name("chub_demo")
    dsn = await create_database(server_dsn, name, template=template_db)
    # The defence window `serve --demo` has (the test default is none): a proposal's subject may
    # state its defence for ten days, and a regulator lists it only after that.
    settings = make_settings(dsn, tmp_path_factory.mktemp("demo-data"), workers=True, defence_days=10)
    pool = await create_pool(dsn, min_size=1, max_size=10)
    deps = make_deps(pool, settings)
    try:
        credentials = await demo.prepare_demo(deps)
        while await statuses.refresh_due(deps):
            pass
        async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
            yield DemoHub(url, deps, credentials)
    finally:
        await deps.http.aclose()
        await pool.close()
        await drop_database(server_dsn, name)


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        await launched.close()


@dataclass
class Tab:
    """One page in its own context, and what it did: console errors and requests."""

    hub: DemoHub
    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    async def sign_in(self, role: str) -> None:
        await self.sign_in_with(self.hub.token(role))

    async def sign_in_with(self, token: str) -> None:
        await self.page.goto(f"{self.hub.url}/dashboard")
        await self.page.get_by_label("Bearer token").fill(token)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.ready()

    async def open(self, route: str) -> None:
        """Go to a dashboard route (`search?q=…`, `subject/sub_1`) and wait for its content."""
        await self.page.evaluate("route => { window.location.hash = '#/' + route }", route)
        await self.ready()

    async def ready(self) -> None:
        await self.page.wait_for_selector("section.screen[data-ready]", timeout=WAIT_MS)

    def forgive_refusals(self) -> None:
        """Drop Chromium's own log line for a 401 the test provoked; any other error still fails."""
        self.errors[:] = [error for error in self.errors if "status of 401" not in error]

    async def shot(self, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


def _console(errors: list[str]) -> Any:
    def record(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    return record


@pytest.fixture
async def tab(browser: Browser, demo_hub: DemoHub, request: pytest.FixtureRequest) -> AsyncIterator[Tab]:
    viewport = getattr(request, "param", DESKTOP)
    context = await browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    opened = Tab(demo_hub, context, page)
    page.on("console", _console(opened.errors))
    page.on("pageerror", lambda error: opened.errors.append(f"page error: {error}"))
    page.on("request", lambda sent: opened.requests.append(_origin(sent.url)))
    page.on("websocket", lambda socket: opened.requests.append(_origin(socket.url)))
    yield opened
    await context.close()
    assert opened.errors == [], "the page logged errors"
    assert {host for host in opened.requests if host not in ("127.0.0.1", "data")} == set(), "a request left 127.0.0.1"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return "data" if parts.scheme == "data" else parts.hostname or url
