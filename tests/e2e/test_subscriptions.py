"""`creditStatusChanged` over graphql-transport-ws on a real socket: a dashboard sees a change
the moment the status store takes it, reads it as its role may, leaves an audit trail, and is
told — never left silently behind — when the live feed breaks."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from credithub.domain.ids import IdKind, format_id
from credithub.services import clients, statuses
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_audit import READS
from tests.e2e.test_workflows import file, restrictions, serious_case, subject_id

PROTOCOL = "graphql-transport-ws"
WAIT_SECONDS = 10.0

CHANGES = """
subscription($ids: [ID!], $codes: [String!]) {
  creditStatusChanged(subjectIds: $ids, creditCodes: $codes) {
    changedAt
    subject { id name }
    creditStatus { tier flags { measure kind enforced notEnforcedReason sourcePlatform } }
  }
}"""


class Subscription:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def next(self) -> dict[str, Any]:
        """The next message for our subscription (`next`, `error` or `complete`)."""
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.socket.recv(), WAIT_SECONDS))
        return message

    async def silent_for(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self.socket.recv(), seconds)
        except TimeoutError:
            return True
        return False


@asynccontextmanager
async def subscribed(
    deps: Deps, app_url: str, client: GraphQLClient, *, listening: bool = True, **variables: Any
) -> AsyncIterator[Subscription]:
    """A subscription; with `listening`, the block starts once the feed has counted it (the
    protocol has no acknowledgement of a subscribe)."""
    before = deps.feed.subscriber_count
    async with connect(app_url.replace("http", "ws") + "/graphql", subprotocols=[PROTOCOL]) as socket:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"Authorization": client.headers["Authorization"]}}
        await socket.send(json.dumps(init))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        payload = {"query": CHANGES, "variables": variables}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        for _ in range(int(WAIT_SECONDS / 0.01)):
            if not listening or deps.feed.subscriber_count > before:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the subscription never started listening")
        yield Subscription(socket)


async def refresh_all(deps: Deps) -> None:
    """What the status refresher of any instance does: store what changed (and announce it)."""
    while await statuses.refresh_due(deps):
        pass


async def test_a_dashboard_sees_a_flag_stop_being_enforced_when_an_objection_is_filed(
    deps: Deps, app_url: str, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    await refresh_all(deps)
    async with subscribed(deps, app_url, cast.as_viewer, ids=[subject_id(case)]) as changes:
        await file(cast.as_b, case.record_id)
        await refresh_all(deps)
        message = await changes.next()
    assert message["type"] == "next", message
    event = message["payload"]["data"]["creditStatusChanged"]
    assert event["subject"]["id"] == subject_id(case)
    assert restrictions(event["creditStatus"])
    assert not any(flag["enforced"] for flag in event["creditStatus"]["flags"] if flag["kind"] == "RESTRICTION")
    assert all(flag["notEnforcedReason"] for flag in event["creditStatus"]["flags"] if flag["kind"] == "RESTRICTION")
    reads = (await cast.as_regulator.data(READS, filter={"subjectId": subject_id(case)}))["auditReads"]["edges"]
    assert any(row["node"]["role"] == "viewer" and row["node"]["operation"] == "creditStatus" for row in reads)


async def test_a_platform_watching_some_subjects_hears_only_of_those(deps: Deps, app_url: str, cast: Cast) -> None:
    watched, other = await serious_case(deps, cast), await serious_case(deps, cast)
    await refresh_all(deps)
    codes = [watched.merchant.credit_code]
    async with subscribed(deps, app_url, cast.as_b, codes=codes) as changes:
        await file(cast.as_b, other.record_id)
        await refresh_all(deps)
        await file(cast.as_b, watched.record_id)
        await refresh_all(deps)
        first = await changes.next()
    assert first["payload"]["data"]["creditStatusChanged"]["subject"]["id"] == subject_id(watched)


async def test_nothing_is_announced_when_nothing_changed(deps: Deps, app_url: str, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    await refresh_all(deps)
    async with subscribed(deps, app_url, cast.as_viewer, ids=[subject_id(case)]) as changes:
        await statuses.refresh_subjects(deps, [case.merchant.id])  # recomputed, the same status
        assert await changes.silent_for(0.5)


async def test_a_subscription_is_told_when_the_live_feed_breaks_and_a_new_one_works(
    deps: Deps, app_url: str, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    await refresh_all(deps)
    async with subscribed(deps, app_url, cast.as_regulator, ids=[subject_id(case)]) as changes:
        killed = await deps.pool.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'credithub-listener' AND datname = current_database()"
        )
        assert killed == 1
        message = await changes.next()
    assert message["type"] == "next", message
    error = message["payload"]["errors"][0]
    assert error["extensions"] == {"code": "LIVE_FEED_LOST", "reason": "INTERRUPTED"}
    async with subscribed(deps, app_url, cast.as_regulator, ids=[subject_id(case)]) as changes:
        await file(cast.as_regulator, case.record_id)
        await refresh_all(deps)
        message = await changes.next()
    assert message["payload"]["data"]["creditStatusChanged"]["subject"]["id"] == subject_id(case)


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"codes": ["91350100M000100Y4X"]}, "INVALID_IDENTIFIER"),
        ({"codes": [factories.credit_code()]}, "UNKNOWN_SUBJECT"),
        ({"ids": ["rec_1"]}, "INVALID_ID"),
        ({"ids": [format_id(IdKind.SUBJECT, n) for n in range(1, 1002)]}, "BATCH_TOO_LARGE"),
    ],
)
async def test_bad_subjects_to_watch_are_refused_before_anything_is_sent(
    deps: Deps, app_url: str, cast: Cast, variables: dict[str, Any], code: str
) -> None:
    async with subscribed(deps, app_url, cast.as_viewer, listening=False, **variables) as changes:
        message = await changes.next()
    assert message["type"] == "next", message
    assert message["payload"]["data"] is None
    assert [error["extensions"]["code"] for error in message["payload"]["errors"]] == [code]


async def test_a_subscription_of_a_client_whose_token_is_revoked_ends_at_its_next_event(
    deps: Deps, app_url: str, cast: Cast
) -> None:
    issued = await clients.add_client(deps, f"wall screen {factories.suffix()}", "viewer")
    screen = GraphQLClient(cast.as_a.http, issued.token)
    case = await serious_case(deps, cast)
    await refresh_all(deps)
    async with subscribed(deps, app_url, screen, ids=[subject_id(case)]) as changes:
        await clients.revoke(deps, issued.id)
        await file(cast.as_b, case.record_id)
        await refresh_all(deps)
        message = await changes.next()
    assert message["payload"]["data"] is None, message
    assert message["payload"]["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
