"""The dashboard and GraphiQL pages over HTTP: every asset they load comes from the hub itself, and
browser pages on configured origins (only those) may call the API."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from credithub.entrypoints.app import create_app
from credithub.services.ports import Deps
from tests import loopback
from tests.e2e.conftest import Cast

ALLOWED = "https://risk.example.com"
OTHER = "https://elsewhere.example.org"
REPOSITORY = Path(__file__).resolve().parents[2]

# What a page or a module may load: src/href attributes, import-map targets, static and dynamic imports.
REFERENCES = (
    re.compile(r"""(?:src|href)=["']([^"'#][^"']*)["']"""),
    re.compile(r""""(/static/[^"]+)\""""),
    re.compile(r"""(?:import|export)\s[^;]*?from\s*["']([^"']+)["']"""),
    re.compile(r"""import\(\s*["']([^"']+)["']\s*\)"""),
    re.compile(r"""\bsrc\s*=\s*["'](/static/[^"']+)["']"""),
    re.compile(r"""CHART_SCRIPT\s*=\s*["']([^"']+)["']"""),
)
# Bare names ("preact") are resolved by the page's import map, whose targets are paths found too.
LOADABLE = ("/", "./", "../", "http:", "https:")


def references(base: str, text: str) -> set[str]:
    found = {match for pattern in REFERENCES for match in pattern.findall(text)}
    return {urljoin(base, ref) for ref in found if ref.startswith(LOADABLE)}


async def crawl(
    http: httpx.AsyncClient, start: str, headers: dict[str, str] | None = None
) -> dict[str, httpx.Response]:
    """The page and everything it loads, transitively, as the hub answers each."""
    seen: dict[str, httpx.Response] = {}
    queue = [start]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        response = await http.get(url, headers=headers if url == start else None)
        seen[url] = response
        kind = response.headers.get("content-type", "")
        if response.status_code == 200 and ("html" in kind or "javascript" in kind):
            queue.extend(references(url, response.text))
    return seen


@pytest.mark.parametrize(("page", "headers"), [("/dashboard", None), ("/graphql", {"Accept": "text/html"})])
async def test_every_asset_a_page_loads_is_served_by_the_hub(
    http: httpx.AsyncClient, app_url: str, page: str, headers: dict[str, str] | None
) -> None:
    loaded = await crawl(http, f"{app_url}{page}", headers)
    assert len(loaded) > 3
    assert {urlsplit(url).netloc for url in loaded} == {urlsplit(app_url).netloc}
    assert {url: response.status_code for url, response in loaded.items() if response.status_code != 200} == {}
    scripts = [url for url in loaded if url.endswith((".js", ".mjs"))]
    assert all("javascript" in loaded[url].headers["content-type"] for url in scripts)


@pytest.mark.parametrize(("page", "headers"), [("/dashboard", None), ("/graphql", {"Accept": "text/html"})])
async def test_a_page_may_load_and_connect_to_nothing_but_the_hub(
    http: httpx.AsyncClient, page: str, headers: dict[str, str] | None
) -> None:
    response = await http.get(page, headers=headers)
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["script-src"].split()[0] == "'self'"
    assert all(source.startswith("'sha256-") for source in policy["script-src"].split()[1:])


async def test_the_dashboard_loads_its_chinese_text_as_utf8(http: httpx.AsyncClient) -> None:
    response = await http.get("/static/dashboard/js/screens/subject-records.js")
    assert response.headers["content-type"].startswith("text/javascript")
    assert "信用承诺书" in response.text


async def test_the_root_sends_a_browser_to_the_dashboard(http: httpx.AsyncClient) -> None:
    response = await http.get("/")
    assert (response.status_code, response.headers["location"]) == (307, "/dashboard")


@pytest.fixture(scope="module")
async def cors_url(deps: Deps) -> AsyncIterator[str]:
    settings = deps.settings.with_changes(cors_origins=(ALLOWED,))
    async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url:
        yield url


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_a_preflight_from_a_configured_origin_is_answered(cors_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.options(f"{cors_url}/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "authorization" in response.headers["access-control-allow-headers"].lower()


async def test_a_configured_origin_reads_answers_and_refusals(cors_url: str, cast: Cast) -> None:
    query = {"query": "{ viewer { role } }"}
    async with httpx.AsyncClient() as http:
        answered = await http.post(
            f"{cors_url}/graphql", json=query, headers={"Origin": ALLOWED, **cast.as_viewer.headers}
        )
        refused = await http.post(f"{cors_url}/graphql", json=query, headers={"Origin": ALLOWED})
    assert answered.json() == {"data": {"viewer": {"role": "VIEWER"}}}
    assert answered.headers["access-control-allow-origin"] == ALLOWED
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ALLOWED  # the page can tell its token was refused


async def test_another_origin_is_allowed_nothing(cors_url: str, cast: Cast) -> None:
    async with httpx.AsyncClient() as http:
        answered = await http.options(f"{cors_url}/graphql", headers=preflight(OTHER))
        posted = await http.post(
            f"{cors_url}/graphql",
            json={"query": "{ viewer { role } }"},
            headers={"Origin": OTHER, **cast.as_viewer.headers},
        )
    assert answered.status_code == 400
    assert "access-control-allow-origin" not in answered.headers
    assert "access-control-allow-origin" not in posted.headers


async def test_no_origin_is_allowed_by_default(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql", headers=preflight(ALLOWED))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_a_configured_origin_may_open_the_websocket_and_another_may_not(cors_url: str, cast: Cast) -> None:
    url = cors_url.replace("http", "ws") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"], origin=ALLOWED) as socket:  # type: ignore[list-item, arg-type]
        await socket.send(json.dumps({"type": "connection_init", "payload": cast.as_viewer.headers}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=["graphql-transport-ws"], origin=OTHER):  # type: ignore[list-item, arg-type]
            pass
    assert refused.value.response.status_code == 403


def test_the_vendored_libraries_are_what_their_manifest_records() -> None:
    checked = subprocess.run(
        [sys.executable, "scripts/vendor_assets.py", "--check"], cwd=REPOSITORY, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
