"""LiveWave's JSON to hub events and back. The only place its raw dicts are read.

LiveWave writes local times as "YYYY-MM-DD HH:MM:SS" in China Standard Time, dates as
"YYYY-MM-DD", and punishment times as Unix seconds; everything leaves here in ISO 8601 UTC.
Resident ID numbers (`cert_no`) pass through to the hub's event parser, which hashes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from credithub.domain import deliveries
from credithub.domain.deliveries import Message
from credithub.domain.measures import MeasureKind
from platform_adapters.errors import PlatformContractError
from platform_adapters.protocol import CodeMapping, PulledItem, RefusedItem

CHINA: Final = dt.timezone(dt.timedelta(hours=8), "CST")
ANCHOR_STATE: Final = {"NORMAL": "ACTIVE", "BANNED": "SUSPENDED", "CANCELLED": "CLOSED"}
SHOP_STATE: Final = {"OPEN": "ACTIVE", "FROZEN": "SUSPENDED", "CLOSED": "CLOSED"}


class MissingField(Exception):
    """An item lacks a field its kind always has."""


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise MissingField(key)
    return value


def _local(value: str) -> str:
    """ "2025-03-02 10:00:00" or "2025-03-02" (China time) → ISO 8601 UTC."""
    form = "%Y-%m-%d %H:%M:%S" if " " in value else "%Y-%m-%d"
    try:
        return dt.datetime.strptime(value, form).replace(tzinfo=CHINA).astimezone(dt.UTC).isoformat()
    except (ValueError, OverflowError) as exc:
        raise MissingField(f"a readable time (got {value!r})") from exc


def read_page(body: Any) -> tuple[list[Mapping[str, Any]], str | None, bool]:
    if not isinstance(body, Mapping) or body.get("result") != "ok":
        raise PlatformContractError("answer is not a success envelope")
    items, cursor, has_more = body.get("items"), body.get("next_cursor"), body.get("has_more")
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise PlatformContractError("answer `items` is not a list of objects")
    if not isinstance(has_more, bool) or (cursor is not None and not isinstance(cursor, str)):
        raise PlatformContractError("answer needs a boolean `has_more` and a string `next_cursor`")
    if has_more and not cursor:
        raise PlatformContractError("answer says `has_more` but gives no `next_cursor`")
    return items, cursor, has_more


def _anchor(uid: str, cert_no: str, name: Any) -> dict[str, Any]:
    return {"kind": "ANCHOR", "account_id": uid, "name": name, "id_number": cert_no}


def shop_item(item: Mapping[str, Any]) -> PulledItem | RefusedItem:
    """A live-commerce shop (小店) of a merchant → account.updated."""
    item_id = f"shop:{item.get('shop_id')}@{item.get('ver')}"
    try:
        state = SHOP_STATE.get(_text(item, "state"))
        if state is None:
            return RefusedItem(item_id, f"unknown shop state {item.get('state')!r}")
        opened = _local(_text(item, "open_date"))
        merchant = {
            "kind": "MERCHANT",
            "account_id": _text(item, "shop_id"),
            "name": item.get("shop_name"),
            "credit_code": _text(item, "uscc"),
        }
    except MissingField as missing:
        return RefusedItem(item_id, f"shop lacks {missing}")
    data = {"subject": merchant, "status": state, "opened_at": opened}
    return PulledItem(item_id, {"type": "account.updated", "timestamp": opened, "data": data})


def anchor_item(item: Mapping[str, Any]) -> PulledItem | RefusedItem:
    item_id = f"anchor:{item.get('uid')}@{item.get('ver')}"
    try:
        state = ANCHOR_STATE.get(_text(item, "state"))
        if state is None:
            return RefusedItem(item_id, f"unknown anchor state {item.get('state')!r}")
        registered = _local(_text(item, "reg_time"))
        data = {
            "subject": _anchor(_text(item, "uid"), _text(item, "cert_no"), item.get("nickname")),
            "status": state,
            "opened_at": registered,
        }
    except MissingField as missing:
        return RefusedItem(item_id, f"anchor lacks {missing}")
    return PulledItem(item_id, {"type": "account.updated", "timestamp": registered, "data": data})


def contract_item(item: Mapping[str, Any]) -> PulledItem | RefusedItem:
    item_id = f"contract:{item.get('contract_id')}@{item.get('ver')}"
    try:
        org, anchor = item.get("org"), item.get("anchor")
        if not isinstance(org, Mapping) or not isinstance(anchor, Mapping):
            raise MissingField("org or anchor")
        ends = [_local(value) for value in (item.get("terminated_time"), item.get("end_date")) if value]
        data = {
            "relation": "MCN_SIGNING",
            "from": {
                "kind": "MCN_AGENCY",
                "account_id": _text(org, "org_id"),
                "name": org.get("org_name"),
                "credit_code": _text(org, "uscc"),
            },
            "to": _anchor(_text(anchor, "uid"), _text(anchor, "cert_no"), anchor.get("nickname")),
            "valid_from": _local(_text(item, "sign_date")),
            "valid_to": min(ends) if ends else None,
        }
    except MissingField as missing:
        return RefusedItem(item_id, f"contract lacks {missing}")
    return PulledItem(item_id, {"type": "relation.changed", "timestamp": data["valid_from"], "data": data})


def violation_items(item: Mapping[str, Any], codes: Mapping[str, CodeMapping]) -> list[PulledItem | RefusedItem]:
    case_no = item.get("case_no")
    item_id = f"violation:{case_no}@{item.get('ver')}"
    try:
        code = _text(item, "vio_type")
        meaning = codes.get(code)
        if meaning is None:
            return [RefusedItem(item_id, f"violation type {code!r} has no mapping for this platform")]
        punished = item.get("punish_time")
        if not isinstance(punished, int) or isinstance(punished, bool):
            raise MissingField("punish_time")
        try:
            occurred = dt.datetime.fromtimestamp(punished, dt.UTC).isoformat()
        except (ValueError, OverflowError, OSError):
            raise MissingField("a punish_time in range") from None
        reported = {
            "violation_id": _text(item, "case_no"),
            "subject": _anchor(_text(item, "uid"), _text(item, "cert_no"), item.get("nickname")),
            "category": meaning.category.value,
            "severity": meaning.severity.value,
            "occurred_at": occurred,
            "description": _text(item, "detail"),
            "legal_basis": _text(item, "rule"),
        }
        state = _text(item, "state")
    except MissingField as missing:
        return [RefusedItem(item_id, f"violation lacks {missing}")]
    found: list[PulledItem | RefusedItem] = [
        PulledItem(f"violation:{case_no}", {"type": "violation.reported", "timestamp": occurred, "data": reported})
    ]
    if state == "CANCELLED":
        revoked = {"violation_id": case_no, "reason": item.get("cancel_reason") or "cancelled by the platform"}
        found.append(PulledItem(item_id, {"type": "violation.revoked", "timestamp": occurred, "data": revoked}))
    elif state != "VALID":
        found.append(RefusedItem(item_id, f"unknown violation state {state!r}"))
    return found


def notice(message: Message, now: dt.datetime) -> dict[str, Any]:
    """A notice to the subject (notice.created) in LiveWave's notify shape."""
    data = message.payload
    return {
        "msg_id": message.idempotency_key,
        "ts": int(now.timestamp()),
        "type": "notice",
        "subject": {"ids": data["accounts"]},
        "notice": {key: value for key, value in data.items() if key != "accounts"},
    }


def status_notice(message: Message, now: dt.datetime) -> dict[str, Any]:
    """A credit.status_changed message in LiveWave's notify shape (restrictions only)."""
    push = deliveries.read_push(message)
    return {
        "msg_id": message.idempotency_key,
        "ts": int(now.timestamp()),
        "subject": {"type": push.kind.value, "ids": list(push.accounts), "uscc": push.credit_code},
        "grade": push.tier.value,
        "version": push.version,
        "restrictions": [
            {
                "measure": flag.measure,
                "enforced": flag.enforced,
                "mandatory": flag.mandatory,
                "since": flag.effective_from.isoformat(),
                "until": flag.effective_until.isoformat() if flag.effective_until else None,
            }
            for flag in push.flags
            if flag.kind is MeasureKind.RESTRICTION
        ],
        "changes": [deliveries.PUSH.encode(change) for change in push.changed],
    }
