"""`serve --demo`: load the demo world once, and hand the newcomer working credentials.

The world is loaded in one transaction, marked in hub_meta so a restart does not load it
twice. Credentials (an admin, a regulator and a viewer token, and per platform its token and
webhook secret) are written to `<data dir>/demo-credentials.json` (mode 0600) and logged, so
the README's first query can be pasted into GraphiQL straight away.
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
from credithub.demo.world import DEMO_PLATFORMS, generate_world
from credithub.services import clients
from credithub.services.ports import Deps

DEMO_META_KEY: Final = "demo_world"
CREDENTIALS_FILE: Final = "demo-credentials.json"
# The demo regulator acts for the authority that designated most of the demo world's listings.
DEMO_AUTHORITY: Final = "国家市场监督管理总局"
DEMO_CLIENTS: Final = (
    ("demo-admin", "admin", None),
    ("demo-regulator", "regulator", DEMO_AUTHORITY),
    ("demo-dashboard", "viewer", None),
)

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
    for name, role, authority in DEMO_CLIENTS:
        if role not in credentials["clients"]:
            credentials["clients"][role] = (await clients.add_client(deps, name, role, authority=authority)).token
    await load_demo_world(deps)
    _write_private_json(path, credentials)
    logger.info("demo credentials are in %s; admin token: %s", path, credentials["clients"]["admin"])
    return credentials


async def load_demo_world(deps: Deps, *, subjects: int = 6000) -> dict[str, int] | None:
    """Generate and insert the demo world unless it is there; returns the counts loaded."""
    if await meta.get(deps.pool, DEMO_META_KEY) is not None:
        logger.info("demo world already loaded")
        return None
    started = time.perf_counter()
    logger.info("demo world: generating %d subjects …", subjects)
    world = generate_world(subjects=subjects, now=deps.clock.now(), person_key=deps.person_key)
    counts = world.counts()
    logger.info("demo world: writing %s …", ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    async with transaction(deps.pool) as conn:
        await db_world.insert_world(conn, world)
        await meta.put(conn, DEMO_META_KEY, {"counts": counts, "loaded_at": deps.clock.now().isoformat()})
    logger.info("demo world loaded in %.1f s", time.perf_counter() - started)
    return counts


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
        if await clients.authenticate(deps, token) is not None:
            kept["clients"][role] = token
    return kept


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
