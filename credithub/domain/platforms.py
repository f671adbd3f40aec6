"""Platforms: the companies that share and query credit status through the hub."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from credithub.domain.errors import InvalidValue

PLATFORM_CODE_PATTERN = "lower-case letters, digits, '-' or '_', 2-32 characters, starting with a letter"


@dataclass(frozen=True, slots=True)
class Platform:
    code: str
    name: str
    family: str  # which adapter speaks its API: "standard" unless a family adapter exists
    push_url: str | None
    created_at: dt.datetime


def parse_platform_code(raw: str) -> str:
    code = raw.strip()
    valid = (
        2 <= len(code) <= 32
        and code[0].isascii()
        and code[0].islower()
        and all(char.isascii() and (char.islower() or char.isdigit() or char in "-_") for char in code)
    )
    if not valid:
        raise InvalidValue(f"platform code must be {PLATFORM_CODE_PATTERN}, got {raw!r}", field="platform")
    return code


def parse_push_url(raw: str) -> str:
    """Where the hub pushes status changes to a platform: an absolute http(s) URL."""
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"push URL must be an absolute http(s) URL, got {raw!r}", field="push_url")
    return url
