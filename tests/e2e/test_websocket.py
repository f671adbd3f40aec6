"""graphql-transport-ws: a connection is acknowledged only with a valid token in connection_init."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.e2e.conftest import Cast

PROTOCOL = "graphql-transport-ws"


async def _init(app_url: str, payload: dict[str, str]) -> dict[str, object]:
    async with connect(app_url.replace("http", "ws") + "/graphql", subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
        message: dict[str, object] = json.loads(await socket.recv())
        return message


async def test_a_websocket_with_a_valid_token_is_acknowledged(app_url: str, cast: Cast) -> None:
    token = cast.as_viewer.headers["Authorization"]
    assert (await _init(app_url, {"Authorization": token}))["type"] == "connection_ack"


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer chub_forged"}])
async def test_a_websocket_without_a_valid_token_is_closed_as_forbidden(app_url: str, payload: dict[str, str]) -> None:
    with pytest.raises(ConnectionClosed) as closed:
        await _init(app_url, payload)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
