"""Configuration, read once from the environment into a frozen Settings."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from credithub.domain.deliveries import parse_schedule
from credithub.domain.errors import InvalidValue

# The waits before each retry of a push (Standard Webhooks' example, trimmed): about two days in all.
DEFAULT_PUSH_SCHEDULE = "1m,5m,30m,2h,6h,12h,24h"

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
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _positive_int(env: Mapping[str, str], name: str, default: int, *, least: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < least:
        raise SettingsError(f"{name} must be at least {least}, got {value}")
    return value


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated origins (scheme://host[:port]); unset or empty: none."""
    origins = tuple(part.strip().rstrip("/") for part in (env.get(name) or "").split(",") if part.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise SettingsError(f"{name} takes origins such as https://dashboard.example.com, got {origin!r}")
    return origins


def _schedule(env: Mapping[str, str], name: str, default: str) -> tuple[dt.timedelta, ...]:
    raw = env.get(name) or default
    try:
        return parse_schedule(raw)
    except InvalidValue as exc:
        raise SettingsError(f"{name}: {exc.message}") from None


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. See README "Configuration" for each variable."""

    database_url: str | None = None
    data_dir: Path = Path(".data")
    secret_key: str | None = None
    cache_url: str | None = None
    introspection: bool = True
    graphiql: bool = True
    pool_size: int = 10
    max_body_bytes: int = 1_048_576
    rate_limit: int = 100  # GraphQL requests per second per client and instance; 0: no limit
    rate_burst: int = 200  # how many a client may send at once before the rate applies
    log_level: str = "INFO"
    workers: bool = True
    objection_days: int = 15
    push_schedule: tuple[dt.timedelta, ...] = parse_schedule(DEFAULT_PUSH_SCHEDULE)
    platform_timeout: float = 15.0
    sync_interval: int = 300
    sync_page_size: int = 100
    pull_retry_seconds: float = 0.5  # first wait before re-asking a failing feed (doubles, 5 tries)
    demo: bool = False
    cors_origins: tuple[str, ...] = ()  # browser pages on these origins may call the API; none by default

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        secret_key = env.get("CREDITHUB_SECRET_KEY") or None
        if secret_key is not None and len(secret_key) < 32:
            raise SettingsError("CREDITHUB_SECRET_KEY must be at least 32 characters")
        return cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(env.get("CREDITHUB_DATA_DIR") or ".data"),
            secret_key=secret_key,
            cache_url=env.get("CACHE_URL") or None,
            introspection=_flag(env, "CREDITHUB_INTROSPECTION", True),
            graphiql=_flag(env, "CREDITHUB_GRAPHIQL", True),
            pool_size=_positive_int(env, "CREDITHUB_DB_POOL_SIZE", 10),
            max_body_bytes=_positive_int(env, "CREDITHUB_MAX_BODY_BYTES", 1_048_576),
            rate_limit=_positive_int(env, "CREDITHUB_RATE_LIMIT", 100, least=0),
            rate_burst=_positive_int(env, "CREDITHUB_RATE_BURST", 200),
            log_level=(env.get("CREDITHUB_LOG_LEVEL") or "INFO").upper(),
            workers=_flag(env, "CREDITHUB_WORKERS", True),
            objection_days=_positive_int(env, "CREDITHUB_OBJECTION_DAYS", 15),
            push_schedule=_schedule(env, "CREDITHUB_PUSH_SCHEDULE", DEFAULT_PUSH_SCHEDULE),
            platform_timeout=float(_positive_int(env, "CREDITHUB_PLATFORM_TIMEOUT", 15)),
            sync_interval=_positive_int(env, "CREDITHUB_SYNC_INTERVAL", 300),
            sync_page_size=_positive_int(env, "CREDITHUB_SYNC_PAGE_SIZE", 100),
            cors_origins=_origins(env, "CREDITHUB_CORS_ORIGINS"),
        )

    def with_changes(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]
