"""What can go wrong talking to a platform, grouped by what the caller does about it.

    PlatformError
    ├── PlatformUnavailable      try again later: timeout, connection refused or reset, 5xx
    │   └── PlatformThrottled    try again when it says: 429, or 503 with Retry-After
    ├── PlatformRejected         it refused the request (4xx): the same request will not do better
    └── PlatformContractError    it answered what we cannot read: not JSON, a missing field, a
                                 signature that does not verify. Never read as an empty answer.

`platform_errors()` wraps every call and translates httpx's exceptions; `check_status` turns a
response that is not 2xx into the right class. The sync engine and the outbox decide retries
from the class alone.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

import httpx
import orjson

TOO_MANY_REQUESTS: Final = 429
THROTTLE_STATUSES: Final = frozenset({429, 503})  # 503 only when it says when to come back


class PlatformError(Exception):
    """Base of every failure talking to a platform."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class PlatformUnavailable(PlatformError):
    """The platform did not answer usefully now (timeout, transport error, 5xx); retry later."""


class PlatformThrottled(PlatformUnavailable):
    """The platform asked us to slow down (429, or 503), saying when to come back if it did."""

    def __init__(self, message: str, *, status: int, retry_after: dt.timedelta | None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PlatformRejected(PlatformError):
    """The platform refused the request with a 4xx; retrying it unchanged will not help."""


class PlatformContractError(PlatformError):
    """The platform's answer breaks its documented contract (shape, fields, signature)."""


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """RFC 9110 §10.2.3: delay-seconds or an HTTP-date; None when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return dt.timedelta(seconds=int(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))


def check_status(response: httpx.Response, what: str) -> None:
    """Raise the PlatformError a non-2xx response stands for (3xx included: redirects are not
    followed, a platform must answer at the documented URL)."""
    status = response.status_code
    if 200 <= status < 300:
        return
    retry_after = parse_retry_after(response.headers.get("retry-after"), dt.datetime.now(dt.UTC))
    if status == TOO_MANY_REQUESTS or (status in THROTTLE_STATUSES and retry_after is not None):
        raise PlatformThrottled(f"{what}: HTTP {status}", status=status, retry_after=retry_after)
    if status >= 500:
        raise PlatformUnavailable(f"{what}: HTTP {status}", status=status)
    raise PlatformRejected(f"{what}: HTTP {status}: {response.text[:200]}", status=status)


def read_json(response: httpx.Response, what: str) -> Any:
    """The body of a 2xx answer as JSON; anything else breaks the platform's contract."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise PlatformContractError(f"{what}: the answer is not JSON") from exc


def read_reply(response: httpx.Response, what: str, *, empty: Mapping[str, Any]) -> Mapping[str, Any]:
    """The JSON object a platform answers a push with (`empty` when it sends no body)."""
    if not response.content:
        return empty
    reply = read_json(response, what)
    if not isinstance(reply, Mapping):
        raise PlatformContractError(f"{what}: the answer is not a JSON object")
    return reply


@contextmanager
def platform_errors(what: str) -> Iterator[None]:
    """Translate httpx's exceptions, most specific first."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise PlatformUnavailable(f"{what}: timed out ({type(exc).__name__})") from exc
    except httpx.TransportError as exc:
        raise PlatformUnavailable(f"{what}: {type(exc).__name__}: {exc}") from exc
    except httpx.InvalidURL as exc:
        raise PlatformRejected(f"{what}: invalid URL: {exc}") from exc
