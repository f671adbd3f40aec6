"""GraphQL over HTTP as the graphql-over-http spec describes it, checked from a client's side:
media types and status codes, subscriptions over Server-Sent Events (or a clear 400 without
them), and the legacy WebSocket subprotocol refused at the handshake."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from credithub.services.ports import Deps
from tests.e2e.conftest import Cast
from tests.e2e.test_subscriptions import CHANGES, refresh_all
from tests.e2e.test_workflows import file, serious_case, subject_id

GRAPHQL_RESPONSE = "application/graphql-response+json"


async def ask(http: httpx.AsyncClient, cast: Cast, body: Any, accept: str | None) -> httpx.Response:
    headers = {**cast.as_viewer.headers, **({"accept": accept} if accept else {})}
    return await http.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    ("document", "variables", "status"),
    [
        ("{ viewer { role } }", None, 200),
        ("{ viewer { role }", None, 400),  # does not parse
        ("{ nope }", None, 400),  # does not validate
        ("query($n: Int!) { subjects(first: $n) { totalCount } }", {"n": "three"}, 400),  # variables do not coerce
    ],
)
async def test_a_client_accepting_graphql_response_json_gets_it_with_the_specs_status_codes(
    http: httpx.AsyncClient, cast: Cast, document: str, variables: Any, status: int
) -> None:
    response = await ask(
        http, cast, {"query": document, "variables": variables}, f"{GRAPHQL_RESPONSE}, {'application/json'};q=0.9"
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    body = response.json()
    assert ("data" in body) == (status == 200)  # no execution, no data entry
    assert ("errors" in body) == (status != 200)


@pytest.mark.parametrize("accept", ["application/json", "*/*", None, f"application/json, {GRAPHQL_RESPONSE};q=0.5"])
async def test_a_client_accepting_plain_json_gets_200_and_errors_as_it_always_has(
    http: httpx.AsyncClient, cast: Cast, accept: str | None
) -> None:
    response = await ask(http, cast, {"query": "{ nope }"}, accept)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["message"] == "Cannot query field 'nope' on type 'Query'."


async def test_a_field_error_after_execution_began_is_still_a_200(http: httpx.AsyncClient, cast: Cast) -> None:
    response = await ask(
        http, cast, {"query": '{ subjectByCreditCode(creditCode: "91110000600037341N") { name } }'}, GRAPHQL_RESPONSE
    )
    assert response.status_code == 200
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_IDENTIFIER"


async def test_a_subscription_sent_as_a_plain_request_is_refused_saying_how_to_subscribe(
    http: httpx.AsyncClient, cast: Cast
) -> None:
    response = await ask(http, cast, {"query": CHANGES}, "application/json")
    assert response.status_code == 400
    assert "text/event-stream" in response.text
    assert "graphql-transport-ws" in response.text


async def test_a_subscription_over_server_sent_events_hears_a_change(
    deps: Deps, http: httpx.AsyncClient, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    await refresh_all(deps)
    headers = {**cast.as_viewer.headers, "accept": "text/event-stream"}
    body = {"query": CHANGES, "variables": {"ids": [subject_id(case)]}}
    async with http.stream("POST", "/graphql", json=body, headers=headers) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"] == "text/event-stream"
        lines = stream.aiter_lines()
        assert (await asyncio.wait_for(anext(lines), 5)).startswith(":")  # open at once, before any event
        await file(cast.as_b, case.record_id)
        await refresh_all(deps)
        event = await asyncio.wait_for(_next_event(lines), 10)
    assert event["data"]["creditStatusChanged"]["subject"]["id"] == subject_id(case)


async def _next_event(lines: Any) -> dict[str, Any]:
    name = None
    async for line in lines:
        if line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:") and name == "next":
            event: dict[str, Any] = json.loads(line.partition(":")[2])
            return event
    raise AssertionError("the stream ended without an event")


async def test_the_legacy_graphql_ws_subprotocol_is_refused_with_a_reason(app_url: str) -> None:
    with pytest.raises(ConnectionClosed) as closed:
        async with connect(app_url.replace("http", "ws") + "/graphql", subprotocols=["graphql-ws"]) as socket:  # type: ignore[list-item]
            await socket.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4406, "Subprotocol not acceptable")
