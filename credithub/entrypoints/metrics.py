"""Prometheus metrics at GET /metrics (prometheus-client).

Counted as work happens, at no per-field cost: HTTP requests by route and status (the request
middleware), GraphQL operations by name, type and outcome (a schema extension's `on_operation`,
once per operation; no `resolve` hook), webhook deliveries turned away by a full inbox. Read when
scraped: the backlogs of the inbox (and its limit), the status refresh queue and the outbox
(`db.operations`, partial indexes over live rows, under a short timeout and on a connection of
the pool only when one is free), live subscribers, pool use.

Each app has its own registry, so several apps in one process (tests) never share counters.

Several processes (`serve --workers N`): the supervisor sets PROMETHEUS_MULTIPROC_DIR, and
prometheus-client keeps each process's counters and histograms in files there; whichever
process answers the scrape adds them all up. The backlog is a collector, read fresh by the
answering process (the same database for all: never summed, never another process's stale
value), and each process samples its own pool and subscribers every few seconds (a `pid`
label per live process for the pool; subscribers summed).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Iterator
from typing import Final

import asyncpg
from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, values
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from credithub.db import operations as db_operations
from credithub.entrypoints.graphql_over_http import SERVER_CODES
from credithub.services.ports import Deps

BACKLOG_TIMEOUT_SECONDS: Final = 1.0
MAX_OPERATION_NAMES: Final = 200  # distinct names kept as labels; later ones count as "other"
_OPERATION_NAME: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MULTIPROCESS_DIR: Final = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess() -> bool:
    """Whether this process shares its metrics with others through PROMETHEUS_MULTIPROC_DIR."""
    return bool(os.environ.get(MULTIPROCESS_DIR))


logger = logging.getLogger(__name__)

_pid = os.getpid()


def _own_pid() -> int:
    """This process's id, from memory: prometheus-client asks for it on every change of a shared
    value (to notice a fork), and `os.getpid()` is a system call each time."""
    return _pid


def _forked() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_forked)
if multiprocess():  # values made from now on (every one of ours: Metrics() comes later) ask `_own_pid`
    values.ValueClass = values.MultiProcessValue(process_identifier=_own_pid)  # type: ignore[no-untyped-call]


class Metrics:
    """One app's metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.requests = Counter(
            "credithub_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=registry
        )
        self.request_seconds = Histogram(
            "credithub_http_request_duration_seconds",
            "Time to answer an HTTP request (to the end of the body)",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.operations = Counter(
            "credithub_graphql_operations",
            "GraphQL operations by operation name, type and outcome (ok, error, invalid, internal)",
            ["operation", "type", "outcome"],
            registry=registry,
        )
        self.operation_seconds = Histogram(
            "credithub_graphql_operation_duration_seconds",
            "Time to execute a GraphQL operation, by type",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.query_reads = Counter(
            "credithub_graphql_query_reads",
            "GraphQL queries over HTTP by the database they read from (with DATABASE_REPLICA_URL): replica or primary",
            ["source"],
            registry=registry,
        )
        self.inbox_limit = Gauge(
            "credithub_inbox_backlog_limit",
            "Events waiting beyond which webhooks are answered 429 (CREDITHUB_INBOX_BACKLOG_LIMIT; 0: none)",
            registry=registry,
            multiprocess_mode="max",
        )
        self.webhooks_deferred = Counter(
            "credithub_webhooks_deferred",
            "Webhook deliveries answered 429 with Retry-After because the inbox was full, per platform",
            ["platform"],
            registry=registry,
        )
        self.replica_lag = Gauge(
            "credithub_replica_lag_seconds",
            "How far behind the primary the replica was at its last check (-1: unknown or unreachable)",
            registry=registry,
            multiprocess_mode="liveall",
        )
        self.backlog = BacklogCollector()
        registry.register(self.backlog)
        self.subscribers = Gauge(
            "credithub_live_subscribers",
            "Open creditStatusChanged subscriptions on this instance",
            registry=registry,
            multiprocess_mode="livesum",
        )
        self.pool_size = Gauge(
            "credithub_db_pool_connections",
            "Connections the pool holds",
            registry=registry,
            multiprocess_mode="liveall",
        )
        self.pool_in_use = Gauge(
            "credithub_db_pool_in_use",
            "Connections checked out of the pool",
            registry=registry,
            multiprocess_mode="liveall",
        )
        self.pool_max = Gauge(
            "credithub_db_pool_max",
            "The most connections the pool may hold",
            registry=registry,
            multiprocess_mode="liveall",
        )
        self._operation_names: set[str] = set()
        # Bounded: methods and routes are few (unmatched paths share one label), statuses too.
        self._request_series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self._operation_series: dict[tuple[str | None, str, str], tuple[Counter, Histogram]] = {}

    def count_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One HTTP request answered. Each label set's counter and histogram are looked up once:
        `labels()` checks and joins its values on every call."""
        key = (method, route, status)
        found = self._request_series.get(key)
        if found is None:
            found = self._request_series[key] = (
                self.requests.labels(method, route, str(status)),
                self.request_seconds.labels(method, route),
            )
        counter, histogram = found
        counter.inc()
        histogram.observe(seconds)

    def count_operation(self, name: str | None, kind: str, ended: str, seconds: float) -> None:
        """One GraphQL operation ended, its series looked up once per name, type and outcome
        (as `count_request`'s). Names beyond the bounded set share the `other` series."""
        key = (name, kind, ended)
        found = self._operation_series.get(key)
        if found is None:
            label = self.operation_label(name)
            found = (self.operations.labels(label, kind, ended), self.operation_seconds.labels(kind))
            if label == name or not name:  # `other` is not kept per name: the map stays bounded
                self._operation_series[key] = found
        counter, histogram = found
        counter.inc()
        histogram.observe(seconds)

    def operation_label(self, name: str | None) -> str:
        """A bounded label for a client-chosen name: `anonymous`, the name, or `other`."""
        if not name:
            return "anonymous"
        if name in self._operation_names:
            return name
        if not _OPERATION_NAME.match(name) or len(self._operation_names) >= MAX_OPERATION_NAMES:
            return "other"
        self._operation_names.add(name)
        return name

    def read_process(self, deps: Deps) -> None:
        """This process's own gauges: its pool and its live subscribers."""
        pool = deps.pool
        size, idle = pool.get_size(), pool.get_idle_size()
        self.pool_size.set(size)
        self.pool_in_use.set(size - idle)
        self.pool_max.set(pool.get_max_size())
        self.subscribers.set(deps.feed.subscriber_count)
        self.inbox_limit.set(deps.settings.inbox_backlog_limit)
        if deps.replica_watch is not None:
            lag = deps.replica_watch.describe()["lag_seconds"]
            self.replica_lag.set(lag if isinstance(lag, float) else -1)

    async def read_backlog(self, deps: Deps) -> None:
        """The gauges read at scrape time. Never waits for a busy pool: a scrape that finds no
        free connection reports `credithub_backlog_readable 0` and the last values."""
        self.read_process(deps)
        pool = deps.pool
        if pool.get_idle_size() == 0 and pool.get_size() >= pool.get_max_size():
            self.backlog.readable = False
            return
        now = deps.clock.now()
        try:
            async with pool.acquire(timeout=BACKLOG_TIMEOUT_SECONDS) as conn:
                backlog = await db_operations.get_backlog(conn, now, seconds=BACKLOG_TIMEOUT_SECONDS)
                outbox = await db_operations.list_outbox_backlog(conn, now, seconds=BACKLOG_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            logger.warning("metrics: could not read the backlog: %s", exc)
            self.backlog.readable = False
            return
        self.backlog.readable = True
        self.backlog.queues = backlog
        self.backlog.outbox = outbox  # a platform with nothing left waiting drops out

    def exposition(self) -> bytes:
        """The text a scrape gets: this app's registry, or with several processes every
        process's counters, histograms and pool gauges plus this one's backlog read."""
        if not multiprocess():
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(self.backlog)
        return generate_latest(registry)


class BacklogCollector(Collector):
    """The queues as last read from the database at scrape time. The same for every process
    and instance (one database), so it is a collector: in multiprocess mode the answering
    process reports its own fresh read, never a sum or another process's old value."""

    def __init__(self) -> None:
        self.readable = False
        self.queues = db_operations.Backlog(0, 0.0, 0, 0, 0.0)
        self.outbox: list[db_operations.OutboxBacklog] = []

    def collect(self) -> Iterator[Metric]:
        queues = self.queues
        yield _gauge(
            "credithub_backlog_readable",
            "1 when the last scrape could read the queues from the database",
            self.readable,
        )
        yield _gauge("credithub_inbox_pending", "Webhook and pulled events not applied yet", queues.inbox_pending)
        yield _gauge(
            "credithub_inbox_lag_seconds",
            "Age of the oldest event not applied yet (0: none waits)",
            queues.inbox_lag_seconds,
        )
        yield _gauge("credithub_inbox_dead", "Events parked after failing", queues.inbox_dead)
        yield _gauge(
            "credithub_status_refresh_queued", "Subjects whose stored status waits for a refresh", queues.refresh_queued
        )
        yield _gauge(
            "credithub_status_refresh_lag_seconds",
            "Age of the oldest queued status refresh (0: none)",
            queues.refresh_lag_seconds,
        )
        for name, documentation, field in (
            ("credithub_outbox_depth", "Pushes waiting to be delivered, per platform", "depth"),
            ("credithub_outbox_oldest_seconds", "Age of the oldest undelivered push, per platform", "oldest_seconds"),
            ("credithub_outbox_dead", "Pushes parked after their last attempt, per platform", "dead"),
        ):
            family = GaugeMetricFamily(name, documentation, labels=["platform"])
            for row in self.outbox:
                family.add_metric([row.platform], float(getattr(row, field)))
            yield family


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=float(value))


async def endpoint(request: Request) -> Response:
    """GET /metrics in the Prometheus text format."""
    metrics: Metrics = request.app.state.metrics
    await metrics.read_backlog(request.app.state.deps)
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


def outcome(result: object, pre_execution_errors: list[GraphQLError] | None) -> str:
    """How an operation ended, for its counter: ok, error, invalid or internal."""
    errors = getattr(result, "errors", None) or pre_execution_errors or []
    if not errors:
        return "ok"
    if any((error.extensions or {}).get("code") in SERVER_CODES for error in errors):
        return "internal"  # ours: an unexpected failure, or an answer withheld for want of an audit trail
    if result is None or (getattr(result, "data", None) is None and not any(error.path for error in errors)):
        return "invalid"  # never executed: did not parse, validate or coerce
    return "error"


def count_operation(request: object, name: str | None, kind: str, ended: str, seconds: float) -> None:
    """One operation counted under its name, type and outcome, and named for the request's log line."""
    metrics: Metrics | None = getattr(getattr(getattr(request, "app", None), "state", None), "metrics", None)
    if metrics is None:
        return  # a schema run outside the app (tests, export-schema)
    metrics.count_operation(name, kind, ended, seconds)
    if isinstance(request, Request):
        request.state.graphql_operation = name or "anonymous"


class OperationMetrics(SchemaExtension):
    """Counts each GraphQL operation once, when it ends, and names it for the request's log line.
    Only `on_operation`: no per-field hook, so the hot path pays nothing per field."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        request = getattr(context.context, "request", None)
        if getattr(getattr(getattr(request, "app", None), "state", None), "metrics", None) is None:
            return  # a schema run outside the app (tests, export-schema)
        try:
            kind = context.operation_type.value
        except (RuntimeError, ValueError, GraphQLError):
            kind = "unknown"  # the document did not parse
        ended = outcome(context.result, context.pre_execution_errors)
        count_operation(request, context.operation_name, kind, ended, time.perf_counter() - started)
