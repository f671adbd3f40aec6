"""`serve --demo`: load the demo world once, and hand the newcomer working credentials.

The world is loaded in one transaction, marked in hub_meta so a restart does not load it
twice; then its due-process stories are acted out through the services
(`credithub.services.demo_procedures`). Credentials are written to
`<data dir>/demo-credentials.json` (mode 0600) and the admin token is logged, so the README's
first query can be pasted into GraphiQL straight away: per platform its token and webhook
secret, and these clients —

    admin      runs the catalog, clients and platforms
    regulator  bound to the body that runs the inter-platform list (CREDITHUB_JOINT_LIST_AUTHORITY):
               decides its proposals, ends its entries, answers its exit reviews, resolves objections
    viewer     the dashboard's read-only token
    subject    a merchant with a listing proposed against it, its defence window open
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Final

from credithub.db import meta
from credithub.db import platforms as db_platforms
from credithub.db import world as db_world
from credithub.db.pool import transaction
from credithub.demo.cast import choose_cast
from credithub.demo.world import DEMO_PLATFORMS, generate_world
from credithub.domain.clients import Client, Role
from credithub.domain.ids import IdKind, format_id
from credithub.services import clients, demo_procedures
from credithub.services.ports import Deps

DEMO_META_KEY: Final = "demo_world"
CREDENTIALS_FILE: Final = "demo-credentials.json"
DEMO_CLIENTS: Final = (("demo-admin", "admin"), ("demo-regulator", "regulator"), ("demo-dashboard", "viewer"))
SUBJECT_CLIENT: Final = "demo-subject"

logger = logging.getLogger(__name__)


async def prepare_demo(deps: Deps) -> dict[str, Any]:
    """Ensure the demo platforms, clients and world exist; returns the credentials."""
    path = deps.settings.data_dir / CREDENTIALS_FILE
    credentials = await _valid_credentials(deps, path)
    for platform in DEMO_PLATFORMS:
        if platform.code not in credentials["platforms"]:
            credentials["platforms"][platform.code] = await _platform_credentials(
                deps, platform.code, platform.name, platform.family
            )
    for name, role in DEMO_CLIENTS:
        if role not in credentials["clients"]:
            authority = deps.settings.joint_list_authority if role == "regulator" else None
            credentials["clients"][role] = (await clients.add_client(deps, name, role, authority=authority)).token
    await load_demo_world(deps, await _actors(deps, credentials))
    if "subject" not in credentials["clients"]:
        loaded = await meta.get(deps.pool, DEMO_META_KEY)
        subject = format_id(IdKind.SUBJECT, loaded["subject_client"])
        credentials["clients"]["subject"] = (
            await clients.add_client(deps, SUBJECT_CLIENT, "subject", subject=subject)
        ).token
    _write_private_json(path, credentials)
    logger.info("demo credentials are in %s; admin token: %s", path, credentials["clients"]["admin"])
    return credentials


async def load_demo_world(deps: Deps, actors: demo_procedures.Actors, *, subjects: int = 6000) -> dict[str, int] | None:
    """Generate and insert the demo world unless it is there, then act out its due-process
    stories; returns the counts loaded."""
    if await meta.get(deps.pool, DEMO_META_KEY) is not None:
        logger.info("demo world already loaded")
        return None
    started = time.perf_counter()
    now = deps.clock.now()
    logger.info("demo world: generating %d subjects …", subjects)
    world = generate_world(subjects=subjects, now=now, person_key=deps.person_key)
    cast = choose_cast(world, now)
    counts = world.counts()
    logger.info("demo world: writing %s …", ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    async with transaction(deps.pool) as conn:
        ids = await db_world.insert_world(conn, world)
        subject_client = ids.subjects[cast.defending.subject_index]
        marker = {"counts": counts, "loaded_at": now.isoformat(), "subject_client": subject_client}
        await meta.put(conn, DEMO_META_KEY, marker)
    logger.info("demo world: acting out its due-process stories …")
    for what, added in (await demo_procedures.act_out(deps, cast, ids, actors, now)).items():
        counts[what] += added
    await meta.put(deps.pool, DEMO_META_KEY, {**marker, "counts": counts})
    logger.info("demo world loaded in %.1f s", time.perf_counter() - started)
    return counts


async def _actors(deps: Deps, credentials: dict[str, Any]) -> demo_procedures.Actors:
    async def client(token: str) -> Client:
        found = await clients.authenticate(deps, token)
        assert found is not None, "the credentials were just checked or issued"
        return found

    platforms = {code: await client(entry["token"]) for code, entry in credentials["platforms"].items()}
    return demo_procedures.Actors(await client(credentials["clients"]["regulator"]), platforms)


async def _platform_credentials(deps: Deps, code: str, name: str, family: str) -> dict[str, str]:
    if await db_platforms.get(deps.pool, code) is None:
        registered = await clients.add_platform(deps, code, name, family=family)
        return {
            "token": registered.client.token,
            "webhook_secret": registered.webhook_secret,
            "outbound_secret": registered.outbound_secret,
        }
    # Registered before, but its token was not kept: issue a new one; secrets are stored.
    issued = await clients.add_client(deps, f"{name} (demo)", "platform", platform=code)
    webhook = await db_platforms.list_active_secrets(deps.pool, code, "webhook")
    outbound = await db_platforms.list_active_secrets(deps.pool, code, "outbound")
    return {"token": issued.token, "webhook_secret": webhook[0], "outbound_secret": outbound[0]}


async def _valid_credentials(deps: Deps, path: Path) -> dict[str, Any]:
    """The credentials file, keeping only tokens that still authenticate."""
    kept: dict[str, Any] = {"platforms": {}, "clients": {}}
    if not path.exists():  # noqa: ASYNC240 (a tiny local file, read once at startup)
        return kept
    stored = json.loads(path.read_text())  # noqa: ASYNC240
    for code, entry in stored.get("platforms", {}).items():
        if await clients.authenticate(deps, entry.get("token", "")) is not None:
            kept["platforms"][code] = entry
    for role, token in stored.get("clients", {}).items():
        client = await clients.authenticate(deps, token)
        if client is not None and _bound_as_expected(deps, role, client):
            kept["clients"][role] = token
    return kept


def _bound_as_expected(deps: Deps, role: str, client: Client) -> bool:
    """A regulator token from before the demo regulator was bound to an authority is replaced."""
    if role == Role.REGULATOR.value:
        return client.authority == deps.settings.joint_list_authority
    return True


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
