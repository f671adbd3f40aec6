"""What every command of `python -m credithub` shares: exit codes, JSON output, running with the deps."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Final, NoReturn

import asyncpg

from credithub import bootstrap
from credithub.services.ports import Deps
from credithub.settings import Settings

EXIT_REFUSED: Final = 1  # bad input, an unknown id, a refusal by the hub
EXIT_USAGE: Final = 2  # argparse's own code for usage errors; also bad configuration
EXIT_UNREACHABLE: Final = 3  # the database (or, for trigger, the hub) cannot be reached
EXIT_KEY_MISMATCH: Final = 4  # CREDITHUB_SECRET_KEY is not the key the database was filled with
# What connecting to a database that is not there raises (not a bug in a command: said in one line).
UNREACHABLE: Final = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.InvalidAuthorizationSpecificationError,
    asyncpg.InvalidCatalogNameError,
    asyncpg.ConnectionDoesNotExistError,
)


def print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def run_with_deps(settings: Settings, action: Callable[[Deps], Awaitable[dict[str, Any] | None]]) -> None:
    async def run() -> None:
        async with bootstrap.open_deps(settings) as deps:
            result = await action(deps)
        if result is not None:
            print_json(result)

    asyncio.run(run())


def fail(code: int, message: str) -> NoReturn:
    print(message.splitlines()[0] if message else "error", file=sys.stderr)
    sys.exit(code)


def at_least_one(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {raw!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
