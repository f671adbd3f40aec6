"""The audit trail by month: partitions created ahead, and rows that reached a DEFAULT partition
moved into partitions of their months (DDL: no row is ever updated or deleted)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from credithub.db import audit_partitions as db_partitions
from credithub.db.pool import transaction
from credithub.domain import audit_retention

if TYPE_CHECKING:
    from credithub.services.ports import Deps

# Every read inserts an audit row, and inserts queue behind a DDL lock that is waiting: never wait
# long for one.
LOCK_TIMEOUT: Final = "2s"

logger = logging.getLogger(__name__)


async def ensure_partitions(deps: Deps) -> dict[str, db_partitions.Ensured]:
    """Create the partitions of this month and the next ones if missing, and move rows that reached
    a DEFAULT partition (no partition for their month yet) into their months. Run by `serve` at
    start and hourly."""
    first = audit_retention.month_of(deps.clock.now())
    done = {}
    for table in audit_retention.AUDIT_TABLES:
        async with transaction(deps.pool) as conn:
            await db_partitions.limit_waits(conn, LOCK_TIMEOUT)
            done[table] = await db_partitions.ensure(conn, table, first, audit_retention.MONTHS_AHEAD)
        if done[table].created or done[table].moved:
            logger.info(
                "%s: %d partitions created, %d rows moved out of DEFAULT", table, done[table].created, done[table].moved
            )
    return done
