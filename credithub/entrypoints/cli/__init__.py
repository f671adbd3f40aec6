"""`python -m credithub <command>`: serve, migrate, register platforms and clients, export the schema.

Every command works against the same database as `serve` (DATABASE_URL, or the embedded
server in CREDITHUB_DATA_DIR), also while `serve` runs. Commands that create credentials
print exactly one JSON object on stdout; logs go to stderr.

This module builds the parser and runs a command, turning what it raises into an exit code
(common.py); each command lives with its group's in a module of this package. What a command
needs beyond them is imported when it runs, so `--help` stays quick.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import asyncpg
import httpx

from credithub import bootstrap
from credithub.domain.errors import DomainError
from credithub.entrypoints import logs
from credithub.entrypoints.cli import (
    audit,
    clients,
    imports,
    local_loop,
    platforms,
    queues,
    reports,
    schema,
    serve,
    statuses,
    sync,
)
from credithub.entrypoints.cli.common import (
    EXIT_KEY_MISMATCH,
    EXIT_REFUSED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    UNREACHABLE,
    fail,
)
from credithub.entrypoints.cli.schema import SCHEMA_PATH
from credithub.settings import Settings, SettingsError

__all__ = ["SCHEMA_PATH", "build_parser", "main"]

PYPROJECT: Final = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _version() -> str:
    with PYPROJECT.open("rb") as handle:
        version: str = tomllib.load(handle)["project"]["version"]
    return version


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m credithub",
        description="Platform Credit Hub. Every command uses DATABASE_URL, or the embedded database in "
        "CREDITHUB_DATA_DIR, like serve. Exit codes: 0 done, 1 refused (bad input, unknown id), 2 usage or "
        "configuration, 3 database or hub unreachable, 4 key mismatch.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve.add_parsers(commands)  # serve, migrate
    platforms.add_parsers(commands)
    queues.add_inbox_parsers(commands)
    clients.add_parsers(commands)
    sync.add_parsers(commands)
    queues.add_outbox_parsers(commands)
    local_loop.add_parsers(commands)  # simulate, trigger, listen
    imports.add_parsers(commands)
    reports.add_parsers(commands)
    statuses.add_parsers(commands)
    queues.add_parked_parsers(commands)
    audit.add_parsers(commands)
    schema.add_parsers(commands)
    return parser


def _where(settings: Settings) -> str:
    """The database as a person would name it, without its password."""
    if settings.database_url is None:
        return f"the embedded database in {settings.data_dir}"
    parts = urlsplit(settings.database_url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(EXIT_USAGE, f"configuration error: {exc}")
    logs.configure(settings.log_level, fmt=settings.log_format)
    try:
        args.handler(args, settings)
    except bootstrap.KeyMismatch as exc:
        fail(EXIT_KEY_MISMATCH, f"error: {exc}")
    except DomainError as exc:
        fail(EXIT_REFUSED, f"error: {exc}")
    except asyncpg.ClientConfigurationError as exc:
        fail(EXIT_USAGE, f"configuration error: DATABASE_URL: {exc}")
    except UNREACHABLE as exc:
        fail(EXIT_UNREACHABLE, f"error: cannot reach {_where(settings)}: {exc or type(exc).__name__}")
    except httpx.TransportError as exc:
        fail(EXIT_UNREACHABLE, f"error: cannot reach {exc.request.url}: {exc or type(exc).__name__}")
    except KeyboardInterrupt:
        sys.exit(130)
