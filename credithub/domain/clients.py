"""API clients, their roles, and bearer tokens (shown once, stored only as a hash)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.errors import InvalidValue, PermissionDenied
from credithub.domain.texts import check_storable

TOKEN_PREFIX = "chub_"  # noqa: S105 (a prefix, not a secret)
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105
MAX_TOKEN_LENGTH = 100  # ours are 48 characters; anything much longer is not worth hashing


class Role(StrEnum):
    PLATFORM = "platform"  # bound to one platform code
    REGULATOR = "regulator"
    VIEWER = "viewer"  # dashboards, read only
    ADMIN = "admin"  # runs the catalog, clients and platforms; designates nothing
    SUBJECT = "subject"  # a merchant, anchor or agency itself: its own records, objections, defences


AUTHORITY_MAX = 200
PURPOSE_MAX = 200


@dataclass(frozen=True, slots=True)
class Client:
    """Who is calling: resolved from the bearer token on every request."""

    id: int
    name: str
    role: Role
    platform: str | None
    authority: str | None = None  # a regulator's designating body; None: bound to none (reads only)
    subject_id: int | None = None  # the one subject a `subject` client speaks for
    default_purpose: str | None = None  # why it reads credit information, when a request does not say

    @property
    def label(self) -> str:
        """How the client appears as an actor in histories and the audit trail."""
        return f"{self.role.value}:{self.name}"

    def acts_for_authority(self, authority: str) -> bool:
        """A regulator bound to `authority`: the only client that may decide for it."""
        return self.role is Role.REGULATOR and self.authority is not None and self.authority == authority

    def speaks_for(self, subject_id: int) -> bool:
        return self.role is Role.SUBJECT and self.subject_id == subject_id


def generate_token() -> str:
    """A new bearer token: 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).digest()


def generate_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def parse_role(raw: str) -> Role:
    try:
        return Role(raw.strip().lower())
    except ValueError:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidValue(f"role must be one of {allowed}, got {raw!r}", field="role") from None


def parse_authority(raw: str) -> str:
    """The name of a designating body, e.g. 国家市场监督管理总局."""
    authority = raw.strip()
    if not 1 <= len(authority) <= AUTHORITY_MAX:
        raise InvalidValue(f"authority must be 1-{AUTHORITY_MAX} characters", field="authority")
    return check_storable(authority, "authority")


def parse_purpose(raw: str) -> str:
    """Why a client reads credit information (kept with every audited read)."""
    purpose = raw.strip()
    if not 1 <= len(purpose) <= PURPOSE_MAX:
        raise InvalidValue(f"purpose must be 1-{PURPOSE_MAX} characters", field="purpose")
    return check_storable(purpose, "purpose")


def parse_declared_purpose(raw: str | None) -> str | None:
    """A purpose declared with a request (the `Credit-Purpose` header), cut to size; None if absent
    or unusable (a client's default purpose then applies)."""
    if raw is None:
        return None
    text = "".join(ch for ch in raw.strip() if ch.isprintable())[:PURPOSE_MAX]
    return text or None


def parse_client_name(raw: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidValue("client name must be 1-200 characters", field="name")
    return check_storable(name, "name")


def check_may_manage(actor: Client) -> None:
    """Clients are managed by admins (and from the command line)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only admins manage clients")
