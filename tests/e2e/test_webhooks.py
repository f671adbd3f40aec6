"""Inbound webhooks over real HTTP, signed by the official standardwebhooks library."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from standardwebhooks import Webhook

from credithub.db import inbox as db_inbox
from credithub.domain.ids import IdKind, format_id
from credithub.entrypoints.app import create_app
from credithub.services import clients, inbox
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.graphql_client import GraphQLClient


def sign(secret: str, body: bytes, *, event_id: str | None = None, at: dt.datetime | None = None) -> dict[str, str]:
    event_id = event_id or f"msg_{factories.suffix()}"
    at = at or dt.datetime.now(dt.UTC)
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(event_id, at, body.decode()),
        "content-type": "application/json",
    }


def violation(credit_code: str | None = None, *, violation_id: str | None = None, **data: Any) -> dict[str, Any]:
    return {
        "type": "violation.reported",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {
            "violation_id": violation_id or f"V-{factories.suffix()}",
            "subject": {
                "kind": "MERCHANT",
                "account_id": f"shop-{factories.suffix()}",
                "name": "锦绣服饰有限公司",
                "credit_code": credit_code or factories.credit_code(),
            },
            "category": "COUNTERFEIT_GOODS",
            "severity": "GENERAL",
            "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat(),
            "description": "售假：仿冒注册商标的运动鞋",
            "legal_basis": "《中华人民共和国电子商务法》第十三条",
            **data,
        },
    }


@dataclasses.dataclass
class Sender:
    http: httpx.AsyncClient
    deps: Deps
    code: str
    secret: str
    graphql: GraphQLClient

    async def post(
        self, body: dict[str, Any] | bytes, *, secret: str | None = None, platform: str | None = None, **signing: Any
    ) -> httpx.Response:
        raw = body if isinstance(body, bytes) else orjson.dumps(body)
        headers = sign(secret or self.secret, raw, **signing)
        return await self.http.post(f"/webhooks/{platform or self.code}", content=raw, headers=headers)

    async def process(self) -> None:
        while await inbox.process_due(self.deps):
            pass


@pytest.fixture
async def sender(deps: Deps, http: httpx.AsyncClient) -> Sender:
    registered = await factories.platform(deps)
    return Sender(http, deps, registered.code, registered.webhook_secret, GraphQLClient(http, registered.client.token))


STATUS_BY_CODE = """query($code: String!) { subjectByCreditCode(creditCode: $code) {
    records { totalCount edges { node { status source { platform reference } } } }
    creditStatus { flags { measure sourcePlatform enforced } } } }"""


async def test_a_signed_violation_is_stored_then_applied_and_its_flag_shows(sender: Sender) -> None:
    code = factories.credit_code()
    response = await sender.post(violation(code, violation_id="V-1"), event_id="msg_first")
    assert response.status_code == 202
    assert response.json() == {"accepted": True, "id": "msg_first"}
    stored = await db_inbox.get_by_key(sender.deps.pool, sender.code, "msg_first")
    assert stored is not None
    assert stored.status == "PENDING"  # accepted before processing: the 2xx waited only for the inbox
    await sender.process()
    data = await sender.graphql.data(STATUS_BY_CODE, code=code)
    subject = data["subjectByCreditCode"]
    assert subject["records"]["edges"][0]["node"]["source"] == {"platform": sender.code, "reference": "V-1"}
    assert {"measure": "WITHDRAWAL_HOLD", "sourcePlatform": sender.code, "enforced": True} in (
        subject["creditStatus"]["flags"]
    )


async def test_a_repeated_delivery_answers_the_same_and_changes_nothing(sender: Sender) -> None:
    code = factories.credit_code()
    body = orjson.dumps(violation(code))
    first = await sender.post(body, event_id="msg_again")
    await sender.process()
    second = await sender.post(body, event_id="msg_again")
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    await sender.process()
    data = await sender.graphql.data(STATUS_BY_CODE, code=code)
    assert data["subjectByCreditCode"]["records"]["totalCount"] == 1


async def test_the_same_violation_id_in_another_event_is_kept_once(sender: Sender) -> None:
    code = factories.credit_code()
    for _ in range(2):
        assert (await sender.post(violation(code, violation_id="V-same"))).status_code == 202
    await sender.process()
    data = await sender.graphql.data(STATUS_BY_CODE, code=code)
    assert data["subjectByCreditCode"]["records"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("tamper", "status", "code"),
    [
        ("body", 401, "NO_MATCHING_SECRET"),
        ("wrong-secret", 401, "NO_MATCHING_SECRET"),
        ("stale", 401, "TIMESTAMP_OUT_OF_TOLERANCE"),
        ("future", 401, "TIMESTAMP_OUT_OF_TOLERANCE"),
        ("milliseconds", 401, "TIMESTAMP_OUT_OF_TOLERANCE"),
        ("missing-signature", 400, "MISSING_HEADER"),
        ("missing-id", 400, "MISSING_HEADER"),
        ("garbage-signature", 401, "MALFORMED_SIGNATURE"),
        ("id-too-long", 400, "INVALID_WEBHOOK_ID"),
    ],
)
async def test_a_refused_webhook_says_what_to_fix_and_nothing_is_stored(
    sender: Sender, tamper: str, status: int, code: str
) -> None:
    raw = orjson.dumps(violation())
    now = dt.datetime.now(dt.UTC)
    headers = sign(
        sender.secret,
        raw,
        at={"stale": now - dt.timedelta(minutes=6), "future": now + dt.timedelta(minutes=6)}.get(tamper, now),
        event_id="x" * 201 if tamper == "id-too-long" else None,
    )
    if tamper == "body":
        raw = raw.replace(b"GENERAL", b"MINOR")
    elif tamper == "wrong-secret":
        headers = sign(clients.clients.generate_webhook_secret(), raw)
    elif tamper == "milliseconds":
        headers["webhook-timestamp"] += "000"
    elif tamper == "missing-signature":
        del headers["webhook-signature"]
    elif tamper == "missing-id":
        del headers["webhook-id"]
    elif tamper == "garbage-signature":
        headers["webhook-signature"] = "v1"  # no comma: the library would raise ValueError; we must not 500
    response = await sender.http.post(f"/webhooks/{sender.code}", content=raw, headers=headers)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert response.json()["error"]
    assert await db_inbox.get_by_key(sender.deps.pool, sender.code, headers.get("webhook-id", "")[:200]) is None


async def test_a_missing_header_is_named_and_a_stale_timestamp_shows_the_hubs_clock(sender: Sender) -> None:
    raw = orjson.dumps(violation())
    headers = sign(sender.secret, raw)
    del headers["webhook-timestamp"]
    missing = await sender.http.post(f"/webhooks/{sender.code}", content=raw, headers=headers)
    assert missing.json()["header"] == "webhook-timestamp"
    stale = await sender.post(raw, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert abs(stale.json()["hub_time"] - dt.datetime.now(dt.UTC).timestamp()) < 60
    assert stale.json()["tolerance_seconds"] == 300


@pytest.mark.parametrize("event_id", ["evt.2026.11.20.0001", "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", "a:b/c=d"])
async def test_any_id_the_standard_allows_is_accepted_and_kept(sender: Sender, event_id: str) -> None:
    response = await sender.post(violation(), event_id=event_id)
    assert (response.status_code, response.json()) == (202, {"accepted": True, "id": event_id})
    assert await db_inbox.get_by_key(sender.deps.pool, sender.code, event_id) is not None


async def test_a_timestamp_within_five_minutes_is_accepted(sender: Sender) -> None:
    response = await sender.post(violation(), at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4))
    assert response.status_code == 202


async def test_a_platform_rotates_its_secret_without_losing_an_event(sender: Sender) -> None:
    new_secret = await clients.rotate_webhook_secret(sender.deps, sender.code)
    assert (await sender.post(violation(), secret=new_secret)).status_code == 202
    assert (await sender.post(violation(), secret=sender.secret)).status_code == 202  # the old one still works
    assert len(await clients.retire_webhook_secrets(sender.deps, sender.code, keep=1)) == 1
    assert (await sender.post(violation(), secret=sender.secret)).status_code == 401
    assert (await sender.post(violation(), secret=new_secret)).status_code == 202


async def test_a_secret_retired_anywhere_stops_verifying_here_within_moments(sender: Sender) -> None:
    """Instances keep webhook secrets in memory; a change made elsewhere (here an operator in
    psql, bypassing this instance) reaches them by a notice."""
    assert (await sender.post(violation())).status_code == 202  # the secret is now kept in memory
    await sender.deps.pool.execute("UPDATE platform_secrets SET retired_at = now() WHERE platform = $1", sender.code)
    for _ in range(200):
        response = await sender.post(violation())
        if response.status_code == 401:
            break
        await asyncio.sleep(0.01)
    assert (response.status_code, response.json()["code"]) == (401, "NO_MATCHING_SECRET")


async def test_a_platform_can_only_report_for_itself(sender: Sender, deps: Deps) -> None:
    other = await factories.platform(deps)
    response = await sender.post(violation(), platform=other.code)
    assert (response.status_code, response.json()["code"]) == (401, "NO_MATCHING_SECRET")


async def test_an_unknown_platform_is_not_found(sender: Sender) -> None:
    response = await sender.post(violation(), platform="never-registered")
    assert (response.status_code, response.json()["code"]) == (404, "UNKNOWN_PLATFORM")


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


def _with(body: dict[str, Any], value: Any, *path: str) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_with(violation(), "violation.unknown", "type"), "body.type"),
        (_without(violation(), "data", "violation_id"), "data.violation_id"),
        (_without(violation(), "data", "subject", "kind"), "data.subject.kind"),
        (_with(violation(), "91110000600037341N", "data", "subject", "credit_code"), "data.subject.credit_code"),
        (_with(violation(), "WORSE", "data", "severity"), "data.severity"),
        (_with(violation(), "2026-05-01 10:00", "data", "occurred_at"), "data.occurred_at"),
        (_with(violation(), "RED_LIST", "data", "category"), "data.category"),
        (_with(violation(), [], "data"), "data"),
        (_with(violation(), "刷单\u0000", "data", "description"), "data.description"),  # PostgreSQL cannot keep U+0000
        (_with(violation(), "0001-01-01T00:00:00+08:00", "data", "occurred_at"), "data.occurred_at"),
    ],
)
async def test_a_malformed_event_is_refused_naming_the_field_and_nothing_is_stored(
    sender: Sender, body: dict[str, Any], field: str
) -> None:
    response = await sender.post(body, event_id=f"msg_bad_{factories.suffix()}")
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert field in response.json()["error"]
    event_id = response.request.headers["webhook-id"]
    assert await db_inbox.get_by_key(sender.deps.pool, sender.code, event_id) is None


async def test_an_invalid_resident_id_is_refused_without_repeating_it(sender: Sender) -> None:
    body = violation()
    body["data"]["subject"] = {
        "kind": "ANCHOR",
        "account_id": "lw_1",
        "name": "小鱼",
        "id_number": "110105194912310021",
    }
    response = await sender.post(body)
    assert response.status_code == 422
    assert (response.json()["field"], response.json()["check"]) == ("data.subject.id_number", "check_digit")
    assert "110105194912310021" not in response.text


async def test_a_body_that_is_not_json_is_a_400(sender: Sender) -> None:
    response = await sender.post(b"{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "MALFORMED_BODY"


async def test_a_body_over_the_limit_is_a_413(sender: Sender) -> None:
    body = violation(description="x" * 1_100_000)
    assert (await sender.post(body)).status_code == 413


async def test_an_anchor_is_known_by_a_hash_of_the_id_number_which_is_stored_nowhere(sender: Sender) -> None:
    number = factories.resident_id()
    body = violation()
    body["data"]["subject"] = {
        "kind": "ANCHOR",
        "account_id": f"lw_{factories.suffix()}",
        "name": "小鱼",
        "id_number": number,
    }
    body["data"]["category"] = "ILLEGAL_CONTENT"
    body["data"]["severity"] = "SERIOUS"
    assert (await sender.post(body)).status_code == 202
    await sender.process()
    dump = await sender.deps.pool.fetchval(
        "SELECT string_agg(event::text, '') FROM inbox_events WHERE platform = $1", sender.code
    )
    assert number not in dump
    found = await sender.graphql.data(
        "query($p: String!, $e: String!) { subjectByAccount(platform: $p, externalId: $e) { kind "
        "creditStatus { flags { measure } } } }",
        p=sender.code,
        e=body["data"]["subject"]["account_id"],
    )
    assert found["subjectByAccount"]["kind"] == "ANCHOR"
    # The report alone bans nobody: a ban needs a designation (a listing decided by its authority).
    assert "LIVE_STREAM_BAN" not in {flag["measure"] for flag in found["subjectByAccount"]["creditStatus"]["flags"]}


async def test_a_revocation_withdraws_the_record_even_when_it_arrives_first(
    sender: Sender, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `process()` drains whatever is due, retries included, and the inbox's full jitter may make
    # a retry due at once (a wait of 0 is allowed): the first round could then try the revocation
    # again, even park it. Without jitter its retry comes 4 s later, after this test's rounds.
    monkeypatch.setattr(inbox, "RETRIES", dataclasses.replace(inbox.RETRIES, jitter=0.0))
    code = factories.credit_code()
    revoked = {
        "type": "violation.revoked",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {"violation_id": "V-late", "reason": "申诉成立，撤销处罚"},
    }
    assert (await sender.post(revoked, event_id="msg_revoke")).status_code == 202
    await sender.process()
    early = await db_inbox.get_by_key(sender.deps.pool, sender.code, "msg_revoke")
    assert early is not None
    assert (early.status, early.attempts) == ("PENDING", 1)  # not known yet: retried later
    assert (await sender.post(violation(code, violation_id="V-late"))).status_code == 202
    await sender.process()
    await sender.deps.pool.execute(
        "UPDATE inbox_events SET next_attempt_at = now() WHERE platform = $1 AND event_id = 'msg_revoke'", sender.code
    )
    await sender.process()
    data = await sender.graphql.data(STATUS_BY_CODE, code=code)
    [record] = data["subjectByCreditCode"]["records"]["edges"]
    assert record["node"]["status"] == "WITHDRAWN"
    # No restriction is left; a subject first seen today has no tier incentive yet either (A is earned).
    assert data["subjectByCreditCode"]["creditStatus"]["flags"] == []


async def test_accounts_and_relations_are_kept_and_flags_propagate_along_them(sender: Sender, deps: Deps) -> None:
    agency_code, anchor_account = factories.credit_code(), f"lw_{factories.suffix()}"
    agency = {
        "kind": "MCN_AGENCY",
        "account_id": f"mcn_{factories.suffix()}",
        "name": "星辰传媒",
        "credit_code": agency_code,
    }
    anchor = {"kind": "ANCHOR", "account_id": anchor_account, "name": "小星", "id_number": factories.resident_id()}
    signed = {
        "type": "relation.changed",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {
            "relation": "MCN_SIGNING",
            "from": agency,
            "to": anchor,
            "valid_from": (dt.datetime.now(dt.UTC) - dt.timedelta(days=30)).isoformat(),
            "valid_to": None,
        },
    }
    suspended = {
        "type": "account.updated",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {"subject": anchor, "status": "SUSPENDED", "opened_at": "2025-01-01T00:00:00+08:00"},
    }
    for body in (signed, suspended):
        assert (await sender.post(body)).status_code == 202
    await sender.process()
    regulator = GraphQLClient(sender.http, (await clients.add_client(deps, "reg", "regulator")).token)
    agency_data = await regulator.data(
        "query($c: String!) { subjectByCreditCode(creditCode: $c) { id ... on McnAgency { anchors { edges { node "
        "{ anchor { accounts { externalId status } } } } } } } }",
        c=agency_code,
    )
    [edge] = agency_data["subjectByCreditCode"]["anchors"]["edges"]
    assert edge["node"]["anchor"]["accounts"] == [{"externalId": anchor_account, "status": "SUSPENDED"}]


async def test_a_poison_event_is_parked_with_its_error_and_blocks_nothing(sender: Sender) -> None:
    code, other_code = factories.credit_code(), factories.credit_code()
    first = violation(code)
    assert (await sender.post(first)).status_code == 202
    await sender.process()
    clash = violation(other_code)  # the same account, another credit code: an identity conflict
    clash["data"]["subject"]["account_id"] = first["data"]["subject"]["account_id"]
    assert (await sender.post(clash, event_id="msg_poison")).status_code == 202
    fine = violation()
    assert (await sender.post(fine, event_id="msg_fine")).status_code == 202
    await sender.process()
    poison = await db_inbox.get_by_key(sender.deps.pool, sender.code, "msg_poison")
    ok = await db_inbox.get_by_key(sender.deps.pool, sender.code, "msg_fine")
    assert poison is not None
    assert ok is not None
    assert (poison.status, ok.status) == ("DEAD", "DONE")
    assert poison.last_error is not None
    assert "IdentityConflict" in poison.last_error


async def test_an_event_accepted_before_a_restart_is_applied_after_it(deps: Deps) -> None:
    registered = await factories.platform(deps)
    code = factories.credit_code()
    raw = orjson.dumps(violation(code))

    async def serve_once(workers: bool, action: Any) -> Any:
        settings = deps.settings.with_changes(workers=workers)
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, deps=deps), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
            )
        )
        task = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                return await action(http)
        finally:
            server.should_exit = True
            await task

    async def deliver(http: httpx.AsyncClient) -> int:
        response = await http.post(
            f"/webhooks/{registered.code}", content=raw, headers=sign(registered.webhook_secret, raw)
        )
        return response.status_code

    assert await serve_once(workers=False, action=deliver) == 202  # accepted; the process then stops

    async def wait_for_record(http: httpx.AsyncClient) -> dict[str, Any]:
        graphql = GraphQLClient(http, registered.client.token)
        for _ in range(100):
            data = await graphql.data(STATUS_BY_CODE, code=code)
            if data["subjectByCreditCode"] is not None:
                return data
            await asyncio.sleep(0.05)
        raise AssertionError("the event accepted before the restart was not applied")

    data = await serve_once(workers=True, action=wait_for_record)
    assert data["subjectByCreditCode"]["records"]["totalCount"] == 1


REPORT = """
mutation($input: ReportViolationInput!) {
  reportViolation(input: $input) {
    __typename
    ... on ReportViolationSuccess { subjectId record { id status redacted source { platform reference } } }
    ... on InvalidIdentifierError { field check }
    ... on UserError { code message }
  }
}"""


def report_input(code: str, **changes: Any) -> dict[str, Any]:
    return {
        "violationId": f"V-{factories.suffix()}",
        "subject": {"kind": "MERCHANT", "accountId": "acc-1", "name": "佳禾食品有限公司", "creditCode": code},
        "category": "FALSE_ADVERTISING",
        "severity": "MINOR",
        "occurredAt": (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat(),
        "description": "夸大功效",
        "legalBasis": "《中华人民共和国广告法》",
        **changes,
    }


async def test_report_violation_applies_the_same_handler_at_once(sender: Sender) -> None:
    code = factories.credit_code()
    report = report_input(code, violationId="V-gql")
    result = (await sender.graphql.data(REPORT, input=report))["reportViolation"]
    assert result["__typename"] == "ReportViolationSuccess"
    assert result["record"]["source"] == {"platform": sender.code, "reference": "V-gql"}
    assert result["record"]["status"] == "ACTIVE"
    again = (await sender.graphql.data(REPORT, input=report))["reportViolation"]  # the same report again
    assert again["record"]["id"] == result["record"]["id"]


async def test_report_violation_refuses_bad_input_and_other_roles_with_typed_errors(sender: Sender, deps: Deps) -> None:
    invalid = (await sender.graphql.data(REPORT, input=report_input("91110000600037341N")))["reportViolation"]
    assert (invalid["__typename"], invalid["field"], invalid["check"]) == (
        "InvalidIdentifierError",
        "data.subject.credit_code",
        "check_character",
    )
    viewer = GraphQLClient(sender.http, (await clients.add_client(deps, "dash", "viewer")).token)
    denied = (await viewer.data(REPORT, input=report_input(factories.credit_code())))["reportViolation"]
    assert denied["__typename"] == "PermissionDeniedError"


async def test_subject_ids_in_answers_point_at_the_subject(sender: Sender) -> None:
    code = factories.credit_code()
    result = (await sender.graphql.data(REPORT, input=report_input(code)))["reportViolation"]
    found = await sender.graphql.data(
        "query($id: ID!) { subject(id: $id) { ... on Merchant { creditCode } } }", id=result["subjectId"]
    )
    assert found["subject"]["creditCode"] == code
    assert result["subjectId"] == format_id(IdKind.SUBJECT, int(result["subjectId"].removeprefix("sub_")))


async def test_any_one_matching_v1_entry_among_several_is_enough(sender: Sender) -> None:
    raw = orjson.dumps(violation())
    headers = sign(sender.secret, raw)
    other = Webhook(clients.clients.generate_webhook_secret()).sign(
        headers["webhook-id"], dt.datetime.now(dt.UTC), raw.decode()
    )
    headers["webhook-signature"] = f"{other} v1a,bm90LWNoZWNrZWQ= {headers['webhook-signature']}"
    response = await sender.http.post(f"/webhooks/{sender.code}", content=raw, headers=headers)
    assert response.status_code == 202
