"""The shape of a GraphQL request body, checked before Strawberry reads it.

Strawberry answers a body that is JSON but not an object (`"hello"`, `1`) with a 500, chokes on
invalid UTF-8 and on variables nested 100,000 deep, and gives its other refusals as plain text.
Here a POST body must be UTF-8 JSON (orjson: no lone surrogates, at most 1,024 levels deep)
holding an object, or the client gets a 400 with a JSON body saying what is wrong; and any plain
text refusal from further in comes out as JSON too. Valid bodies pass through unchanged.
"""

from __future__ import annotations

from typing import Final

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MALFORMED: Final = "MALFORMED_REQUEST"
TOO_LARGE: Final = "INPUT_TOO_LARGE"
MAX_DOCUMENT_CHARACTERS: Final = 20_000  # a document of 2,000 tokens is far shorter, unless a literal is huge
MAX_STRING_CHARACTERS: Final = 10_000  # the longest text the hub keeps is 2,000 characters
BAD_REQUEST: Final = "BAD_REQUEST"


def error_body(message: str, code: str) -> bytes:
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


class GraphQLBodyCheck:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        problem = _problem(body, _content_type(scope))
        if problem is not None:
            await send_json(send, 400, error_body(*problem))
            return
        await self.app(scope, _replay(body, receive), _json_refusals(send))


def _content_type(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


def _problem(body: bytes, content_type: str) -> tuple[str, str] | None:
    """What is wrong with a GraphQL POST body (message, code), or None. (multipart is not
    served: uploads are off.)"""
    if content_type not in ("application/json", "application/graphql-response+json", ""):
        return None  # Strawberry answers other content types with its own 4xx, turned into JSON below
    checked = parse_graphql_body(body)
    return checked if isinstance(checked, tuple) else None


def parse_graphql_body(body: bytes) -> dict[str, object] | tuple[str, str]:
    """A JSON body as the object it holds, or what is wrong with it (message, code)."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return f"the body is not valid UTF-8 JSON: {exc}", MALFORMED
    if not isinstance(parsed, dict):
        return "the body must be a JSON object with `query` and optionally `variables` and `operationName`", MALFORMED
    query = parsed.get("query")
    if isinstance(query, str) and len(query) > MAX_DOCUMENT_CHARACTERS:
        return f"the document is longer than {MAX_DOCUMENT_CHARACTERS} characters", TOO_LARGE
    too_long = _long_string(parsed.get("variables"))
    if too_long is not None:
        return f"variables{too_long} is longer than {MAX_STRING_CHARACTERS} characters", TOO_LARGE
    return parsed


def _long_string(value: object) -> str | None:
    """The path of the first string longer than MAX_STRING_CHARACTERS in `value`, or None."""
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str) and len(item) > MAX_STRING_CHARACTERS:
            return path
        if isinstance(item, dict):
            pending.extend((f"{path}.{key}", child) for key, child in item.items())
        elif isinstance(item, list):
            pending.extend((f"{path}[{index}]", child) for index, child in enumerate(item))
    return None


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _json_refusals(send: Send) -> Send:
    """A 4xx answered in plain text (Strawberry's "Batching is not enabled", "Unsupported content
    type") is sent as a JSON error instead."""
    refusal: Message | None = None
    text: list[bytes] = []

    async def sending(message: Message) -> None:
        nonlocal refusal
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers", []))
            content_type = headers.get(b"content-type", b"").decode("latin-1")
            if 400 <= message["status"] < 500 and not content_type.startswith("application/"):
                refusal = message
                return
        elif message["type"] == "http.response.body" and refusal is not None:
            text.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            reason = b"".join(text).decode("utf-8", "replace").strip() or "bad request"
            await send_json(send, refusal["status"], error_body(reason, BAD_REQUEST))
            return
        await send(message)

    return sending


async def send_json(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
