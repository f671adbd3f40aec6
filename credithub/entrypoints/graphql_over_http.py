"""GraphQL over HTTP (the graphql-over-http spec): which media type an answer takes, and its status.

A client that accepts `application/graphql-response+json` (preferred over `application/json` at
an equal or higher q) gets it, with status codes that say what happened: 400 when the request
never reached execution (a document that does not parse or validate, variables that do not
coerce) and the answer then has no `data` entry; 200 once execution ran, whatever its field
errors. Every other client (`application/json`, `*/*`, no Accept) gets `application/json` and
200, as GraphQL clients have always expected. Subscriptions over HTTP use Server-Sent Events
(`Accept: text/event-stream`); that choice is strawberry's and is not made here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

GRAPHQL_RESPONSE: Final = "application/graphql-response+json"
JSON: Final = "application/json"
# A pre-execution failure the hub caused is no client mistake: a 5xx, not a 400.
SERVER_CODES: Final = {"INTERNAL": 500, "AUDIT_UNAVAILABLE": 503}


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None) -> str:
    """The media type of the answer for this Accept header."""
    qualities: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media:
            qualities[media] = max(qualities.get(media, 0.0), _quality(params))
    preferred = qualities.get(GRAPHQL_RESPONSE, 0.0)
    if preferred > 0 and preferred >= qualities.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def shape(media_type: str, response: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]]:
    """The status and body of one answer in `media_type`."""
    if media_type != GRAPHQL_RESPONSE or response.get("data") is not None:
        return 200, response
    errors = response.get("errors") or []
    if not errors or any("path" in error for error in errors):
        return 200, response  # execution ran and a field error nulled the root: still a 200
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    status = max((SERVER_CODES[code] for code in codes if code in SERVER_CODES), default=400)
    return status, {key: value for key, value in response.items() if key != "data"}
