"""POST /webhooks/{platform}: verify → validate → store in the inbox → 202.

The answer is 2xx only once the event is committed to the inbox; processing happens after, in
the inbox worker. Errors go through `http_errors.EXCEPTION_HANDLERS`.
"""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from credithub.domain import events, platforms
from credithub.domain.errors import UnknownPlatform
from credithub.entrypoints import signatures
from credithub.entrypoints.http_errors import MalformedBody
from credithub.services import clients, inbox
from credithub.services.ports import Deps


async def receive(request: Request) -> JSONResponse:
    deps: Deps = request.app.state.deps.for_work("ingest")  # its own connections: reads cannot starve it
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
