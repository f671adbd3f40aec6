"""POST /webhooks/{platform}: verify → validate → store in the inbox → 202.

The answer is 2xx only once the event is committed to the inbox; processing happens after, in
the inbox worker. Errors go through `http_errors.EXCEPTION_HANDLERS`.

Backpressure: while the inbox holds CREDITHUB_INBOX_BACKLOG_LIMIT events not applied yet, a new
event is answered 429 with Retry-After and not stored (`InboxGate`), so a sender faster than the
inbox worker waits instead of growing a backlog without bound. Nothing accepted is dropped.
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from credithub.db.pool import OUTAGE
from credithub.domain import events, platforms
from credithub.domain.errors import DomainError, UnknownPlatform
from credithub.entrypoints import signatures
from credithub.entrypoints.http_errors import DatabaseAway, InboxFull, MalformedBody
from credithub.services import clients, inbox
from credithub.services.ports import Deps

PROBE_SECONDS: Final = 1.0
BACKLOG_READ_SECONDS: Final = 0.5  # how old this instance's reading of the inbox backlog may get
RETRY_AFTER_SECONDS: Final = 5  # what a sender turned away by a full inbox is told to wait


class InboxGate:
    """Whether this instance stores more webhooks: not while the inbox holds `limit` events not
    applied yet (0: no limit). The backlog is read at most every BACKLOG_READ_SECONDS, with a
    count that stops at the limit, and each delivery let through in between counts as waiting at
    once: a delivery pays for no count of its own, and neither a burst nor concurrent deliveries
    run past the limit between readings (other instances' deliveries since the last one aside)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0
        self._let_through = 0  # deliveries let through (less those released), ever: kept across readings
        self._read_at: float | None = None
        self._reading = False

    async def admit(self, deps: Deps) -> bool:
        """False if the inbox is full; else True, and the delivery counts as waiting."""
        if self.limit <= 0:
            return True
        now = time.monotonic()
        if not self._reading and (self._read_at is None or now - self._read_at >= BACKLOG_READ_SECONDS):
            await self._read(deps, now)
        if self.waiting >= self.limit:
            return False
        self.waiting += 1
        self._let_through += 1
        return True

    def release(self) -> None:
        """A delivery let through was not stored after all (a repeat, a refusal, a failure)."""
        self.waiting = max(0, self.waiting - 1)
        self._let_through -= 1

    async def _read(self, deps: Deps, now: float) -> None:
        """One reading at a time (the others go by the last one); deliveries let through while it
        runs are added to what it counted."""
        self._reading = True
        before = self._let_through
        try:
            counted = await inbox.count_waiting(deps, self.limit)
        finally:
            self._reading = False
        self.waiting = counted + self._let_through - before
        self._read_at = now


async def receive(request: Request) -> JSONResponse:
    """Answer a delivery. A failure that is not the event's own (not a DomainError, not a refusal)
    while the database does not answer is an outage, whatever exception it surfaced as while
    PostgreSQL went down: 503, so the platform delivers again, never a 500 it may give up on."""
    deps: Deps = request.app.state.deps.for_work("ingest")  # its own connections: reads cannot starve it
    try:
        return await _receive(request, deps)
    except (DomainError, HTTPException, MalformedBody, InboxFull, signatures.WebhookRefused, *OUTAGE):
        raise
    except Exception as exc:
        if await _database_answers(deps):
            raise
        raise DatabaseAway(f"{type(exc).__name__}: {exc}") from exc


async def _database_answers(deps: Deps) -> bool:
    try:
        await asyncio.wait_for(deps.pool.fetchval("SELECT 1"), PROBE_SECONDS)
    except Exception:
        return False
    return True


async def _receive(request: Request, deps: Deps) -> JSONResponse:
    platform = request.path_params["platform"]
    if not platforms.is_platform_code(platform):  # e.g. U+0000 in the path: no such platform, never a query
        raise UnknownPlatform(platform)
    body = await request.body()  # the raw bytes: the signature covers them exactly
    secrets = await clients.list_webhook_secrets(deps, platform)
    event_id = signatures.verify(body, request.headers, secrets, now=deps.clock.now())
    try:
        accepted = await _accept(request, deps, platform, event_id, body)
    except (MalformedBody, DomainError, InboxFull):
        first = await inbox.find_accepted(deps, platform, event_id)
        if first is None:
            raise
        accepted = first  # a repeat: the first answer, whatever this body says and however full the inbox
    return JSONResponse({"accepted": True, "id": accepted.event_id}, status_code=202)


async def _accept(request: Request, deps: Deps, platform: str, event_id: str, body: bytes) -> inbox.Accepted:
    """Parse, check and store the event. A repeat of a stored one is found by the insert (no
    lookup first: most deliveries are new); one this refuses is looked up by the caller."""
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedBody(f"the body is not valid JSON: {exc}") from exc
    event = events.parse_event(raw, person_key=deps.person_key, now=deps.clock.now())
    accepted = await _store(request, deps, platform, event_id, event)
    if not accepted.duplicate:
        request.app.state.inbox_wakeup.set()
    return accepted


async def _store(request: Request, deps: Deps, platform: str, event_id: str, event: events.Event) -> inbox.Accepted:
    """Store a valid event unless the inbox is full (then InboxFull: 429, nothing stored)."""
    gate: InboxGate = request.app.state.inbox_gate
    if not await gate.admit(deps):
        raise InboxFull(platform, RETRY_AFTER_SECONDS)
    stored = False
    try:
        accepted = await inbox.accept(deps, platform, event_id, event)
        stored = not accepted.duplicate
    finally:
        if not stored:  # a repeat, a refusal (409, 422) or a failure: it never joined the backlog
            gate.release()
    return accepted
