"""Talking to platforms: one protocol (`protocol.PlatformAdapter`), one package per platform
family behind it (`standard`, `marketplace`, `livestream`: client, mapping, simulator), and the
errors they raise (`errors`). Imports only `credithub.domain`; never touches PostgreSQL.
`ADAPTERS` is imported by the bootstrap alone."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from platform_adapters.livestream.client import LivestreamAdapter
from platform_adapters.marketplace.client import MarketplaceAdapter
from platform_adapters.protocol import PlatformAdapter
from platform_adapters.standard.client import StandardAdapter

ADAPTERS: Final[Mapping[str, PlatformAdapter]] = MappingProxyType(
    {adapter.family: adapter for adapter in (StandardAdapter(), MarketplaceAdapter(), LivestreamAdapter())}
)
