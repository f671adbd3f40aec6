"""Writing the audit trail: who did what, with the entity before and after; who read what.

Every service that changes credit information calls `write` inside its own transaction, so
the change and its audit row commit together or not at all. Before and after are kept in
`codec`'s form: dataclasses as objects of their fields, instants as ISO 8601, enums by value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from credithub.db import audit as db_audit
from credithub.db.pool import Connection
from credithub.domain import codec
from credithub.domain.clients import Client

if TYPE_CHECKING:
    from credithub.services.ports import Deps


async def write(
    conn: Connection,
    *,
    at: dt.datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | str,
    subject_id: int | None,
    before: Any,
    after: Any,
) -> None:
    await db_audit.insert_write(
        conn, at, actor, action, entity, str(entity_id), subject_id, codec.encode(before), codec.encode(after)
    )


async def record_reads(
    deps: Deps, client: Client, reads: Iterable[tuple[str, int, str | None]], declared: str | None = None
) -> None:
    """Keep who read credit information about which subjects, through which operation, and why:
    the purpose stated for the read (a credit report's), else the one the request declared
    (`Credit-Purpose`), else the client's default purpose."""
    fallback = declared or client.default_purpose
    ordered = sorted(
        ((operation, subject_id, purpose or fallback) for operation, subject_id, purpose in reads),
        key=lambda read: (read[0], read[1], read[2] or ""),
    )
    await db_audit.insert_reads(deps.pool, deps.clock.now(), client, ordered)
