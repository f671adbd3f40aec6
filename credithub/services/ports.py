"""What the services need from the outside world, and the bundle that carries it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import asyncpg
import httpx

from credithub.db.pool import Pools
from credithub.report_keys import ReportSigner
from credithub.settings import Settings
from platform_adapters.protocol import PlatformAdapter

if TYPE_CHECKING:
    from credithub.cache import StatusCache
    from credithub.services.engine_config import ConfigHolder
    from credithub.services.inbox_notices import InboxNotices
    from credithub.services.replica import ReplicaWatch
    from credithub.services.status_feed import StatusFeed
    from credithub.services.tokens import TokenWatch


class Clock(Protocol):
    """The current instant, always timezone-aware UTC. Tests pass a fixed clock."""

    def now(self) -> dt.datetime: ...


WorkKind = Literal["api", "ingest", "workers", "health", "replica"]


@dataclass(frozen=True, slots=True)
class Deps:
    """Everything a request or a command needs; built once by `bootstrap.open_deps`.

    `pool` is the pool for the work at hand: `for_work` gives the same Deps on the pool of
    another kind of work (GraphQL, webhook ingest, health), each with its own connections and
    statement timeout. Without `pools` (tests, scripts) every kind shares `pool`. `replica` is
    GraphQL's pool on the streaming replica when one is configured, else GraphQL's own; whether a
    read may go there is `replica_watch`'s answer (`entrypoints.read_routing`)."""

    settings: Settings
    pool: asyncpg.Pool
    person_key: bytes
    clock: Clock
    cache: StatusCache
    engine: ConfigHolder
    http: httpx.AsyncClient  # for calling platforms: no redirects, CREDITHUB_PLATFORM_TIMEOUT
    adapters: Mapping[str, PlatformAdapter]  # by family
    feed: StatusFeed  # announcements of status changes for this instance's subscriptions
    tokens: TokenWatch  # this instance's cache of authenticated tokens, emptied by revocations
    reports: ReportSigner  # signs credit reports
    pools: Pools | None = None
    replica_watch: ReplicaWatch | None = None  # set when DATABASE_REPLICA_URL is
    # Accepted events wake the inbox processors of other processes; None: they find them by polling.
    inbox_notices: InboxNotices | None = None

    # The Deps of each kind of work, made once (`for_work` is asked on every request).
    _for_work: dict[WorkKind, Deps] = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def for_work(self, kind: WorkKind) -> Deps:
        if self.pools is None:
            return self
        found = self._for_work.get(kind)
        if found is None:
            found = self._for_work[kind] = dataclasses.replace(self, pool=getattr(self.pools, kind) or self.pools.api)
        return found
