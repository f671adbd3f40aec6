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
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Client:
    """Who is calling: resolved from the bearer token on every request."""

    id: int
    name: str
    role: Role
    platform: str | None

    @property
    def label(self) -> str:
        """How the client appears as an actor in histories and the audit trail."""
        return f"{self.role.value}:{self.name}"


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


def parse_client_name(raw: str) -> str:
    name = raw.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidValue("client name must be 1-200 characters", field="name")
    return check_storable(name, "name")


def check_may_manage(actor: Client) -> None:
    """Clients are managed by admins (and from the command line)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("only admins manage clients")
