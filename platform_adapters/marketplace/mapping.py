"""ShopMall's JSON to hub events and back. The only place its raw dicts are read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from credithub.domain import deliveries
from credithub.domain.deliveries import Message
from credithub.domain.measures import MeasureKind
from platform_adapters.errors import PlatformContractError
from platform_adapters.protocol import CodeMapping, PulledItem, RefusedItem

SHOP_STATUS: Final = {1: "ACTIVE", 2: "SUSPENDED", 3: "CLOSED"}
EFFECTIVE: Final = "EFFECTIVE"
REVOKED: Final = "REVOKED"


class MissingField(Exception):
    """An item lacks a field its kind always has."""


def _field(item: Mapping[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = item.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise MissingField(key)
    return value


def _instant(ms: int) -> str:
    try:
        return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        raise MissingField(f"a time in range (got {ms} ms)") from None


@dataclass(frozen=True, slots=True)
class Cursor:
    """Keyset paging by modification time: a page is asked for from the newest time already
    taken (`since_ms`), so items moving between pages while we page are never skipped, and the
    items already taken at that very millisecond (`taken`) are not taken again. `page_no` only
    walks a block of more items sharing one millisecond than fit on a page."""

    since_ms: int = 0
    page_no: int = 1
    taken: tuple[str, ...] = ()

    def fresh(self, items: list[Mapping[str, Any]], key: str) -> list[Mapping[str, Any]]:
        """The items of a page not taken before."""
        return [
            item
            for item in items
            if not (item.get("gmt_modified_ms") == self.since_ms and str(item.get(key)) in self.taken)
        ]

    def after(self, items: list[Mapping[str, Any]], key: str) -> Cursor:
        """Where to continue once `items` (a whole page) are taken."""
        stamps = [int(item.get("gmt_modified_ms", self.since_ms)) for item in items]
        if not stamps:
            return self
        newest = max(stamps)
        at_newest = tuple(str(item.get(key)) for item, stamp in zip(items, stamps, strict=True) if stamp == newest)
        if newest == self.since_ms:  # the whole page shares the time we asked from: walk on through the block
            return Cursor(newest, self.page_no + 1, self.taken + at_newest)
        return Cursor(newest, 1, at_newest)


def parse_cursor(raw: str | None) -> Cursor:
    if raw is None:
        return Cursor()
    state = orjson.loads(raw)
    return Cursor(int(state["since_ms"]), int(state["page_no"]), tuple(state.get("taken", ())))


def format_cursor(cursor: Cursor) -> str:
    return orjson.dumps({"since_ms": cursor.since_ms, "page_no": cursor.page_no, "taken": list(cursor.taken)}).decode()


def read_list(body: Any) -> tuple[list[Mapping[str, Any]], int]:
    """The `data.list` of an answer, and `data.page_size`; the envelope is checked strictly."""
    if not isinstance(body, Mapping) or body.get("code") != 0 or not isinstance(body.get("data"), Mapping):
        raise PlatformContractError(f"answer is not a success envelope: code={_code(body)}")
    data = body["data"]
    items = data.get("list")
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise PlatformContractError("answer `data.list` is not a list of objects")
    # Paging continues from the items' modification times: an item without one breaks the feed.
    if not all(_is_int(item.get("gmt_modified_ms")) for item in items):
        raise PlatformContractError("every item of `data.list` needs an integer `gmt_modified_ms`")
    page_size = data.get("page_size", len(items))
    if not _is_int(page_size):
        raise PlatformContractError("answer `data.page_size` is not an integer")
    return items, page_size


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _code(body: Any) -> object:
    return body.get("code") if isinstance(body, Mapping) else None


def _merchant(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "kind": "MERCHANT",
        "account_id": _field(item, "shop_id", str),
        "name": item.get("shop_name"),
        "credit_code": _field(item, "uscc", str),
    }


def shop_item(item: Mapping[str, Any]) -> PulledItem | RefusedItem:
    """A shop → account.updated."""
    item_id = f"shop:{item.get('shop_id')}@{item.get('gmt_modified_ms')}"
    try:
        status = SHOP_STATUS.get(_field(item, "shop_status", int))
        if status is None:
            return RefusedItem(item_id, f"unknown shop_status {item.get('shop_status')!r}")
        data = {"subject": _merchant(item), "status": status, "opened_at": _instant(_field(item, "open_time_ms", int))}
        modified = _instant(_field(item, "gmt_modified_ms", int))
    except MissingField as missing:
        return RefusedItem(item_id, f"shop lacks {missing}")
    return PulledItem(item_id, {"type": "account.updated", "timestamp": modified, "data": data})


def penalty_items(item: Mapping[str, Any], codes: Mapping[str, CodeMapping]) -> list[PulledItem | RefusedItem]:
    """A penalty → violation.reported, and violation.revoked once it is revoked."""
    penalty_id = item.get("penalty_id")
    item_id = f"penalty:{penalty_id}@{item.get('gmt_modified_ms')}"
    try:
        code = _field(item, "penalty_code", str)
        meaning = codes.get(code)
        if meaning is None:
            return [RefusedItem(item_id, f"penalty code {code!r} has no mapping for this platform")]
        state = _field(item, "state", str)
        modified = _instant(_field(item, "gmt_modified_ms", int))
        reported = {
            "violation_id": _field(item, "penalty_id", str),
            "subject": _merchant(item),
            "category": meaning.category.value,
            "severity": meaning.severity.value,
            "occurred_at": _instant(_field(item, "penalty_time_ms", int)),
            "description": _field(item, "reason_desc", str),
            "legal_basis": _field(item, "rule_name", str),
            "legal_basis_ref": item.get("rule_clause"),
        }
    except MissingField as missing:
        return [RefusedItem(item_id, f"penalty lacks {missing}")]
    found: list[PulledItem | RefusedItem] = [
        PulledItem(f"penalty:{penalty_id}", {"type": "violation.reported", "timestamp": modified, "data": reported})
    ]
    if state == REVOKED:
        reason = item.get("revoke_reason") or "revoked by the platform"
        revoked = {"violation_id": penalty_id, "reason": reason}
        found.append(PulledItem(item_id, {"type": "violation.revoked", "timestamp": modified, "data": revoked}))
    elif state != EFFECTIVE:
        found.append(RefusedItem(item_id, f"unknown penalty state {state!r}"))
    return found


def notice(message: Message, now: dt.datetime) -> dict[str, Any]:
    """A notice to the subject (notice.created) in ShopMall's notify shape: for the shop's inbox."""
    data = message.payload
    return {
        "request_id": message.idempotency_key,
        "notify_time_ms": int(now.timestamp() * 1000),
        "msg_type": "CREDIT_NOTICE",
        "shop_ids": data["accounts"],
        "notice": {key: value for key, value in data.items() if key != "accounts"},
    }


def status_notice(message: Message, now: dt.datetime) -> dict[str, Any]:
    """A credit.status_changed message in ShopMall's notify shape."""
    push = deliveries.read_push(message)
    return {
        "request_id": message.idempotency_key,
        "notify_time_ms": _ms(now),
        "uscc": push.credit_code,
        "shop_ids": list(push.accounts),
        "credit_level": push.tier.value,
        "blacklisted": push.on_serious_dishonest_list,
        "version": push.version,
        "restrictions": [
            {
                "code": flag.measure,
                "type": "RESTRICT" if flag.kind is MeasureKind.RESTRICTION else "INCENTIVE",
                "mandatory": flag.mandatory,
                "active": flag.enforced,
                "basis": flag.legal_basis,
                "start_ms": _ms(flag.effective_from),
                "end_ms": _ms(flag.effective_until) if flag.effective_until else None,
            }
            for flag in push.flags
        ],
        "changes": [
            {"type": change.kind.value, "code": change.measure, "before": change.before, "after": change.after}
            for change in push.changed
        ],
    }


def _ms(instant: dt.datetime) -> int:
    return int(instant.timestamp() * 1000)
