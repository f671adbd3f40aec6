"""The dashboard and GraphiQL pages, and the static files they load.

Every asset comes from the hub itself (`static/`: our scripts and styles, and `static/vendor/`,
the browser libraries written by `scripts/vendor_assets.py`), so both pages work on a machine
without internet. The pages carry no credit data: they ask for a token and then use the public
GraphQL API like any other client. Their Content-Security-Policy lets them load nothing and
connect nowhere but the hub.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
DASHBOARD_HTML: Final = STATIC_DIR / "dashboard" / "index.html"
GRAPHIQL_HTML: Final = STATIC_DIR / "graphiql" / "index.html"
INLINE_SCRIPT: Final = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL)

# Some systems' mime.types lack .mjs, and browsers refuse a module served as anything but JavaScript.
mimetypes.add_type("text/javascript", ".mjs")


def _script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def content_security_policy(html: str) -> str:
    """Only the hub's own scripts (and the page's inline ones, by hash), styles, fonts and API.
    Inline styles are allowed: GraphiQL's editor and the charts set them from script."""
    scripts = " ".join(["'self'", *(_script_hash(source) for source in INLINE_SCRIPT.findall(html))])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class Page:
    """An HTML page read once, served with its security headers."""

    def __init__(self, path: Path) -> None:
        self.html = path.read_text(encoding="utf-8")
        self.headers = {
            "Content-Security-Policy": content_security_policy(self.html),
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
        }

    def response(self) -> HTMLResponse:
        return HTMLResponse(self.html, headers=self.headers)


DASHBOARD: Final = Page(DASHBOARD_HTML)
GRAPHIQL: Final = Page(GRAPHIQL_HTML)


async def dashboard(request: Request) -> Response:
    return DASHBOARD.response()


async def home(request: Request) -> Response:
    return RedirectResponse("/dashboard")


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/dashboard", dashboard, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
