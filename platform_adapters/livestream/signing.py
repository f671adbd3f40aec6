"""LiveWave's signature scheme, both ways.

The platform signs each feed page: `X-LW-Timestamp` (Unix seconds) and `X-LW-Signature`, the
base64 HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret as UTF-8. The hub signs its
pushes the same way over "<timestamp>.<nonce>.<body>", adding `X-LW-Nonce`. Five minutes of
clock skew are tolerated either way.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Final

TOLERANCE: Final = dt.timedelta(minutes=5)


def compute_signature(secret: str, *parts: bytes) -> str:
    digest = hmac.new(secret.encode(), b".".join(parts), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_page(headers: Mapping[str, str], body: bytes, secrets: Iterable[str], now: dt.datetime) -> bool:
    """Does any of the platform's secrets sign this page, at a time within the tolerance?"""
    timestamp, signature = headers.get("x-lw-timestamp", ""), headers.get("x-lw-signature", "")
    if not timestamp.isdigit() or not signature:
        return False
    signed_at = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    if abs(now - signed_at) > TOLERANCE:
        return False
    return any(
        hmac.compare_digest(compute_signature(secret, timestamp.encode(), body), signature) for secret in secrets
    )
