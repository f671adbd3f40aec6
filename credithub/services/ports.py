"""What the services need from the outside world, and the bundle that carries it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import asyncpg
import httpx
from aiocache.base import BaseCache

from credithub.report_keys import ReportSigner
from credithub.settings import Settings
from platform_adapters.protocol import PlatformAdapter

if TYPE_CHECKING:
    from credithub.services.catalog import ConfigHolder
    from credithub.services.status_feed import StatusFeed


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
    cache: BaseCache
    engine: ConfigHolder
    http: httpx.AsyncClient  # for calling platforms: no redirects, CREDITHUB_PLATFORM_TIMEOUT
    adapters: Mapping[str, PlatformAdapter]  # by family
    feed: StatusFeed  # announcements of status changes for this instance's subscriptions
    reports: ReportSigner  # signs credit reports
