from __future__ import annotations

import asyncpg
import pytest

from credithub.domain.clients import Role
from credithub.domain.errors import AlreadyExists, InvalidValue, NotFound, UnknownPlatform
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories


async def test_a_registered_platform_gets_a_working_token_and_two_distinct_secrets(deps: Deps) -> None:
    registered = await factories.platform(deps, push_url="https://platform.example/credithub")
    assert registered.webhook_secret.startswith("whsec_")
    assert registered.webhook_secret != registered.outbound_secret
    client = await clients.authenticate(deps, registered.client.token)
    assert client is not None
    assert (client.role, client.platform) == (Role.PLATFORM, registered.code)


async def test_tokens_are_stored_only_as_hashes(deps: Deps) -> None:
    issued = await clients.add_client(deps, f"dash {factories.suffix()}", "viewer")
    stored = await deps.pool.fetchval("SELECT token_hash FROM clients WHERE id = $1", issued.id)
    assert issued.token.encode() not in stored
    assert len(stored) == 32


async def test_a_platform_code_can_be_registered_once(deps: Deps) -> None:
    registered = await factories.platform(deps)
    with pytest.raises(AlreadyExists):
        await clients.add_platform(deps, registered.code, "Again")


async def test_a_failed_registration_leaves_no_half_platform(deps: Deps) -> None:
    code = f"p-{factories.suffix()}"
    with pytest.raises(InvalidValue):
        await clients.add_platform(deps, code, "Bad URL", push_url="ftp://nowhere")
    assert await deps.pool.fetchval("SELECT count(*) FROM platforms WHERE code = $1", code) == 0


@pytest.mark.parametrize(("role", "platform"), [("platform", None), ("viewer", "shopmall"), ("superuser", None)])
async def test_inconsistent_client_requests_are_refused(deps: Deps, role: str, platform: str | None) -> None:
    with pytest.raises(InvalidValue):
        await clients.add_client(deps, "someone", role, platform=platform)


async def test_a_platform_client_needs_a_registered_platform(deps: Deps) -> None:
    with pytest.raises(UnknownPlatform):
        await clients.add_client(deps, "someone", "platform", platform="never-registered")


async def test_unknown_and_revoked_tokens_do_not_authenticate(deps: Deps) -> None:
    issued = await clients.add_client(deps, f"regulator {factories.suffix()}", "regulator")
    assert await clients.authenticate(deps, issued.token) is not None
    assert await clients.authenticate(deps, issued.token + "x") is None
    assert await clients.authenticate(deps, "not-even-our-format") is None
    await clients.revoke(deps, issued.id)
    assert await clients.authenticate(deps, issued.token) is None
    with pytest.raises(NotFound):
        await clients.revoke(deps, issued.id)


async def test_the_database_refuses_a_platform_client_without_a_platform(deps: Deps) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await deps.pool.execute("INSERT INTO clients (name, role, token_hash) VALUES ('x', 'platform', '\\x00')")
