"""Standard Webhooks verification of inbound platform events.

The `standardwebhooks` library computes the signature (HMAC-SHA256 over `id.timestamp.body`); it
is compared in constant time with each `v1` entry of the header. Each refusal says what the
sender has to fix, with its own code:
a missing header, an id the hub cannot keep, a timestamp outside the 5-minute tolerance (checked
here against the hub's clock, so the answer can say what that clock reads), a signature entry
that is not `v1,<base64>`, or no active secret of the platform that matches. Several active
secrets per platform let a platform rotate without downtime. A replay inside the window is
accepted: the inbox's unique (platform, webhook-id) is what makes a replay a no-op.

Ids are what the Standard Webhooks spec allows: any printable text (`msg_2KWPBgLlAfxdpx2AI54pPJ85f4W`,
`evt.2026.0001`); the signed content `id.timestamp.body` stays unambiguous because the timestamp
is digits only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import ClassVar, Final

from standardwebhooks import Webhook

HEADERS: Final = ("webhook-id", "webhook-timestamp", "webhook-signature")
MAX_ID_LENGTH: Final = 200
TOLERANCE: Final = dt.timedelta(minutes=5)


class WebhookRefused(Exception):
    """A webhook the hub will not accept as sent; `code` and `status` are the HTTP answer's."""

    code: ClassVar[str] = "WEBHOOK_REFUSED"
    status: ClassVar[int] = 401

    def __init__(self, message: str, **details: str | int) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class MissingHeader(WebhookRefused):
    """A Standard Webhooks header is missing or empty."""

    code = "MISSING_HEADER"
    status = 400


class InvalidWebhookId(WebhookRefused):
    """The `webhook-id` is longer than the hub keeps, or holds control characters."""

    code = "INVALID_WEBHOOK_ID"
    status = 400


class TimestampOutOfTolerance(WebhookRefused):
    """`webhook-timestamp` is not Unix seconds within 5 minutes of the hub's clock."""

    code = "TIMESTAMP_OUT_OF_TOLERANCE"


class MalformedSignature(WebhookRefused):
    """`webhook-signature` holds no readable `v1,<base64>` entry."""

    code = "MALFORMED_SIGNATURE"


class NoMatchingSecret(WebhookRefused):
    """No active webhook secret of this platform signed the request (wrong secret, wrong platform,
    or a body changed after signing)."""

    code = "NO_MATCHING_SECRET"


@lru_cache(maxsize=1024)
def _webhook(secret: str) -> Webhook:
    return Webhook(secret)


def _check_id(event_id: str) -> None:
    if len(event_id) > MAX_ID_LENGTH:
        raise InvalidWebhookId(f"webhook-id must be at most {MAX_ID_LENGTH} characters", header="webhook-id")
    if not event_id.isprintable():
        raise InvalidWebhookId("webhook-id may not contain control characters", header="webhook-id")


def _check_timestamp(raw: str, now: dt.datetime) -> None:
    try:
        sent = dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise TimestampOutOfTolerance(
            "webhook-timestamp must be whole Unix seconds", header="webhook-timestamp", hub_time=int(now.timestamp())
        ) from None
    if abs(sent - now) > TOLERANCE:
        raise TimestampOutOfTolerance(
            f"webhook-timestamp is more than {int(TOLERANCE.total_seconds())} seconds from the hub's clock; "
            "sign each attempt with the current time and check your clock",
            header="webhook-timestamp",
            hub_time=int(now.timestamp()),
            tolerance_seconds=int(TOLERANCE.total_seconds()),
        )


def _v1_signatures(raw: str) -> list[bytes]:
    """The readable `v1` entries of the header (others are other schemes, or noise)."""
    found = []
    for entry in raw.split(" "):
        version, _, signature = entry.partition(",")
        if version != "v1" or not signature:
            continue
        try:
            found.append(base64.b64decode(signature, validate=True))
        except (binascii.Error, ValueError):
            continue
    if not found:
        raise MalformedSignature(
            "webhook-signature needs at least one entry `v1,<base64 HMAC-SHA256>`", header="webhook-signature"
        )
    return found


def verify(body: bytes, headers: Mapping[str, str], secrets: Sequence[str], *, now: dt.datetime) -> str:
    """The verified `webhook-id`, or a WebhookRefused saying what to fix."""
    wanted = {name: headers.get(name, "") for name in HEADERS}
    for name, value in wanted.items():
        if not value:
            raise MissingHeader(f"the {name} header is required (Standard Webhooks)", header=name)
    _check_id(wanted["webhook-id"])
    _check_timestamp(wanted["webhook-timestamp"], now)
    given = _v1_signatures(wanted["webhook-signature"])
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise NoMatchingSecret("the body is not UTF-8 text, so no signature can match") from None
    sent_at = dt.datetime.fromtimestamp(int(wanted["webhook-timestamp"]), dt.UTC)
    for secret in secrets:
        # The library computes the signature; the comparison is constant-time.
        expected = base64.b64decode(_webhook(secret).sign(wanted["webhook-id"], sent_at, text).partition(",")[2])
        if any(hmac.compare_digest(expected, signature) for signature in given):
            return wanted["webhook-id"]
    raise NoMatchingSecret(
        "no active webhook secret of this platform signed this request: check the secret, "
        "the platform code in the URL, and that the body is sent exactly as signed"
    )
