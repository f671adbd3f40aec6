"""Platforms: the companies that share and query credit status through the hub."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from credithub.domain.errors import InvalidValue
from credithub.domain.records import Category, Severity

PLATFORM_CODE_PATTERN = "lower-case letters, digits, '-' or '_', 2-32 characters, starting with a letter"


@dataclass(frozen=True, slots=True)
class Platform:
    code: str
    name: str
    family: str  # which adapter speaks its API: "standard" unless a family adapter exists
    push_url: str | None
    api_url: str | None  # where the hub pulls the platform's feeds (and pushes, for family adapters)
    created_at: dt.datetime


def is_platform_code(code: str) -> bool:
    """Whether `code` has the shape of a platform code (one could be registered under it)."""
    return (
        2 <= len(code) <= 32
        and code[0].isascii()
        and code[0].islower()
        and all(char.isascii() and (char.islower() or char.isdigit() or char in "-_") for char in code)
    )


def parse_platform_code(raw: str) -> str:
    code = raw.strip()
    if not is_platform_code(code):
        raise InvalidValue(f"platform code must be {PLATFORM_CODE_PATTERN}, got {raw!r}", field="platform")
    return code


def parse_url(raw: str, field: str) -> str:
    """A platform endpoint (push URL, API URL): an absolute http(s) URL."""
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue(f"{field} must be an absolute http(s) URL, got {raw!r}", field=field)
    return url


def parse_family(raw: str, known: Collection[str]) -> str:
    family = raw.strip().lower()
    if family not in known:
        raise InvalidValue(f"family must be one of {', '.join(sorted(known))}; got {raw!r}", field="family")
    return family


@dataclass(frozen=True, slots=True)
class CodeMapping:
    """One of a platform's own penalty codes, and what it means here."""

    code: str
    category: Category
    severity: Severity
    description: str | None


def parse_code_mappings(raw: Any) -> tuple[CodeMapping, ...]:
    """`{"codes": {"SP-101": {"category": ..., "severity": ..., "description": ...}}}`, as shipped in
    platform_adapters/<family>/codes.json; refused whole, naming the entry, if any entry is wrong."""
    codes = raw.get("codes") if isinstance(raw, dict) else None
    if not isinstance(codes, dict) or not codes:
        raise InvalidValue('a code mapping is {"codes": {"<code>": {"category", "severity"}}}', field="codes")
    found = []
    for code, meaning in codes.items():
        field = f"codes.{code}"
        if not isinstance(meaning, dict) or not 1 <= len(code) <= 64:
            raise InvalidValue(f"{field} must be an object with category and severity", field=field)
        try:
            category, severity = Category(str(meaning.get("category"))), Severity(str(meaning.get("severity")))
        except ValueError as exc:
            raise InvalidValue(f"{field}: {exc}", field=field) from exc
        if category.is_positive:
            raise InvalidValue(f"{field}: {category.value} is not a violation category", field=field)
        description = meaning.get("description")
        found.append(CodeMapping(code, category, severity, str(description) if description else None))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class PlatformLink:
    """Everything an adapter needs to talk to one platform."""

    code: str
    family: str
    api_url: str | None
    push_url: str | None
    api_key: str | None
    webhook_secrets: tuple[str, ...]  # what the platform signs with (its webhooks, signed feed pages)
    outbound_secret: str | None  # what the hub signs its pushes with
    codes: Mapping[str, CodeMapping] = field(default_factory=dict)

    def require_api(self) -> str:
        if not self.api_url:
            raise InvalidValue(f"platform {self.code} has no API URL (platform set {self.code} --api-url URL)")
        return self.api_url.rstrip("/")
