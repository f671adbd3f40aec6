"""POST /webhooks/{platform}: verify → validate → store in the inbox → 202.

The answer is 2xx only once the event is committed to the inbox; processing happens after, in
the inbox worker. Errors go through `http_errors.EXCEPTION_HANDLERS`.
"""

from __future__ import annotations

import asyncio
from typing import Final

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse

from credithub.db.pool import OUTAGE
from credithub.domain import events, platforms
from credithub.domain.errors import DomainError, UnknownPlatform
from credithub.entrypoints import signatures
from credithub.entrypoints.http_errors import DatabaseAway, MalformedBody
from credithub.services import clients, inbox
from credithub.services.ports import Deps

PROBE_SECONDS: Final = 1.0


async def receive(request: Request) -> JSONResponse:
    """Answer a delivery. A failure that is not the event's own (not a DomainError, not a refusal)
    while the database does not answer is an outage, whatever exception it surfaced as while
    PostgreSQL went down: 503, so the platform delivers again, never a 500 it may give up on."""
    deps: Deps = request.app.state.deps.for_work("ingest")  # its own connections: reads cannot starve it
    try:
        return await _receive(request, deps)
    except (DomainError, HTTPException, MalformedBody, signatures.WebhookRefused, *OUTAGE):
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
    first = await inbox.find_accepted(deps, platform, event_id)
    if first is not None:  # a repeat: the first answer, whatever this body says
        return JSONResponse({"accepted": True, "id": first.event_id}, status_code=202)
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedBody(f"the body is not valid JSON: {exc}") from exc
    event = events.parse_event(raw, person_key=deps.person_key, now=deps.clock.now())
    accepted = await inbox.accept(deps, platform, event_id, event)
    if not accepted.duplicate:
        request.app.state.inbox_wakeup.set()
    return JSONResponse({"accepted": True, "id": accepted.event_id}, status_code=202)
