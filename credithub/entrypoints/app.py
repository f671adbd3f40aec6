"""create_app(settings) → the Starlette application: GraphQL, webhooks, health, background workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from credithub import bootstrap
from credithub.entrypoints import graphql, pages, webhooks, workers
from credithub.entrypoints.auth import BearerAuth, RateLimiter
from credithub.entrypoints.http_errors import EXCEPTION_HANDLERS
from credithub.entrypoints.logs import RequestLog
from credithub.services import demo
from credithub.services.ports import Deps
from credithub.settings import Settings

HEALTH_TIMEOUT_SECONDS: Final = 2.0
CORS_MAX_AGE_SECONDS: Final = 600

logger = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    """200 once the service is up and its database answers; 503 otherwise."""
    deps: Deps = request.app.state.deps
    try:
        await deps.pool.fetchval("SELECT 1", timeout=HEALTH_TIMEOUT_SECONDS)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@asynccontextmanager
async def background_workers(deps: Deps, inbox_wakeup: asyncio.Event, *, enabled: bool) -> AsyncIterator[None]:
    """The inbox processor, the status refresher, the push dispatcher and the platform puller
    (CREDITHUB_WORKERS=false runs none), stopped cleanly on shutdown: an event being applied
    finishes or rolls back, never half-applies; a push in flight finishes or is sent again."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(workers.run_inbox_processor(deps, stop, inbox_wakeup), name="inbox-processor"),
        asyncio.create_task(workers.run_status_refresher(deps, stop), name="status-refresher"),
        asyncio.create_task(workers.run_push_dispatcher(deps, stop), name="push-dispatcher"),
        asyncio.create_task(workers.run_platform_puller(deps, stop), name="platform-puller"),
    ]
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks)


def cors(origins: tuple[str, ...]) -> Middleware:
    """Browser pages on the configured origins may call the API (none by default). Outermost, so
    that a 401 or 429 reaches such a page readable: a dashboard must see why it was refused."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "content-type"],
        expose_headers=["retry-after"],
        max_age=CORS_MAX_AGE_SECONDS,
    )


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> Starlette:
    """The whole service. Pass `deps` to run on dependencies the caller manages (tests)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if deps is not None:
            app.state.deps = deps
            async with background_workers(deps, app.state.inbox_wakeup, enabled=settings.workers):
                yield
            return
        async with bootstrap.open_deps(settings) as opened:
            if settings.demo:
                await demo.prepare_demo(opened)
            app.state.deps = opened
            async with background_workers(opened, app.state.inbox_wakeup, enabled=settings.workers):
                logger.info("credithub is ready")
                yield

    view = graphql.make_view(
        introspection=settings.introspection, graphiql=settings.graphiql, allowed_origins=settings.cors_origins
    )
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/webhooks/{platform}", webhooks.receive, methods=["POST"]),
        Route("/graphql", BearerAuth(view), methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", view),
        *pages.routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[cors(settings.cors_origins), Middleware(RequestLog)],
        exception_handlers=EXCEPTION_HANDLERS,
        max_body_size=settings.max_body_bytes,  # webhooks are verified on the whole body: bound it
    )
    app.state.inbox_wakeup = asyncio.Event()
    app.state.rate_limiter = RateLimiter(settings.rate_limit, settings.rate_burst)
    return app
