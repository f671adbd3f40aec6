"""Standard Webhooks verification of inbound platform events (SPEC §7).

The `standardwebhooks` library checks the signature (HMAC-SHA256 over `id.timestamp.body`,
constant-time) and the 5-minute timestamp tolerance, both ways. Around it: several active
secrets per platform, so a platform can rotate without downtime; and its other failures
(a signature entry without a comma → ValueError, bad base64 → binascii.Error, a non-UTF-8 body
→ UnicodeDecodeError) are refusals too, never a 500. It accepts a replay inside the window:
the inbox's unique (platform, webhook-id) is what makes a replay a no-op.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Final

from standardwebhooks import Webhook, WebhookVerificationError

HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")
MAX_ID_LENGTH: Final = 200


class SignatureRejected(Exception):
    """The request is not signed by the platform (or not recently): answered 401 without detail."""


@lru_cache(maxsize=1024)
def _webhook(secret: str) -> Webhook:
    return Webhook(secret)


def verify(body: bytes, headers: Mapping[str, str], secrets: Sequence[str]) -> str:
    """The verified `webhook-id`, or SignatureRejected (with the reason, for the log only)."""
    wanted = {name: headers.get(name, "") for name in HEADERS}
    event_id = wanted["webhook-id"]
    if not all(wanted.values()):
        raise SignatureRejected("missing webhook-id, webhook-timestamp or webhook-signature")
    if len(event_id) > MAX_ID_LENGTH or "." in event_id:
        raise SignatureRejected("webhook-id too long or contains '.'")
    reason = "no active secret"
    for secret in secrets:
        try:
            _webhook(secret).verify(body, wanted, json_parse=False)
            return event_id
        except WebhookVerificationError as exc:
            reason = str(exc)
            if "timestamp" in reason.lower() or "headers" in reason.lower():
                break  # not a question of which secret
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise SignatureRejected(f"unreadable signature or body: {type(exc).__name__}") from exc
    raise SignatureRejected(reason)
