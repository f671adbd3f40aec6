"""The inbox applies what it claimed as one batch: signed webhooks over HTTP, one round of the
worker, then what a platform sees through GraphQL."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from typing import Any

import httpx
import pytest

from credithub.db import inbox as db_inbox
from credithub.services import inbox
from credithub.services.ports import Deps
from tests import factories
from tests.conftest import FixedClock
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_webhooks import Sender, violation

SUBJECT = """query($code: String!) { subjectByCreditCode(creditCode: $code) {
    accounts { externalId status }
    records { totalCount edges { node { status source { reference } } } } } }"""


@pytest.fixture
async def sender(deps: Deps, http: httpx.AsyncClient) -> Sender:
    registered = await factories.platform(deps)
    return Sender(http, deps, registered.code, registered.webhook_secret, GraphQLClient(http, registered.client.token))


def _event(kind: str, **data: Any) -> dict[str, Any]:
    return {"type": kind, "timestamp": dt.datetime.now(dt.UTC).isoformat(), "data": data}


async def _post_all(sender: Sender, bodies: list[tuple[str, dict[str, Any]]]) -> None:
    for event_id, body in bodies:
        assert (await sender.post(body, event_id=event_id)).status_code == 202


async def _states(sender: Sender, *event_ids: str) -> dict[str, tuple[str, int, str | None]]:
    found = {}
    for event_id in event_ids:
        event = await db_inbox.get_by_key(sender.deps.pool, sender.code, event_id)
        assert event is not None
        found[event_id] = (event.status, event.attempts, event.last_error)
    return found


async def _records(sender: Sender, code: str) -> list[tuple[str, str]]:
    subject = (await sender.graphql.data(SUBJECT, code=code))["subjectByCreditCode"]
    if subject is None:
        return []
    return sorted((edge["node"]["source"]["reference"], edge["node"]["status"]) for edge in subject["records"]["edges"])


async def test_a_bad_event_in_a_batch_is_parked_alone_with_its_reason(sender: Sender) -> None:
    known, clashing, fine = factories.credit_code(), factories.credit_code(), factories.credit_code()
    first = violation(known, violation_id="V-known")
    await _post_all(sender, [("msg_known", first)])
    await inbox.process_due(sender.deps)
    clash = violation(clashing, violation_id="V-clash")  # the same account, another credit code
    clash["data"]["subject"]["account_id"] = first["data"]["subject"]["account_id"]
    await _post_all(
        sender,
        [
            ("msg_fine_1", violation(fine, violation_id="V-fine-1")),
            ("msg_clash", clash),
            ("msg_fine_2", violation(fine, violation_id="V-fine-2")),
        ],
    )
    await inbox.process_due(sender.deps)  # one round: the three are one batch
    states = await _states(sender, "msg_fine_1", "msg_clash", "msg_fine_2")
    assert (states["msg_fine_1"][:2], states["msg_fine_2"][:2]) == (("DONE", 1), ("DONE", 1))
    status, attempts, error = states["msg_clash"]
    assert (status, attempts) == ("DEAD", 1)
    assert error is not None
    assert error.startswith("IdentityConflict: this account belongs to a subject with another credit code")
    assert await _records(sender, fine) == [("V-fine-1", "ACTIVE"), ("V-fine-2", "ACTIVE")]
    assert await _records(sender, clashing) == []  # nothing of the refused event was written


async def test_reports_under_one_violation_id_in_one_batch_are_kept_once_or_refused(sender: Sender) -> None:
    code = factories.credit_code()
    report = violation(code, violation_id="V-twice")
    other = violation(code, violation_id="V-twice", severity="SERIOUS")  # other content under the same id
    other["data"]["subject"] = report["data"]["subject"]
    await _post_all(sender, [("msg_a", report), ("msg_b", report), ("msg_other", other)])
    await inbox.process_due(sender.deps)
    states = await _states(sender, "msg_a", "msg_b", "msg_other")
    assert (states["msg_a"][0], states["msg_b"][0], states["msg_other"][0]) == ("DONE", "DONE", "DEAD")
    assert (states["msg_other"][2] or "").startswith("ViolationConflict")
    assert await _records(sender, code) == [("V-twice", "ACTIVE")]
    audited = await sender.deps.pool.fetchval(
        "SELECT count(*) FROM audit_writes w JOIN credit_records r ON w.entity = 'record' AND w.entity_id = r.id::text"
        " WHERE r.source_platform = $1 AND r.source_ref = 'V-twice' AND w.action = 'report'",
        sender.code,
    )
    assert audited == 1


async def test_events_about_one_subject_in_one_batch_apply_in_the_order_they_arrived(sender: Sender) -> None:
    code = factories.credit_code()
    report = violation(code, violation_id="V-then-revoked")
    subject = report["data"]["subject"]
    account = {"opened_at": "2025-01-01T00:00:00+08:00"}
    await _post_all(
        sender,
        [
            ("msg_1", report),
            ("msg_2", _event("account.updated", subject=subject, status="SUSPENDED", **account)),
            ("msg_3", _event("violation.revoked", violation_id="V-then-revoked", reason="申诉成立")),
            ("msg_4", violation(code, violation_id="V-after", subject=subject)),
            ("msg_5", _event("account.updated", subject=subject, status="ACTIVE", **account)),
        ],
    )
    await inbox.process_due(sender.deps)
    states = await _states(sender, "msg_1", "msg_2", "msg_3", "msg_4", "msg_5")
    assert {state[:2] for state in states.values()} == {("DONE", 1)}  # the revocation found its report at once
    assert await _records(sender, code) == [("V-after", "ACTIVE"), ("V-then-revoked", "WITHDRAWN")]
    found = (await sender.graphql.data(SUBJECT, code=code))["subjectByCreditCode"]
    assert found["accounts"] == [{"externalId": subject["account_id"], "status": "ACTIVE"}]


async def test_an_event_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_applied(sender: Sender) -> None:
    """An event stored under laxer rules (here a violation id longer than records keep) passes
    the batch's decisions and fails its set-based statement: the batch is applied again event by
    event, and only that event fails (to be retried, as any unexpected failure)."""
    code = factories.credit_code()
    await _post_all(
        sender,
        [(f"msg_ok_{n}", violation(code, violation_id=f"V-ok-{n}")) for n in range(3)]
        + [("msg_too_long", violation(code, violation_id="V-long"))],
    )
    await sender.deps.pool.execute(
        "UPDATE inbox_events SET event = jsonb_set(event, '{data,violation_id}', to_jsonb(repeat('x', 300)))"
        " WHERE platform = $1 AND event_id = 'msg_too_long'",
        sender.code,
    )
    await inbox.process_due(sender.deps)
    states = await _states(sender, "msg_ok_0", "msg_ok_1", "msg_ok_2", "msg_too_long")
    assert {states[f"msg_ok_{n}"][0] for n in range(3)} == {"DONE"}
    status, attempts, error = states["msg_too_long"]
    assert (status, attempts) == ("PENDING", 1)
    assert (error or "").startswith("CheckViolationError")
    assert await _records(sender, code) == [("V-ok-0", "ACTIVE"), ("V-ok-1", "ACTIVE"), ("V-ok-2", "ACTIVE")]


async def test_a_batch_killed_midway_leaves_nothing_applied_and_its_events_go_back_to_the_queue(
    sender: Sender,
) -> None:
    known, fresh = factories.credit_code(), factories.credit_code()
    await _post_all(sender, [("msg_known", violation(known, violation_id="V-known"))])
    await inbox.process_due(sender.deps)
    account = {"kind": "MERCHANT", "account_id": f"shop-{factories.suffix()}", "name": "新店", "credit_code": fresh}
    await _post_all(
        sender,
        [
            ("msg_account", _event("account.updated", subject=account, status="SUSPENDED", opened_at=None)),
            ("msg_fresh", violation(fresh, violation_id="V-fresh", subject=account)),
            ("msg_blocked", violation(known, violation_id="V-blocked")),
        ],
    )
    async with sender.deps.pool.acquire() as holder, holder.transaction():
        # Another transaction holds the known subject: the batch stops once it has written its
        # first event and is inserting its records (their trigger touches that subject).
        await holder.execute("SELECT id FROM subjects WHERE credit_code = $1 FOR UPDATE", known)
        worker = asyncio.create_task(inbox.process_due(sender.deps))
        await _until_waiting_on_a_lock(sender.deps)
        worker.cancel()  # the worker dies mid-batch
        with pytest.raises(asyncio.CancelledError):
            await worker
    assert await _records(sender, fresh) == []
    assert await _records(sender, known) == [("V-known", "ACTIVE")]
    states = await _states(sender, "msg_account", "msg_fresh", "msg_blocked")
    assert {state[:2] for state in states.values()} == {("PROCESSING", 1)}  # leased until the lease runs out
    later = dataclasses.replace(sender.deps, clock=FixedClock(dt.datetime.now(dt.UTC) + inbox.LEASE))
    await inbox.process_due(later)  # another worker, once the lease ran out
    states = await _states(sender, "msg_account", "msg_fresh", "msg_blocked")
    assert {state[:2] for state in states.values()} == {("DONE", 2)}
    assert await _records(sender, fresh) == [("V-fresh", "ACTIVE")]
    assert await _records(sender, known) == [("V-blocked", "ACTIVE"), ("V-known", "ACTIVE")]
    found = (await sender.graphql.data(SUBJECT, code=fresh))["subjectByCreditCode"]
    assert found["accounts"] == [{"externalId": account["account_id"], "status": "SUSPENDED"}]


async def _until_waiting_on_a_lock(deps: Deps) -> None:
    for _ in range(2000):
        if await deps.pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the batch never reached the locked subject")


async def test_subjects_first_seen_in_one_batch_are_registered_as_if_their_events_came_one_by_one(
    sender: Sender,
) -> None:
    shop, other_code, nameless_code = factories.credit_code(), factories.credit_code(), factories.credit_code()
    first_shop = violation(shop)
    second_shop = violation(shop)  # the same company's second shop: one subject, two accounts
    same_account_other_code = violation(other_code)
    same_account_other_code["data"]["subject"]["account_id"] = first_shop["data"]["subject"]["account_id"]
    nameless = violation(nameless_code)
    del nameless["data"]["subject"]["name"]
    named_later = violation(nameless_code)
    await _post_all(
        sender,
        [
            ("msg_shop_1", first_shop),
            ("msg_shop_1_again", violation(shop, subject=first_shop["data"]["subject"])),
            ("msg_shop_2", second_shop),
            ("msg_clash", same_account_other_code),
            ("msg_nameless", nameless),
            ("msg_named", named_later),
        ],
    )
    await inbox.process_due(sender.deps)
    states = await _states(
        sender, "msg_shop_1", "msg_shop_1_again", "msg_shop_2", "msg_clash", "msg_nameless", "msg_named"
    )
    assert {key: state[0] for key, state in states.items()} == {
        "msg_shop_1": "DONE",
        "msg_shop_1_again": "DONE",
        "msg_shop_2": "DONE",
        "msg_clash": "DEAD",
        "msg_nameless": "DEAD",
        "msg_named": "DONE",
    }
    assert (states["msg_clash"][2] or "").startswith("IdentityConflict")
    assert (states["msg_nameless"][2] or "").startswith("InvalidValue: name is required")
    found = (await sender.graphql.data(SUBJECT, code=shop))["subjectByCreditCode"]
    assert sorted(account["externalId"] for account in found["accounts"]) == sorted(
        [first_shop["data"]["subject"]["account_id"], second_shop["data"]["subject"]["account_id"]]
    )
    assert found["records"]["totalCount"] == 3
    assert await _records(sender, other_code) == []
    assert len(await _records(sender, nameless_code)) == 1
