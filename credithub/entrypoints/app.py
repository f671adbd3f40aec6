"""create_app(settings) → the Starlette application: GraphQL, health, and (later) webhooks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute

from credithub import bootstrap
from credithub.entrypoints import graphql, workers
from credithub.entrypoints.auth import BearerAuth
from credithub.entrypoints.logs import RequestLog
from credithub.services import demo
from credithub.services.ports import Deps
from credithub.settings import Settings

HEALTH_TIMEOUT_SECONDS: Final = 2.0

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
async def background_workers(deps: Deps) -> AsyncIterator[None]:
    """The status refresher (CREDITHUB_WORKERS=false runs none), stopped cleanly on shutdown."""
    if not deps.settings.workers:
        yield
        return
    stop = asyncio.Event()
    task = asyncio.create_task(workers.run_status_refresher(deps, stop), name="status-refresher")
    try:
        yield
    finally:
        stop.set()
        await task


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> Starlette:
    """The whole service. Pass `deps` to run on dependencies the caller manages (tests)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if deps is not None:
            app.state.deps = deps
            yield
            return
        async with bootstrap.open_deps(settings) as opened:
            if settings.demo:
                await demo.prepare_demo(opened)
            app.state.deps = opened
            async with background_workers(opened):
                logger.info("credithub is ready")
                yield

    view = graphql.make_view(introspection=settings.introspection, graphiql=settings.graphiql)
    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", BearerAuth(view), methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", view),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestLog)])
