"""create_app(settings) → the Starlette application: GraphQL, webhooks, health, metrics, background workers.

Its role (Settings.role) decides which: `all` everything, `api` all but the background workers,
`workers` the background workers with /healthz, /readyz and /metrics only."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import asyncpg
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from credithub import bootstrap
from credithub.entrypoints import graphql, logs, metrics, pages, tracing, webhooks, workers
from credithub.entrypoints.auth import BearerAuth, InFlight
from credithub.entrypoints.bodies import GraphQLBodyCheck
from credithub.entrypoints.client_gate import ClientGate
from credithub.entrypoints.direct import WEBHOOK_ROUTE, DirectPath
from credithub.entrypoints.http_errors import EXCEPTION_HANDLERS
from credithub.entrypoints.logs import RequestLog
from credithub.services import demo
from credithub.services.ports import Deps
from credithub.settings import Settings

HEALTH_TIMEOUT_SECONDS: Final = 2.0
CORS_MAX_AGE_SECONDS: Final = 600
SAMPLE_SECONDS: Final = 5.0  # how often a process updates its own gauges when several share /metrics
# Collect the youngest generation every 10,000 net allocations instead of 700: a request's garbage
# is collected in a few larger passes rather than one every few requests (bench/RESULTS.md).
GC_GEN0_THRESHOLD: Final = 10_000

logger = logging.getLogger(__name__)


async def report_key(request: Request) -> JSONResponse:
    """The public key credit reports are signed with, for verifying them offline (no token needed)."""
    deps: Deps = request.app.state.deps
    return JSONResponse(deps.reports.public_json(), headers={"cache-control": "public, max-age=300"})


async def healthz(request: Request) -> JSONResponse:
    """200 once the service is up and its database answers; 503 otherwise — within about a
    second whatever else is going on (the check has a connection of its own)."""
    deps: Deps = request.app.state.deps.for_work("health")
    if await _database_answers(deps):
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "unavailable"}, status_code=503)


async def readyz(request: Request) -> JSONResponse:
    """Whether this instance should get traffic, and what is wrong if not: the database (503
    if it does not answer), the cache (degraded: the hub serves without it), the revocation
    listener where the API is served, the replica (degraded: reads go to the primary), the
    background workers where they run (503 if one stopped) and their inbox processor's LISTEN
    connection (degraded: accepted events wait for its next poll). It names the process's role
    and pid: `serve --workers N` runs several."""
    settings: Settings = request.app.state.settings
    deps: Deps = request.app.state.deps.for_work("health")
    database = "ok" if await _database_answers(deps) else "unavailable"
    cache = await deps.cache.check()
    replica = deps.replica_watch.describe() if deps.replica_watch is not None else {"status": "none"}
    tasks: dict[str, asyncio.Task[None]] = request.app.state.worker_tasks
    workers = {name: "stopped" if task.done() else "running" for name, task in tasks.items()}
    body: dict[str, object] = {"role": settings.acting_role, "pid": os.getpid(), "database": database, "cache": cache}
    listening = True
    if settings.serves_api:
        listening = deps.tokens.listening
        body["revocations"] = "listening" if listening else "not listening"
    body["replica"] = replica
    body["workers"] = workers
    notices = deps.inbox_notices
    if "inbox-processor" in workers and notices is not None and notices.listens:
        listening = listening and notices.listening
        body["inbox"] = "listening" if notices.listening else "polling"
    if database != "ok" or "stopped" in workers.values():
        status, code = "unavailable", 503
    elif cache == "degraded" or not listening or replica["status"] not in ("ok", "none"):
        status, code = "degraded", 200
    else:
        status, code = "ready", 200
    return JSONResponse({"status": status, **body}, status_code=code)


async def _database_answers(deps: Deps) -> bool:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            async with deps.pool.acquire() as conn:
                await conn.fetchval("SELECT 1")
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        logger.warning("health check: database unavailable: %s", exc)
        return False
    return True


def settle_heap() -> None:
    """Once the service has started: what is alive now (modules, the schema, pools, the catalog)
    lives as long as the process, so it is taken out of the garbage collector's sight
    (`gc.freeze`); full collections then walk only what requests leave behind, and stop pausing
    every request in flight for the time it takes to walk the whole heap."""
    gc.collect()
    gc.freeze()
    _, *older = gc.get_threshold()
    gc.set_threshold(GC_GEN0_THRESHOLD, *older)


@asynccontextmanager
async def background_workers(
    deps: Deps, inbox_wakeup: asyncio.Event, tasks: dict[str, asyncio.Task[None]], *, enabled: bool
) -> AsyncIterator[None]:
    """The inbox processor, the status refresher, the push dispatcher, the platform puller and the
    audit partitioner (none in a process of role `api`), stopped cleanly on shutdown: an event
    being applied finishes or rolls back, never half-applies; a push in flight finishes or is sent
    again."""
    if not enabled:
        yield
        return
    stop = asyncio.Event()
    deps = deps.for_work("workers")
    tasks.update(
        (name, asyncio.create_task(run, name=name))
        for name, run in (
            ("inbox-processor", workers.run_inbox_processor(deps, stop, inbox_wakeup)),
            ("status-refresher", workers.run_status_refresher(deps, stop)),
            ("push-dispatcher", workers.run_push_dispatcher(deps, stop)),
            ("platform-puller", workers.run_platform_puller(deps, stop)),
            ("audit-partitioner", workers.run_audit_partitioner(deps, stop)),
        )
    )
    try:
        yield
    finally:
        stop.set()
        await asyncio.gather(*tasks.values())


@asynccontextmanager
async def watching_revocations(deps: Deps, *, enabled: bool = True) -> AsyncIterator[None]:
    """Listen for revoked clients while serving: a revoked token stops working on this instance
    at once (until then, or while not listening, every request asks the database). A process
    that serves no API (role `workers`) has no tokens to check."""
    if not enabled:
        yield
        return
    started = await deps.tokens.start()
    if deps.replica_watch is not None:
        await deps.replica_watch.start()  # once started, it runs until its Deps close
    try:
        yield
    finally:
        if started:  # two apps may share one Deps (tests): the first one to start it stops it
            await deps.tokens.close()


@asynccontextmanager
async def sampling_own_gauges(app: Starlette) -> AsyncIterator[None]:
    """With several processes behind one /metrics, a scrape reaches only one of them: each
    process then writes its own pool and subscriber gauges every few seconds."""
    if not metrics.multiprocess():
        yield
        return

    async def sample() -> None:
        while True:
            app.state.metrics.read_process(app.state.deps)
            await asyncio.sleep(SAMPLE_SECONDS)

    task = asyncio.create_task(sample(), name="metrics-sampler")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def cors(origins: tuple[str, ...]) -> Middleware:
    """Browser pages on the configured origins may call the API (none by default). Outermost, so
    that a 401 or 429 reaches such a page readable: a dashboard must see why it was refused."""
    return Middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "content-type", "credit-purpose", "x-request-id"],
        expose_headers=["retry-after", "x-request-id"],
        max_age=CORS_MAX_AGE_SECONDS,
    )


def graphql_view(settings: Settings) -> graphql.GraphQLView:
    return graphql.make_view(
        introspection=settings.introspection,
        graphiql=settings.graphiql,
        max_subscriptions=settings.max_subscriptions,
        max_cost=settings.max_query_cost,
        allowed_origins=settings.cors_origins,
        read_routing=settings.replica_url is not None,
    )


def api_routes(view: graphql.GraphQLView) -> list[BaseRoute]:
    """GraphQL over HTTP and WebSocket, webhooks, the report key and the pages."""
    return [
        Route("/.well-known/credithub-report-key", report_key, methods=["GET"]),
        WEBHOOK_ROUTE,  # POST /webhooks/{platform}: webhooks.receive, also on the direct path
        Route("/graphql", BearerAuth(GraphQLBodyCheck(view)), methods=["GET", "POST", "OPTIONS"]),
        WebSocketRoute("/graphql", view),
        *pages.routes(),
    ]


class CreditHub(Starlette):
    """The application: the requests its direct path takes (`entrypoints.direct`: a program's JSON
    POST to /graphql or webhook delivery, nearly all the traffic) go there before the middleware
    stack, everything else through it."""

    direct: DirectPath | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        direct = self.direct
        if direct is not None and direct.takes(scope):
            scope["app"] = self
            await direct(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, *, deps: Deps | None = None) -> CreditHub:
    """The whole service. Pass `deps` to run on dependencies the caller manages (tests)."""
    settings = settings or Settings.from_env()
    logs.route_through_stdlib()
    provider = tracing.start(os.environ) if settings.tracing else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            async with _serving(app):
                yield
        finally:
            await app.state.client_gate.close()
            if provider is not None:
                tracing.stop(provider)

    @asynccontextmanager
    async def _serving(app: Starlette) -> AsyncIterator[None]:
        if deps is not None:
            app.state.deps = deps
            async with _running(app, deps):
                yield
            return
        async with bootstrap.open_deps(settings) as opened:
            if settings.demo:
                await demo.prepare_demo(opened)
            app.state.deps = opened
            async with _running(app, opened):
                settle_heap()
                logger.info("credithub is ready (role %s)", settings.acting_role)
                yield

    @asynccontextmanager
    async def _running(app: Starlette, deps: Deps) -> AsyncIterator[None]:
        async with (
            watching_revocations(deps, enabled=settings.serves_api),
            background_workers(deps, app.state.inbox_wakeup, app.state.worker_tasks, enabled=settings.runs_workers),
            sampling_own_gauges(app),
        ):
            yield

    app_metrics = metrics.Metrics()
    routes: list[BaseRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics.endpoint, methods=["GET"]),
    ]
    view = graphql_view(settings) if settings.serves_api else None
    if view is not None:
        routes += api_routes(view)
    app = CreditHub(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            cors(settings.cors_origins),
            *([tracing.middleware(provider)] if provider is not None else []),
            Middleware(RequestLog, metrics=app_metrics),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        max_body_size=settings.max_body_bytes,  # webhooks are verified on the whole body: bound it
    )
    app.state.settings = settings
    app.state.inbox_wakeup = asyncio.Event()
    app.state.inbox_gate = webhooks.InboxGate(settings.inbox_backlog_limit)
    app.state.worker_tasks = {}
    app.state.metrics = app_metrics
    app.state.client_gate = ClientGate(
        settings.rate_limit,
        settings.rate_burst,
        settings.cache_url,
        track_writes=settings.replica_url is not None,
        host_table=settings.host_rate_table,
    )
    app.state.in_flight = InFlight(settings.client_concurrency)
    if view is not None and settings.graphql_direct and provider is None:
        app.direct = DirectPath(
            view,
            app_metrics,
            app.exception_handlers,
            max_body_bytes=settings.max_body_bytes,
            max_cost=settings.max_query_cost,
            introspection=settings.introspection,
        )
    return app
