"""Keeping the status store current.

A stored status goes stale when the subject's facts change (the fact-version triggers queue it),
when its `stable_until` passes (a record expires, a measure's duration ends, a tier threshold is
crossed), or when the catalog or rule sets change. `refresh_due` recomputes a batch of those in
one transaction: claim, load facts, compute, store. Several refreshers may run at once (one per
`serve`); they skip each other's rows. If one dies mid-batch, its claims come back.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from credithub.db import facts as db_facts
from credithub.db import statuses as db_statuses
from credithub.db.pool import Connection, transaction
from credithub.domain import status_feed
from credithub.domain.flags import CreditStatus, StatusReplaced, compute_status
from credithub.services import flag_feed, outbox
from credithub.services.catalog import EngineConfig
from credithub.services.ports import Deps
from credithub.services.status_feed import CHANNEL

REFRESH_BATCH: Final = 500


async def refresh_due(deps: Deps, *, limit: int = REFRESH_BATCH) -> int:
    """Recompute and store up to `limit` statuses that are queued, expired, of an older catalog,
    or missing. Returns how many were refreshed; 0 means the store is current."""
    config = await deps.engine.current(deps.pool)
    at = deps.clock.now()
    async with transaction(deps.pool) as conn:
        subject_ids = await db_statuses.claim_queued(conn, limit)
        if len(subject_ids) < limit:
            subject_ids += await db_statuses.list_due(conn, at, config.version, limit - len(subject_ids))
        if len(subject_ids) < limit:
            subject_ids += await db_statuses.list_missing(conn, limit - len(subject_ids))
        return await _store(conn, list(dict.fromkeys(subject_ids)), config, at)


async def refresh_subjects(deps: Deps, subject_ids: list[int]) -> int:
    """Recompute and store the statuses of these subjects now, whatever their state."""
    config = await deps.engine.current(deps.pool)
    async with transaction(deps.pool) as conn:
        return await _store(conn, subject_ids, config, deps.clock.now())


async def _store(conn: Connection, subject_ids: list[int], config: EngineConfig, at: dt.datetime) -> int:
    """Compute, store, queue a push to every platform that sees a change, announce the changes to
    subscribers and append them to the flag change feed (all in one transaction: announced and
    fed on commit, or not at all)."""
    if not subject_ids:
        return 0
    stored = await db_statuses.lock_many(conn, subject_ids)
    computed: list[tuple[CreditStatus, int]] = []
    for entry in (await db_facts.load_for_subjects(conn, subject_ids)).values():
        status = compute_status(entry.facts, config.catalog, config.rule_sets, at)
        computed.append((status, entry.facts_version))
    await db_statuses.upsert_many(conn, computed, config.version)
    replaced = _replacements(stored, computed)
    await outbox.queue_changes(conn, replaced, at)
    announced = [status_feed.compute_status_changed(r.before, r.after, r.facts_version, at) for r in replaced]
    payloads = status_feed.encode_payloads(item for item in announced if item is not None)
    await db_statuses.announce(conn, CHANNEL, list(payloads))
    await flag_feed.record_changes(conn, replaced, at)  # last: it holds the feed lock until commit
    return len(computed)


def _replacements(
    stored: dict[int, db_statuses.Stored], computed: list[tuple[CreditStatus, int]]
) -> list[StatusReplaced]:
    """What the store took in place of what: leaving out a status computed from older facts than
    the one stored meanwhile (its own refresh has reported the change)."""
    replaced = []
    for status, facts_version in computed:
        previous = stored.get(status.subject_id)
        if previous is not None and previous.facts_version > facts_version:
            continue
        replaced.append(StatusReplaced(previous.status if previous else None, status, facts_version))
    return replaced
