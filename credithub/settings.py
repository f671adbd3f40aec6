"""Configuration, read once from the environment into a frozen Settings."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from credithub.domain.deliveries import parse_schedule
from credithub.domain.errors import InvalidValue

# The waits before each retry of a push (Standard Webhooks' example, trimmed): about two days in all.
DEFAULT_PUSH_SCHEDULE = "1m,5m,30m,2h,6h,12h,24h"

# The body that runs the inter-platform list: configuration, named by each deployment.
DEFAULT_JOINT_LIST_AUTHORITY = "平台间失信联合约束名单管理机构"

# The most a replica may lag and still serve reads. A client's last write is remembered for twice
# as long (entrypoints.client_gate.WRITE_MARK_SECONDS): a replica allowed to serve has replayed it.
MAX_REPLICA_LAG = 30

# Whole seconds a duration setting may hold: PostgreSQL takes the statement timeouts in
# milliseconds up to 2^31 - 1 (about 24.8 days; the idle-in-transaction one is a minute longer).
MOST_SECONDS = 2_000_000
# Deadlines in days and retention in months: a century is far beyond any rule and far from the
# year 9999 the date arithmetic stops at.
MOST_DAYS = 36_500
MOST_MONTHS = 1_200
# Connections per pool: asyncpg sets aside a slot for each one a pool may open.
MOST_CONNECTIONS = 1_000
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(Exception):
    """An environment variable holds a value the hub cannot use; the message names it."""


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise SettingsError(f"{name} must be true or false (also 1/0, yes/no, on/off), got {raw!r}")


def _positive_int(env: Mapping[str, str], name: str, default: int, *, least: int = 1, most: int | None = None) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    accepted = f"a whole number from {least} to {most}" if most is not None else f"a whole number, at least {least}"
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be {accepted}, got {raw!r}") from None
    if value < least or (most is not None and value > most):
        raise SettingsError(f"{name} must be {accepted}, got {raw!r}")
    return value


def _log_level(env: Mapping[str, str], default: str) -> str:
    raw = env.get("CREDITHUB_LOG_LEVEL") or default
    level = raw.strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"CREDITHUB_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {raw!r}")
    return level


def _database_url(env: Mapping[str, str], name: str = "DATABASE_URL") -> str | None:
    raw = env.get(name) or None
    if raw is None:
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - parsing the port is the check: "host:notaport" raises here
    except ValueError as exc:
        raise SettingsError(f"{name} is not a valid URL: {exc}") from None
    if parts.scheme not in ("postgresql", "postgres"):
        # Only the scheme is repeated: the rest may hold a password.
        raise SettingsError(
            f"{name} must look like postgresql://user@host:5432/database, got a {parts.scheme or 'scheme-less'} URL"
        )
    return raw


def _cache_url(env: Mapping[str, str]) -> str | None:
    """CACHE_URL: a Redis (what cache.create_cache can open); the URL is not repeated, it may hold a password."""
    raw = env.get("CACHE_URL") or None
    if raw is None:
        return None
    accepted = "CACHE_URL must look like redis://host:6379/0"
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - parsing the port is the check: "host:notaport" raises here
    except ValueError as exc:
        raise SettingsError(f"{accepted}: {exc}") from None
    if parts.scheme != "redis":
        raise SettingsError(f"{accepted}, got a {parts.scheme or 'scheme-less'} URL")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise SettingsError(f"{accepted}: the database after the host is a number, got {database!r}")
    return raw


def _report_key(env: Mapping[str, str]) -> str | None:
    """CREDITHUB_REPORT_KEY, parsed once here so a bad one stops a command before it starts the database."""
    raw = env.get("CREDITHUB_REPORT_KEY") or None
    if raw is None:
        return None
    from credithub.report_keys import parse_private_key  # cryptography: only when a key is given

    try:
        parse_private_key(raw)
    except ValueError as exc:
        # The key is a secret: only the reason is said, never the value.
        reason = str(exc).removeprefix("the report key is not an Ed25519 private key (PEM or base64 seed): ")
        raise SettingsError(
            f"CREDITHUB_REPORT_KEY must be an Ed25519 private key (PEM, or the base64 of its 32-byte seed): "
            f"{reason} (the value is not shown)"
        ) from None
    return raw


def _replica_url(env: Mapping[str, str], database_url: str | None) -> str | None:
    """A streaming replica of DATABASE_URL's server; the embedded server has none."""
    replica_url = _database_url(env, "DATABASE_REPLICA_URL")
    if replica_url is not None and database_url is None:
        raise SettingsError("DATABASE_REPLICA_URL needs DATABASE_URL: it names a replica of that server")
    return replica_url


def _log_format(env: Mapping[str, str], default: str) -> str:
    raw = env.get("CREDITHUB_LOG_FORMAT") or default
    fmt = raw.strip().lower()
    if fmt not in LOG_FORMATS:
        raise SettingsError(f"CREDITHUB_LOG_FORMAT must be json or console, got {raw!r}")
    return fmt


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port]); unset or empty: none."""
    origins = tuple(part.strip().rstrip("/") for part in (env.get(name) or "").split(",") if part.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise SettingsError(f"{name} takes origins such as https://dashboard.example.com, got {origin!r}")
    return origins


def _seconds(env: Mapping[str, str], name: str, default: float, *, most: int = MOST_SECONDS) -> float:
    """A whole number of seconds (1 to `most`) from the environment, or `default`."""
    raw = env.get(name)
    return default if raw is None or raw == "" else float(_positive_int(env, name, 1, most=most))


def _max_lag(env: Mapping[str, str], default: float) -> float:
    """CREDITHUB_REPLICA_MAX_LAG: whole seconds, 1 to MAX_REPLICA_LAG."""
    return _seconds(env, "CREDITHUB_REPLICA_MAX_LAG", default, most=MAX_REPLICA_LAG)


def _schedule(env: Mapping[str, str], name: str, default: str) -> tuple[dt.timedelta, ...]:
    raw = env.get(name) or default
    try:
        return parse_schedule(raw)
    except InvalidValue as exc:
        raise SettingsError(f"{name}: {exc.message}") from None


def tracing_enabled(env: Mapping[str, str]) -> bool:
    """Whether the standard OpenTelemetry variables ask for traces (docs/operations.md)."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


LOG_FORMATS = frozenset({"json", "console"})
# What one `serve` process does: everything, the request-serving part, or the background work.
ROLES = ("all", "api", "workers")
# Set by `serve --workers N` for its children (not by operators): the file of rate-limit buckets
# its processes share (entrypoints/host_buckets.py).
HOST_RATE_TABLE_ENV = "CREDITHUB_HOST_RATE_TABLE"


def _role(env: Mapping[str, str]) -> tuple[str, bool]:
    """CREDITHUB_ROLE and the older CREDITHUB_WORKERS, as (role, run background workers).
    CREDITHUB_WORKERS=false alone means `api`; contradicting an explicit role is an error."""
    given = env.get("CREDITHUB_ROLE") or ""
    raw = given.strip().lower()
    if raw and raw not in ROLES:
        raise SettingsError(f"CREDITHUB_ROLE must be all, api or workers, got {given!r}")
    workers = _flag(env, "CREDITHUB_WORKERS", True)
    if workers:
        return raw or "all", raw != "api"
    if raw in ("all", "workers"):
        raise SettingsError(f"CREDITHUB_WORKERS=false contradicts CREDITHUB_ROLE={raw}: set only CREDITHUB_ROLE")
    return "api", False


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. See README "Configuration" for each variable."""

    database_url: str | None = None
    replica_url: str | None = None  # a streaming replica of database_url: reads that tolerate lag go there
    replica_max_lag: float = 5.0  # seconds the replica may be behind and still serve those reads
    data_dir: Path = Path(".data")
    secret_key: str | None = None
    report_key: str | None = None  # Ed25519 private key signing credit reports (PEM or base64 seed)
    cache_url: str | None = None
    status_cache_entries: int = 20_000  # computed statuses kept in memory per instance (without CACHE_URL)
    introspection: bool = True
    graphiql: bool = True
    pool_size: int = 10  # GraphQL's connections per instance
    ingest_pool_size: int = 3  # webhook ingest's own connections
    worker_pool_size: int = 6  # the background workers' (and CLI commands') own connections
    api_statement_timeout: float = 5.0  # seconds a GraphQL statement may run
    ingest_statement_timeout: float = 2.0  # seconds a webhook's statement may run
    worker_statement_timeout: float = 120.0  # seconds a background or CLI statement may run
    client_concurrency: int = 4  # GraphQL requests one client may have in flight per instance
    max_query_cost: int = 5000  # objects one GraphQL request may ask for (lists counted by size)
    max_body_bytes: int = 1_048_576
    rate_limit: int = 100  # GraphQL requests per second per client and instance; 0: no limit
    rate_burst: int = 200  # how many a client may send at once before the rate applies
    max_subscriptions: int = 20  # live subscriptions per client and instance (and per WebSocket)
    inbox_backlog_limit: int = 20_000  # events waiting in the inbox beyond which webhooks get 429; 0: no limit
    log_level: str = "INFO"
    log_format: str = "json"  # or "console"
    tracing: bool = False  # OpenTelemetry, from the standard OTEL_* variables
    workers: bool = True  # background workers in this process, unless its role is `api`
    role: str = "all"  # all | api (GraphQL, webhooks, pages) | workers (background work and health)
    serve_workers: int | None = None  # request-serving processes of `serve`; None: one per core
    host_rate_table: Path | None = None  # set by `serve --workers N` for its processes: rate limits they share
    objection_days: int = 15
    defence_days: int = 10  # days a subject has to state its defence against a listing proposal
    execution_days: int = 3  # days a platform has to report a mandatory flag applied (executionGaps)
    audit_retention_months: int = 36  # whole months of audit rows `audit archive` never removes
    joint_list_authority: str = DEFAULT_JOINT_LIST_AUTHORITY  # the body that decides JOINT_CONSTRAINT entries
    push_schedule: tuple[dt.timedelta, ...] = parse_schedule(DEFAULT_PUSH_SCHEDULE)
    platform_timeout: float = 15.0
    sync_interval: int = 300
    sync_page_size: int = 100
    pull_retry_seconds: float = 0.5  # first wait before re-asking a failing feed (doubles, 5 tries)
    demo: bool = False
    cors_origins: tuple[str, ...] = ()  # browser pages on these origins may call the API; none by default
    # JSON POSTs to /graphql and webhook deliveries answered by entrypoints.direct (false: all by the stack)
    graphql_direct: bool = True

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        secret_key = env.get("CREDITHUB_SECRET_KEY") or None
        if secret_key is not None and len(secret_key) < 32:
            # The key itself is not repeated: error output ends up in logs.
            raise SettingsError(
                f"CREDITHUB_SECRET_KEY must be at least 32 characters, got {len(secret_key)} (not shown)"
            )
        database_url = _database_url(env)
        role, workers = _role(env)
        serve_workers = _positive_int(env, "CREDITHUB_SERVE_WORKERS", 0) or None
        defaults = cls()
        return cls(
            database_url=database_url,
            replica_url=_replica_url(env, database_url),
            replica_max_lag=_max_lag(env, defaults.replica_max_lag),
            data_dir=Path(env.get("CREDITHUB_DATA_DIR") or defaults.data_dir),
            secret_key=secret_key,
            report_key=_report_key(env),
            cache_url=_cache_url(env),
            status_cache_entries=_positive_int(env, "CREDITHUB_STATUS_CACHE_ENTRIES", defaults.status_cache_entries),
            introspection=_flag(env, "CREDITHUB_INTROSPECTION", defaults.introspection),
            graphiql=_flag(env, "CREDITHUB_GRAPHIQL", defaults.graphiql),
            pool_size=_positive_int(env, "CREDITHUB_DB_POOL_SIZE", defaults.pool_size, most=MOST_CONNECTIONS),
            ingest_pool_size=_positive_int(
                env, "CREDITHUB_INGEST_POOL_SIZE", defaults.ingest_pool_size, most=MOST_CONNECTIONS
            ),
            worker_pool_size=_positive_int(
                env, "CREDITHUB_WORKER_POOL_SIZE", defaults.worker_pool_size, most=MOST_CONNECTIONS
            ),
            api_statement_timeout=_seconds(env, "CREDITHUB_API_STATEMENT_TIMEOUT", defaults.api_statement_timeout),
            ingest_statement_timeout=_seconds(
                env, "CREDITHUB_INGEST_STATEMENT_TIMEOUT", defaults.ingest_statement_timeout
            ),
            worker_statement_timeout=_seconds(
                env, "CREDITHUB_WORKER_STATEMENT_TIMEOUT", defaults.worker_statement_timeout
            ),
            client_concurrency=_positive_int(env, "CREDITHUB_CLIENT_CONCURRENCY", defaults.client_concurrency, least=0),
            max_query_cost=_positive_int(env, "CREDITHUB_MAX_QUERY_COST", defaults.max_query_cost),
            max_body_bytes=_positive_int(env, "CREDITHUB_MAX_BODY_BYTES", defaults.max_body_bytes),
            rate_limit=_positive_int(env, "CREDITHUB_RATE_LIMIT", defaults.rate_limit, least=0),
            rate_burst=_positive_int(env, "CREDITHUB_RATE_BURST", defaults.rate_burst),
            max_subscriptions=_positive_int(env, "CREDITHUB_MAX_SUBSCRIPTIONS", defaults.max_subscriptions),
            inbox_backlog_limit=_positive_int(
                env, "CREDITHUB_INBOX_BACKLOG_LIMIT", defaults.inbox_backlog_limit, least=0
            ),
            log_level=_log_level(env, defaults.log_level),
            log_format=_log_format(env, defaults.log_format),
            tracing=tracing_enabled(env),
            graphql_direct=_flag(env, "CREDITHUB_GRAPHQL_DIRECT", defaults.graphql_direct),
            workers=workers,
            role=role,
            serve_workers=serve_workers,
            host_rate_table=Path(env[HOST_RATE_TABLE_ENV]) if env.get(HOST_RATE_TABLE_ENV) else None,
            objection_days=_positive_int(env, "CREDITHUB_OBJECTION_DAYS", defaults.objection_days, most=MOST_DAYS),
            defence_days=_positive_int(env, "CREDITHUB_DEFENCE_DAYS", defaults.defence_days, least=0, most=MOST_DAYS),
            execution_days=_positive_int(
                env, "CREDITHUB_EXECUTION_DAYS", defaults.execution_days, least=0, most=MOST_DAYS
            ),
            audit_retention_months=_positive_int(
                env, "CREDITHUB_AUDIT_RETENTION_MONTHS", defaults.audit_retention_months, most=MOST_MONTHS
            ),
            joint_list_authority=(env.get("CREDITHUB_JOINT_LIST_AUTHORITY") or DEFAULT_JOINT_LIST_AUTHORITY).strip(),
            push_schedule=_schedule(env, "CREDITHUB_PUSH_SCHEDULE", DEFAULT_PUSH_SCHEDULE),
            platform_timeout=_seconds(env, "CREDITHUB_PLATFORM_TIMEOUT", defaults.platform_timeout),
            sync_interval=_positive_int(env, "CREDITHUB_SYNC_INTERVAL", defaults.sync_interval, most=MOST_SECONDS),
            sync_page_size=_positive_int(env, "CREDITHUB_SYNC_PAGE_SIZE", defaults.sync_page_size),
            cors_origins=_origins(env, "CREDITHUB_CORS_ORIGINS"),
        )

    def with_changes(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @property
    def serves_api(self) -> bool:
        """GraphQL, webhooks, the report key and the pages are served (every role but `workers`)."""
        return self.role != "workers"

    @property
    def runs_workers(self) -> bool:
        """The inbox processor, status refresher, push dispatcher and platform puller run here."""
        return self.workers and self.role != "api"

    @property
    def acting_role(self) -> str:
        """What this process does, as /readyz says it: `all`, `api` or `workers`."""
        if not self.serves_api:
            return "workers"
        return "all" if self.runs_workers else "api"
