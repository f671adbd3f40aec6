"""The marketplace adapter: page through shops and penalties, push signed notices."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import httpx
import orjson

from credithub.domain.deliveries import MESSAGE_TYPE, Message
from platform_adapters.errors import (
    PlatformContractError,
    PlatformRejected,
    check_status,
    platform_errors,
    read_json,
    read_reply,
)
from platform_adapters.marketplace import mapping
from platform_adapters.protocol import FeedPage, PlatformLink, PulledItem, RefusedItem

PATHS: Final = {"shops": "/open/v2/shops", "penalties": "/open/v2/penalties"}
KEYS: Final = {"shops": "shop_id", "penalties": "penalty_id"}
CODES_FILE: Final = Path(__file__).with_name("codes.json")
NOTIFY_PATH: Final = "/open/v2/credit/notify"


def compute_signature(secret: str, timestamp_ms: str, body: bytes) -> str:
    """ShopMall's scheme: hex HMAC-SHA256 of "<timestamp ms>\\n<body>" with the secret as UTF-8."""
    return hmac.new(secret.encode(), timestamp_ms.encode() + b"\n" + body, hashlib.sha256).hexdigest()


class MarketplaceAdapter:
    family: str = "marketplace"
    streams: tuple[str, ...] = tuple(PATHS)

    def load_default_codes(self) -> Mapping[str, Any] | None:
        loaded: Mapping[str, Any] = orjson.loads(CODES_FILE.read_bytes())
        return loaded

    async def fetch_page(
        self, http: httpx.AsyncClient, link: PlatformLink, stream: str, cursor: str | None, limit: int
    ) -> FeedPage:
        position = mapping.parse_cursor(cursor)
        params = {"page_no": position.page_no, "page_size": limit, "modified_since_ms": position.since_ms}
        what = f"{link.code} {stream}"
        with platform_errors(what):
            response = await http.get(
                link.require_api() + PATHS[stream], params=params, headers={"x-api-key": link.api_key or ""}
            )
        check_status(response, what)
        items, page_size = mapping.read_list(read_json(response, what))
        key = KEYS[stream]
        found: list[PulledItem | RefusedItem] = []
        for item in position.fresh(items, key):
            if stream == "shops":
                found.append(mapping.shop_item(item))
            else:
                found.extend(mapping.penalty_items(item, link.codes))
        has_more = len(items) > 0 and len(items) >= min(limit, page_size)
        return FeedPage(tuple(found), mapping.format_cursor(position.after(items, key)), has_more)

    async def push_status(self, http: httpx.AsyncClient, link: PlatformLink, message: Message, now: dt.datetime) -> int:
        if not link.outbound_secret:
            raise PlatformContractError(f"{link.code} has no outbound secret")
        url = link.push_url or link.require_api() + NOTIFY_PATH
        body = orjson.dumps(
            mapping.notice(message, now)
            if message.message_type != MESSAGE_TYPE
            else mapping.status_notice(message, now)
        )
        timestamp_ms = str(int(now.timestamp() * 1000))
        headers = {
            "content-type": "application/json",
            "x-request-id": message.idempotency_key,
            "x-hub-timestamp": timestamp_ms,
            "x-hub-sign": compute_signature(link.outbound_secret, timestamp_ms, body),
        }
        what = f"push to {link.code}"
        with platform_errors(what):
            response = await http.post(url, content=body, headers=headers)
        check_status(response, what)
        answer = read_reply(response, what, empty={})
        if answer.get("code", 0) != 0:
            raise PlatformRejected(
                f"{what}: code {answer.get('code')}: {answer.get('msg')}", status=response.status_code
            )
        return response.status_code
