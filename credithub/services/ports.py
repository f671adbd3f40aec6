"""What the services need from the outside world, and the bundle that carries it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from credithub.settings import Settings


class Clock(Protocol):
    """The current instant, always timezone-aware UTC. Tests pass a fixed clock."""

    def now(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything a request or a command needs; built once by `bootstrap.open_deps`."""

    settings: Settings
    pool: asyncpg.Pool
    person_key: bytes
    clock: Clock
