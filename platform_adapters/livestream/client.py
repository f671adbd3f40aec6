"""The live-streaming adapter: walk opaque cursors through anchors, contracts and violations,
checking the platform's signature on every page; push notices signed with its scheme."""

from __future__ import annotations

import datetime as dt
import secrets
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
from platform_adapters.livestream import mapping, signing
from platform_adapters.protocol import FeedPage, PlatformLink, PulledItem, RefusedItem

PATHS: Final = {
    "shops": "/api/v3/shops",
    "anchors": "/api/v3/anchors",
    "contracts": "/api/v3/contracts",
    "violations": "/api/v3/violations",
}
CODES_FILE: Final = Path(__file__).with_name("codes.json")
NOTIFY_PATH: Final = "/api/v3/hub/notify"


class LivestreamAdapter:
    family: str = "livestream"
    streams: tuple[str, ...] = tuple(PATHS)

    def load_default_codes(self) -> Mapping[str, Any] | None:
        loaded: Mapping[str, Any] = orjson.loads(CODES_FILE.read_bytes())
        return loaded

    async def fetch_page(
        self, http: httpx.AsyncClient, link: PlatformLink, stream: str, cursor: str | None, limit: int
    ) -> FeedPage:
        params: dict[str, str | int] = {"count": limit}
        if cursor is not None:
            params["cursor"] = cursor
        what = f"{link.code} {stream}"
        with platform_errors(what):
            response = await http.get(
                link.require_api() + PATHS[stream], params=params, headers={"authorization": f"LW-Key {link.api_key}"}
            )
        check_status(response, what)
        if not signing.verify_page(response.headers, response.content, link.webhook_secrets, dt.datetime.now(dt.UTC)):
            raise PlatformContractError(f"{what}: the page's signature does not verify")
        items, next_cursor, has_more = mapping.read_page(read_json(response, what))
        found: list[PulledItem | RefusedItem] = []
        for item in items:
            if stream == "shops":
                found.append(mapping.shop_item(item))
            elif stream == "anchors":
                found.append(mapping.anchor_item(item))
            elif stream == "contracts":
                found.append(mapping.contract_item(item))
            else:
                found.extend(mapping.violation_items(item, link.codes))
        return FeedPage(tuple(found), next_cursor or cursor, has_more)

    async def push_status(self, http: httpx.AsyncClient, link: PlatformLink, message: Message, now: dt.datetime) -> int:
        if not link.outbound_secret:
            raise PlatformContractError(f"{link.code} has no outbound secret")
        url = link.push_url or link.require_api() + NOTIFY_PATH
        body = orjson.dumps(
            mapping.notice(message, now)
            if message.message_type != MESSAGE_TYPE
            else mapping.status_notice(message, now)
        )
        timestamp, nonce = str(int(now.timestamp())), secrets.token_hex(8)
        headers = {
            "content-type": "application/json",
            "x-lw-timestamp": timestamp,
            "x-lw-nonce": nonce,
            "x-lw-signature": signing.compute_signature(link.outbound_secret, timestamp.encode(), nonce.encode(), body),
        }
        what = f"push to {link.code}"
        with platform_errors(what):
            response = await http.post(url, content=body, headers=headers)
        check_status(response, what)
        answer = read_reply(response, what, empty={"result": "ok"})
        if answer.get("result") != "ok":
            raise PlatformRejected(f"{what}: {answer}", status=response.status_code)
        return response.status_code
