"""Keeping the status store current.

A stored status goes stale when the subject's facts change (the service that changes them calls
`queue_refresh`; the fact-version triggers do the same for every write, bulk loads included),
when its `stable_until` passes (a record expires, a measure's duration ends, a tier threshold is
crossed), or when the catalog or rule sets change. `refresh_due` recomputes a batch of those in
one transaction: claim, load facts, compute, store. Several refreshers may run at once (one per
`serve`); they skip each other's rows. If one dies mid-batch, its claims come back. A subject is
queued when it is inserted; `queue_missing` finds any left without a status (a bulk load with
triggers off) by scanning them all, so only `recompute-statuses` and a refresher's start run it.

A subject whose status cannot be computed (a fact the engine cannot read, a bug) never holds up
the others: it is set apart with its error (`compute_statuses`), parked in `parked_statuses`,
and left alone until its facts or the catalog change or an operator retries it. Everything else
in its batch is stored, pushed and announced as usual.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Final

import asyncpg

from credithub.db import facts as db_facts
from credithub.db import statuses as db_statuses
from credithub.db.pool import OUTAGE as DATABASE_AWAY
from credithub.db.pool import Connection, Executor, transaction
from credithub.domain import status_feed
from credithub.domain.flags import CreditStatus, StatusReplaced, compute_status
from credithub.services import flag_feed, outbox, read_models
from credithub.services.engine_config import EngineConfig
from credithub.services.ports import Deps
from credithub.services.status_feed import CHANNEL

REFRESH_BATCH: Final = 500
# Failures that say nothing about one subject: the database is away or the statement was cut off.
# They fail the batch (retried whole, later); anything else is the subject's own and parks it.
OUTAGE: Final = (*DATABASE_AWAY, asyncpg.QueryCanceledError)

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Computed:
    """Statuses computed from their facts (with the facts version), and the subjects set apart."""

    statuses: list[tuple[CreditStatus, int]] = field(default_factory=list)
    unavailable: list[db_statuses.Unavailable] = field(default_factory=list)

    def extend(self, other: Computed) -> None:
        self.statuses.extend(other.statuses)
        self.unavailable.extend(other.unavailable)


async def compute_statuses(conn: Executor, subject_ids: list[int], config: EngineConfig, at: dt.datetime) -> Computed:
    """The statuses of these subjects at `at`. A subject whose facts cannot be loaded or whose
    status cannot be computed is set apart with its error; the others are computed as usual.
    Loading is one query for the batch; only when that fails is each subject loaded alone (in a
    savepoint when `conn` is in a transaction), to find the one to blame."""
    computed = Computed()
    try:
        async with _savepoint(conn):
            loaded = await db_facts.load_for_subjects(conn, subject_ids)
    except OUTAGE:
        raise
    except Exception as exc:  # the subject's own data: find which one, park it with its error
        if len(subject_ids) == 1:
            computed.unavailable.append(db_statuses.Unavailable(subject_ids[0], 0, _describe(exc)))
            return computed
        for subject_id in subject_ids:
            computed.extend(await compute_statuses(conn, [subject_id], config, at))
        return computed
    for subject_id, entry in loaded.items():
        try:
            status = compute_status(entry.facts, config.catalog, config.rule_sets, at)
        except Exception as exc:  # a fact the engine cannot handle: this subject only
            computed.unavailable.append(db_statuses.Unavailable(subject_id, entry.facts_version, _describe(exc)))
        else:
            computed.statuses.append((status, entry.facts_version))
    return computed


@contextlib.asynccontextmanager
async def _savepoint(conn: Executor) -> AsyncIterator[None]:
    """A failed statement aborts the transaction it runs in; a savepoint keeps the rest of it."""
    if isinstance(conn, asyncpg.Pool) or not conn.is_in_transaction():
        yield
        return
    async with conn.transaction():
        yield


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


async def queue_refresh(conn: Connection, subject_ids: list[int]) -> None:
    """The facts of these subjects changed in this transaction: once it commits, the refresher
    recomputes their statuses — and those of the subjects that read them one relation away —
    stores them, pushes the changes to platforms and announces them; until then no cached status
    of theirs is served (they get a new facts version, the cache key). Services that change facts
    call it, so a use case shows the refresh it causes.

    The fact-version triggers (migration 0004, `touch_subjects`) do the same for every write to the
    fact tables whatever its path: the bulk paths (the authority import, the demo world's COPY)
    rely on them alone, and they keep a hand-made fix from leaving a stale status behind. So this
    call repeats what a trigger did in the same transaction, and is idempotent with it: another
    new version, and a subject already queued stays queued once."""
    await db_statuses.queue_refresh(conn, subject_ids)


@dataclass(slots=True)
class Drain:
    """How far one refresher draining a long queue has got: its next claim starts after the last
    subject it took, not at the queue's head, which a drained queue fills with deleted rows until
    vacuum reaches them (at 1M queued, claims from the head cost two thirds of the database's time).
    When nothing is left after that position, the claim goes back to the head once, for subjects
    queued behind it meanwhile (a transaction that began earlier and committed later)."""

    after: db_statuses.QueuePosition | None = None


async def refresh_due(deps: Deps, *, limit: int = REFRESH_BATCH, drain: Drain | None = None) -> int:
    """Recompute and store up to `limit` statuses that are queued, expired or of an older
    catalog. Returns how many were refreshed; 0 means the store is current. Its cost follows what
    changed, not how many subjects there are: each lookup walks an index from its start (with a
    `drain`, the queue's from where this refresher left it)."""
    config = await deps.engine.current(deps.pool)
    at = deps.clock.now()
    async with transaction(deps.pool) as conn:
        subject_ids = await _claim(conn, limit, drain)
        if len(subject_ids) < limit:
            subject_ids += await db_statuses.list_expired(conn, at, config.version, limit - len(subject_ids))
        if len(subject_ids) < limit:
            subject_ids += await db_statuses.list_outdated(conn, config.version, limit - len(subject_ids))
        return await _store_isolated(conn, list(dict.fromkeys(subject_ids)), config, at)


async def _claim(conn: Connection, limit: int, drain: Drain | None) -> list[int]:
    """Queued subjects: after the drain's position while any are left there, else from the head."""
    claimed = []
    if drain is not None and drain.after is not None:
        claimed = await db_statuses.claim_queued(conn, limit, drain.after)
    if len(claimed) < limit:
        claimed += await db_statuses.claim_queued(conn, limit - len(claimed))
    if drain is not None and claimed:
        drain.after = max(position for _, position in claimed)
    return [subject_id for subject_id, _ in claimed]


async def queue_missing(deps: Deps) -> int:
    """Queue every subject that has no stored status and is not parked; returns how many. A new
    subject is queued when it is inserted (a trigger), so only a bulk load with triggers off or a
    status deleted by hand leaves one without: a full scan, for `recompute-statuses` and a
    refresher's start, never for every round of the refresher."""
    return await db_statuses.queue_missing(deps.pool)


async def refresh_subjects(deps: Deps, subject_ids: list[int]) -> int:
    """Recompute and store the statuses of these subjects now, whatever their state."""
    config = await deps.engine.current(deps.pool)
    async with transaction(deps.pool) as conn:
        return await _store_isolated(conn, subject_ids, config, deps.clock.now())


async def retry_parked(deps: Deps, subject_ids: list[int] | None = None) -> list[int]:
    """Put parked subjects (these, or all) back on the refresh queue, once their cause is fixed."""
    return await db_statuses.retry_parked(deps.pool, subject_ids)


async def _store_isolated(conn: Connection, subject_ids: list[int], config: EngineConfig, at: dt.datetime) -> int:
    """`_store` for the batch; if any step of it fails for a reason of a subject's own (its stored
    status, its messages), each subject again alone, parking the one that fails."""
    try:
        async with conn.transaction():
            return await _store(conn, subject_ids, config, at)
    except OUTAGE:
        raise
    except Exception as exc:  # one subject's data: find it, park it, store the rest
        if len(subject_ids) == 1:
            logger.error("status refresher: parked subject %d: %s", subject_ids[0], _describe(exc))
            await db_statuses.park(
                conn, [db_statuses.Unavailable(subject_ids[0], 0, _describe(exc))], config.version, at
            )
            return 0
        logger.warning("status refresher: a batch of %d failed (%s); storing one by one", len(subject_ids), exc)
    stored = 0
    for subject_id in subject_ids:
        stored += await _store_isolated(conn, [subject_id], config, at)
    return stored


async def _store(conn: Connection, subject_ids: list[int], config: EngineConfig, at: dt.datetime) -> int:
    """Compute, store, queue a push to every platform that sees a change, announce the changes to
    subscribers and append them to the flag change feed (all in one transaction: announced and
    fed on commit, or not at all)."""
    if not subject_ids:
        return 0
    stored = await db_statuses.lock_many(conn, subject_ids)
    result = await compute_statuses(conn, subject_ids, config, at)
    computed = result.statuses
    if result.unavailable:
        for item in result.unavailable:
            logger.error("status refresher: parked subject %d: %s", item.subject_id, item.error)
        await db_statuses.park(conn, result.unavailable, config.version, at)
    await db_statuses.unpark(conn, [status.subject_id for status, _ in computed])
    await db_statuses.upsert_many(conn, computed, config.version)
    replaced = _replacements(stored, computed)
    await outbox.queue_changes(conn, replaced, at)
    announced = [
        status_feed.compute_status_changed(r.before, r.after, r.facts_version, at, read_models.platform_status_view)
        for r in replaced
    ]
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
