"""Registering platforms and API clients, and recognising them by bearer token."""

from __future__ import annotations

from dataclasses import dataclass

from credithub.db import clients as db_clients
from credithub.db import platforms as db_platforms
from credithub.db import subjects as db_subjects
from credithub.db.pool import Connection, transaction
from credithub.domain import clients, identifiers, platforms
from credithub.domain.errors import InvalidValue, NotFound, UnknownPlatform, UnknownSubject
from credithub.domain.ids import IdKind, parse_id
from credithub.services.ports import Deps


@dataclass(frozen=True, slots=True)
class IssuedClient:
    """A new client and its token; the token is shown this once and stored only hashed."""

    id: int
    name: str
    role: clients.Role
    platform: str | None
    token: str
    authority: str | None = None
    subject_id: int | None = None


@dataclass(frozen=True, slots=True)
class RegisteredPlatform:
    code: str
    name: str
    family: str
    push_url: str | None
    api_url: str | None
    client: IssuedClient
    webhook_secret: str
    outbound_secret: str
    codes: int  # penalty codes mapped from the family's defaults


async def add_platform(
    deps: Deps,
    code: str,
    name: str,
    *,
    push_url: str | None = None,
    family: str = "standard",
    api_url: str | None = None,
    api_key: str | None = None,
) -> RegisteredPlatform:
    """Register a platform with its client token, both signing secrets, the key for its API and
    its family's default code mapping, all or nothing."""
    code = platforms.parse_platform_code(code)
    name = clients.parse_client_name(name)
    family = platforms.parse_family(family, deps.adapters)
    push_url = platforms.parse_url(push_url, "push_url") if push_url is not None else None
    api_url = platforms.parse_url(api_url, "api_url") if api_url is not None else None
    defaults = deps.adapters[family].load_default_codes()
    mappings = platforms.parse_code_mappings(defaults) if defaults is not None else ()
    webhook_secret = clients.generate_webhook_secret()
    outbound_secret = clients.generate_webhook_secret()
    async with transaction(deps.pool) as conn:
        platform = await db_platforms.insert(conn, code, name, family, push_url, api_url)
        await db_platforms.insert_secret(conn, code, "webhook", webhook_secret)
        await db_platforms.insert_secret(conn, code, "outbound", outbound_secret)
        if api_key:
            await db_platforms.insert_secret(conn, code, "api", api_key.strip())
        await db_platforms.replace_codes(conn, code, mappings)
        token = clients.generate_token()
        client_id = await db_clients.insert(conn, name, clients.Role.PLATFORM, code, clients.hash_token(token))
    issued = IssuedClient(client_id, name, clients.Role.PLATFORM, code, token)
    return RegisteredPlatform(
        platform.code,
        platform.name,
        platform.family,
        platform.push_url,
        platform.api_url,
        issued,
        webhook_secret,
        outbound_secret,
        len(mappings),
    )


async def add_client(
    deps: Deps,
    name: str,
    role: str,
    *,
    platform: str | None = None,
    authority: str | None = None,
    subject: str | None = None,
    purpose: str | None = None,
) -> IssuedClient:
    """Issue a token: a platform client (bound to its platform), a regulator (bound to the
    authority it designates for), a subject (bound to itself: a subject id or credit code), a
    viewer or an admin."""
    name = clients.parse_client_name(name)
    parsed_role = clients.parse_role(role)
    if (parsed_role is clients.Role.PLATFORM) != (platform is not None):
        raise InvalidValue("a platform client needs --platform, and only a platform client takes it", field="platform")
    if authority is not None and parsed_role is not clients.Role.REGULATOR:
        raise InvalidValue("only a regulator is bound to an authority", field="authority")
    if (parsed_role is clients.Role.SUBJECT) != (subject is not None):
        raise InvalidValue("a subject client needs --subject, and only a subject client takes it", field="subject")
    bound_authority = clients.parse_authority(authority) if authority is not None else None
    default_purpose = clients.parse_purpose(purpose) if purpose is not None else None
    token = clients.generate_token()
    async with transaction(deps.pool) as conn:
        if platform is not None and await db_platforms.get(conn, platform) is None:
            raise UnknownPlatform(platform)
        subject_id = await _find_subject(conn, subject) if subject is not None else None
        client_id = await db_clients.insert(
            conn,
            name,
            parsed_role,
            platform,
            clients.hash_token(token),
            authority=bound_authority,
            subject_id=subject_id,
            default_purpose=default_purpose,
        )
    return IssuedClient(client_id, name, parsed_role, platform, token, bound_authority, subject_id)


async def _find_subject(conn: Connection, raw: str) -> int:
    """A subject by its hub id (sub_42) or credit code."""
    if raw.strip().startswith(IdKind.SUBJECT.value + "_"):
        subject_id = parse_id(IdKind.SUBJECT, raw, field_name="subject")
        if not await db_subjects.get_many(conn, [subject_id]):
            raise UnknownSubject(raw.strip())
        return subject_id
    code = identifiers.parse_credit_code(raw, field_name="subject").value
    found = await db_subjects.get_by_credit_code(conn, code)
    if found is None:
        raise UnknownSubject(f"credit code {code}")
    return found.id


async def authenticate(deps: Deps, token: str) -> clients.Client | None:
    """The active client holding this bearer token, or None. Every request authenticates; the
    instance's token cache (`services.tokens`) saves it a round trip, and forgets a client the
    moment a revocation is announced."""
    if not token.startswith(clients.TOKEN_PREFIX) or len(token) > clients.MAX_TOKEN_LENGTH:
        return None
    token_hash = clients.hash_token(token)
    client = deps.tokens.cached(token_hash)
    if client is None:
        generation = deps.tokens.generation
        client = await db_clients.get_by_token_hash(deps.pool, token_hash)
        if client is not None:
            deps.tokens.remember(token_hash, client, generation)
    return client


async def revoke(deps: Deps, client_id: int) -> None:
    """Revoke a client's token. Every instance hears of it when it commits (a trigger sends a
    notice) and stops accepting the token at once, for HTTP and open WebSockets alike."""
    token_hash = await db_clients.revoke(deps.pool, client_id, deps.clock.now())
    if token_hash is None:
        raise NotFound(f"no active client with id {client_id}")
    deps.tokens.forget_client(client_id)  # this instance need not wait for its own notice


async def revoke_as(deps: Deps, actor: clients.Client, client_id: int) -> None:
    """`revokeClient`: an admin revokes a client's token."""
    clients.check_may_manage(actor)
    await revoke(deps, client_id)


async def rotate_webhook_secret(deps: Deps, platform: str) -> str:
    """Add a new webhook secret; the old ones keep working until retired, so the platform can
    switch over without losing an event."""
    secret = clients.generate_webhook_secret()
    async with transaction(deps.pool) as conn:
        if await db_platforms.get(conn, platform) is None:
            raise UnknownPlatform(platform)
        await db_platforms.insert_secret(conn, platform, "webhook", secret)
    return secret


async def retire_webhook_secrets(deps: Deps, platform: str, *, keep: int = 1) -> list[int]:
    """Retire all but the newest `keep` webhook secrets of a platform; returns the retired ids."""
    if keep < 1:
        raise InvalidValue("keep at least one secret, or the platform cannot sign at all", field="keep")
    if await db_platforms.get(deps.pool, platform) is None:
        raise UnknownPlatform(platform)
    retired = await db_platforms.retire_secrets(deps.pool, platform, "webhook", keep, deps.clock.now())
    deps.tokens.forget_secrets(platform)  # here at once; other instances when the notice reaches them
    return retired


async def set_endpoints(
    deps: Deps,
    code: str,
    *,
    api_url: str | None = None,
    push_url: str | None = None,
    api_key: str | None = None,
    clear: frozenset[str] = frozenset(),
) -> platforms.Platform:
    """Change where the hub reaches a platform: given values replace, names in `clear`
    ("api_url", "push_url") remove, the rest stays. A new API key replaces the old one."""
    async with transaction(deps.pool) as conn:
        current = await db_platforms.get(conn, code)
        if current is None:
            raise UnknownPlatform(code)
        new_api = platforms.parse_url(api_url, "api_url") if api_url is not None else current.api_url
        new_push = platforms.parse_url(push_url, "push_url") if push_url is not None else current.push_url
        updated = await db_platforms.update_api(
            conn, code, None if "api_url" in clear else new_api, None if "push_url" in clear else new_push
        )
        assert updated is not None
        if api_key:
            await db_platforms.insert_secret(conn, code, "api", api_key.strip())
            await db_platforms.retire_secrets(conn, code, "api", 1, deps.clock.now())
    return updated


async def replace_codes(deps: Deps, code: str, raw: object) -> tuple[platforms.CodeMapping, ...]:
    """Replace a platform's penalty-code mapping with the one in `raw` (codes.json's shape)."""
    mappings = platforms.parse_code_mappings(raw)
    async with transaction(deps.pool) as conn:
        if await db_platforms.get(conn, code) is None:
            raise UnknownPlatform(code)
        await db_platforms.replace_codes(conn, code, mappings)
    return mappings


async def list_codes(deps: Deps, code: str) -> list[platforms.CodeMapping]:
    if await db_platforms.get(deps.pool, code) is None:
        raise UnknownPlatform(code)
    return await db_platforms.list_codes(deps.pool, code)


async def list_clients(deps: Deps, *, include_revoked: bool) -> list[db_clients.ListedClient]:
    """The API clients, oldest first; revoked ones only when asked for."""
    return [client for client in await db_clients.list_all(deps.pool) if include_revoked or client.revoked_at is None]


async def list_platforms(deps: Deps) -> list[platforms.Platform]:
    return await db_platforms.list_all(deps.pool)


async def get_platform(deps: Deps, code: str) -> platforms.Platform | None:
    return await db_platforms.get(deps.pool, code)


async def get_link(deps: Deps, code: str) -> platforms.PlatformLink | None:
    """What an adapter needs to talk to the platform (secrets included), or None when it is unknown."""
    return await db_platforms.get_link(deps.pool, code)


async def list_webhook_secrets(deps: Deps, platform: str) -> list[str]:
    """The secrets a platform's webhooks may be signed with, newest first: one per rotation
    not yet retired, so a platform switching secrets loses no event. Every webhook asks, so the
    instance keeps them (`services.tokens`), and forgets them the moment any instance changes them."""
    cached = deps.tokens.cached_secrets(platform)
    if cached is not None:
        return cached
    generation = deps.tokens.generation
    found = await db_platforms.get_with_secrets(deps.pool, platform, "webhook")
    if found is None:
        raise UnknownPlatform(platform)
    deps.tokens.remember_secrets(platform, found, generation)
    return found
