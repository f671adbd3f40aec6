"""The one protocol every platform adapter speaks, and the values that cross it.

An adapter knows one platform family's API: how to page through its feeds and turn each item
into a hub event (the same JSON a platform would send by webhook, validated by the hub after),
and how to deliver a status message in the family's own shape and signature. It keeps no state
and touches no database: the sync engine stores cursors, the outbox stores messages.

Feeds are pulled by stream (`streams`), each with an opaque cursor the adapter alone reads. A
page says where to continue (`cursor`) and whether more is waiting (`has_more`); a failure is
always a `PlatformError`, never an empty page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from credithub.domain.deliveries import Message
from credithub.domain.platforms import CodeMapping, PlatformLink

__all__ = ["CodeMapping", "FeedPage", "PlatformAdapter", "PlatformLink", "PulledItem", "RefusedItem"]


@dataclass(frozen=True, slots=True)
class PulledItem:
    """One feed item as a hub event body. `item_id` is stable for one version of the item, so
    pulling the same page again yields the same ids (and changes nothing)."""

    item_id: str
    event: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """A feed item the adapter cannot turn into an event (e.g. a penalty code with no mapping)."""

    item_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class FeedPage:
    items: tuple[PulledItem | RefusedItem, ...]
    cursor: str | None  # where to continue after this page
    has_more: bool


class PlatformAdapter(Protocol):
    """One platform family's API, both ways."""

    family: str
    streams: tuple[str, ...]

    def load_default_codes(self) -> Mapping[str, Any] | None:
        """The family's shipped meaning of its platforms' penalty codes (codes.json), copied to a
        platform's own mapping when it is added; None for a family without codes."""
        ...

    async def fetch_page(
        self, http: httpx.AsyncClient, link: PlatformLink, stream: str, cursor: str | None, limit: int
    ) -> FeedPage:
        """The next page of `stream` after `cursor` (None: from the beginning)."""
        ...

    async def push_status(self, http: httpx.AsyncClient, link: PlatformLink, message: Message, now: dt.datetime) -> int:
        """Deliver a credit.status_changed message; returns the HTTP status (2xx) or raises."""
        ...
