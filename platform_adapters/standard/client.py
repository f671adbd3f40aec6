"""The standard adapter: pull the documented event feed, push Standard Webhooks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

import httpx
import orjson
from standardwebhooks import Webhook

from credithub.domain import deliveries
from credithub.domain.deliveries import Message
from platform_adapters.errors import PlatformContractError, check_status, platform_errors, read_json
from platform_adapters.protocol import FeedPage, PlatformLink, PulledItem

FEED_PATH: Final = "/credit-hub/events"
STREAM: Final = "events"


def _page(body: Any) -> FeedPage:
    """The feed page contract: {"events": [{"id", "type", "timestamp", "data"}], "next_cursor", "has_more"}."""
    events, cursor, has_more = _paging(body)
    return FeedPage(tuple(_item(event) for event in events), cursor, has_more)


def _paging(body: Any) -> tuple[list[Any], str | None, bool]:
    """The page's events, cursor and `has_more`, as the contract types them."""
    if not isinstance(body, Mapping):
        raise PlatformContractError("feed page is not a JSON object")
    events, cursor, has_more = body.get("events"), body.get("next_cursor"), body.get("has_more")
    if not isinstance(events, list) or not isinstance(has_more, bool):
        raise PlatformContractError("feed page needs an `events` list and a boolean `has_more`")
    if cursor is not None and not isinstance(cursor, str):
        raise PlatformContractError("feed page `next_cursor` must be a string or null")
    if has_more and not cursor:
        raise PlatformContractError("feed page says `has_more` but gives no `next_cursor`")
    return events, cursor, has_more


def _item(event: Any) -> PulledItem:
    """One feed event, kept whole but for its `id`."""
    if not isinstance(event, Mapping) or not isinstance(event.get("id"), str) or not event["id"]:
        raise PlatformContractError("every feed event needs a string `id`")
    return PulledItem(event["id"], {key: value for key, value in event.items() if key != "id"})


def _data(message: Message) -> Mapping[str, Any]:
    """The message's `data`: a status push exactly as the contract types it, a notice as queued."""
    if message.message_type == deliveries.MESSAGE_TYPE:
        return deliveries.encode_push(deliveries.read_push(message))
    return message.payload


class StandardAdapter:
    family: str = "standard"
    streams: tuple[str, ...] = (STREAM,)

    def load_default_codes(self) -> Mapping[str, Any] | None:
        return None  # standard events carry our categories and severities already

    async def fetch_page(
        self, http: httpx.AsyncClient, link: PlatformLink, stream: str, cursor: str | None, limit: int
    ) -> FeedPage:
        params: dict[str, str | int] = {"limit": limit}
        if cursor is not None:
            params["after"] = cursor
        headers = {"authorization": f"Bearer {link.api_key}"} if link.api_key else {}
        what = f"{link.code} feed"
        with platform_errors(what):
            response = await http.get(link.require_api() + FEED_PATH, params=params, headers=headers)
        check_status(response, what)
        page = _page(read_json(response, what))
        return FeedPage(page.items, page.cursor or cursor, page.has_more)

    async def push_status(self, http: httpx.AsyncClient, link: PlatformLink, message: Message, now: dt.datetime) -> int:
        if not link.push_url or not link.outbound_secret:
            raise PlatformContractError(f"{link.code} has no push URL or outbound secret")
        body = orjson.dumps(
            {"type": message.message_type, "timestamp": message.created_at.isoformat(), "data": _data(message)}
        ).decode()
        # standardwebhooks' sign() reads the instant's wall-clock fields as if UTC: an aware instant in
        # another zone would be signed with the wrong timestamp, so convert it to UTC first.
        signature = Webhook(link.outbound_secret).sign(message.idempotency_key, now.astimezone(dt.UTC), body)
        headers = {
            "content-type": "application/json",
            "webhook-id": message.idempotency_key,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        what = f"push to {link.code}"
        with platform_errors(what):
            response = await http.post(link.push_url, content=body.encode(), headers=headers)
        check_status(response, what)
        return response.status_code
