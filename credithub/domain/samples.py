"""Sample events of every type a platform sends, as valid as real ones: what `trigger` sends and
`simulate` serves, so a platform engineer sees the hub react without writing a sender first.
docs/schemas/ validates them (tests/unit/test_event_schemas.py)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

from credithub.domain.events import EventType
from credithub.domain.identifiers import USCC_ALPHABET, compute_credit_code_check, compute_organization_check

MERCHANT_NAMES: Final = ("杭州云帆电子商务有限公司", "锦绣服饰有限公司", "佳禾食品有限公司", "星河数码科技有限公司")
AGENCY_NAMES: Final = ("星辰文化传媒有限公司", "晨光网络传媒有限公司")
ANCHOR_NAMES: Final = ("小鱼说好物", "阿星直播间", "老王开箱")
_RESIDENT_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def compute_credit_code(rng: random.Random) -> str:
    """A credit code of an enterprise (91…) with both check characters right."""
    body = "".join(rng.choice(USCC_ALPHABET[:30]) for _ in range(8))
    first17 = "91330106" + body + compute_organization_check(body)
    return first17 + compute_credit_code_check(first17)


def compute_resident_id(rng: random.Random) -> str:
    """A resident ID with a real birth date (1970-1999) and the right check digit."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
    first17 = f"110105{birth:%Y%m%d}{rng.randrange(1000):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def _merchant(rng: random.Random, credit_code: str | None) -> dict[str, Any]:
    return {
        "kind": "MERCHANT",
        "account_id": f"shop_{rng.randrange(10**8):08d}",
        "name": rng.choice(MERCHANT_NAMES),
        "credit_code": credit_code or compute_credit_code(rng),
    }


def _anchor(rng: random.Random) -> dict[str, Any]:
    return {
        "kind": "ANCHOR",
        "account_id": f"anchor_{rng.randrange(10**8):08d}",
        "name": rng.choice(ANCHOR_NAMES),
        "id_number": compute_resident_id(rng),
    }


def compute_sample_event(
    event_type: EventType,
    *,
    now: dt.datetime,
    rng: random.Random,
    credit_code: str | None = None,
    violation_id: str | None = None,
) -> dict[str, Any]:
    """One event body of `event_type` about a made-up subject (or the merchant `credit_code`)."""
    data: dict[str, Any]
    match event_type:
        case EventType.VIOLATION_REPORTED:
            data = {
                "violation_id": violation_id or f"VIO-{now:%Y%m%d}-{rng.randrange(10**6):06d}",
                "subject": _merchant(rng, credit_code),
                "category": "COUNTERFEIT_GOODS",
                "severity": "GENERAL",
                "occurred_at": (now - dt.timedelta(days=2)).isoformat(),
                "description": "销售仿冒注册商标的运动鞋，经品牌方鉴定为假货",
                "legal_basis": "《中华人民共和国电子商务法》第十三条",
            }
        case EventType.VIOLATION_REVOKED:
            data = {"violation_id": violation_id or f"VIO-{now:%Y%m%d}-000001", "reason": "申诉成立，撤销处罚"}
        case EventType.ACCOUNT_UPDATED:
            data = {
                "subject": _merchant(rng, credit_code),
                "status": "SUSPENDED",
                "opened_at": "2024-03-01T00:00:00+08:00",
            }
        case EventType.RELATION_CHANGED:
            agency = {"kind": "MCN_AGENCY", "name": rng.choice(AGENCY_NAMES), "credit_code": compute_credit_code(rng)}
            data = {
                "relation": "MCN_SIGNING",
                "from": agency,
                "to": _anchor(rng),
                "valid_from": (now - dt.timedelta(days=30)).isoformat(),
                "valid_to": None,
            }
        case EventType.MEASURE_EXECUTED:
            data = {
                "subject": _merchant(rng, credit_code),
                "measure": "CAMPAIGN_EXCLUSION",
                "action": "APPLIED",
                "executed_at": (now - dt.timedelta(minutes=5)).isoformat(),
                "note": "已从大促活动中移除",
            }
    return {"type": event_type.value, "timestamp": now.isoformat(), "data": data}
