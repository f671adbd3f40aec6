"""Reports are idempotent by content: a repeated webhook-id gets the first answer, the same report
again changes nothing, and another report under a used violation id is a clear 409 — never
silently dropped.

Regression: a second report under the same violation_id with different content was silently
dropped; a replayed webhook-id with another body was answered differently from the first;
`measure.executed` with an unknown measure was accepted, then parked dead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson

from credithub.db import inbox as db_inbox
from credithub.services import parked
from tests import factories
from tests.e2e.test_webhooks import REPORT, STATUS_BY_CODE, Sender, report_input, sender, violation

__all__ = ["sender"]


async def records_of(sender: Sender, code: str) -> list[dict[str, Any]]:
    data = await sender.graphql.data(STATUS_BY_CODE, code=code)
    return [edge["node"] for edge in data["subjectByCreditCode"]["records"]["edges"]]


async def test_a_repeated_webhook_id_gets_the_first_answer_whatever_its_body(sender: Sender) -> None:
    code = factories.credit_code()
    first = await sender.post(violation(code, violation_id="V-first"), event_id="msg_once")
    assert first.status_code == 202
    for other in (violation(code, violation_id="V-other"), {"type": "nonsense"}, b"not even json"):
        again = await sender.post(other, event_id="msg_once")
        assert (again.status_code, again.json()) == (first.status_code, first.json())
    await sender.process()
    assert [r["source"]["reference"] for r in await records_of(sender, code)] == ["V-first"]


async def test_the_same_report_again_changes_nothing(sender: Sender) -> None:
    code = factories.credit_code()
    body = violation(code, violation_id="V-same")
    assert (await sender.post(body)).status_code == 202
    await sender.process()
    renamed = {**body, "data": {**body["data"], "subject": {**body["data"]["subject"], "name": "新店名"}}}
    assert (await sender.post(renamed)).status_code == 202  # a new webhook-id, the same violation
    await sender.process()
    assert len(await records_of(sender, code)) == 1


async def test_another_report_under_a_used_violation_id_is_409_and_the_record_is_unchanged(sender: Sender) -> None:
    code = factories.credit_code()
    body = violation(code, violation_id="V-used")
    assert (await sender.post(body)).status_code == 202
    await sender.process()
    changed = {**body, "data": {**body["data"], "severity": "SERIOUS"}}
    refused = await sender.post(changed)
    assert refused.status_code == 409
    assert refused.json()["code"] == "VIOLATION_CONFLICT"
    assert refused.json()["violationId"] == "V-used"
    [record] = await records_of(sender, code)
    assert record["status"] == "ACTIVE"
    answer = await sender.graphql.data(
        REPORT,
        input=report_input(code, violationId="V-used", severity="SERIOUS", occurredAt=body["data"]["occurred_at"]),
    )
    assert answer["reportViolation"]["__typename"] == "ViolationConflictError"


async def test_two_different_reports_in_flight_under_one_id_park_one_with_its_error(sender: Sender) -> None:
    code = factories.credit_code()
    body = violation(code, violation_id="V-race")
    other = {**body, "data": {**body["data"], "description": "另一份报告"}}
    assert (await sender.post(body, event_id="msg_race_1")).status_code == 202
    assert (await sender.post(other, event_id="msg_race_2")).status_code == 202  # not applied yet: undecidable
    await sender.process()  # applied concurrently: either may be the one kept
    events = [await db_inbox.get_by_key(sender.deps.pool, sender.code, f"msg_race_{n}") for n in (1, 2)]
    assert sorted(event.status for event in events if event is not None) == ["DEAD", "DONE"]
    [dead] = [event for event in events if event is not None and event.status == "DEAD"]
    assert "ViolationConflict" in (dead.last_error or "")
    assert (await parked.count_parked(sender.deps)).inbox >= 1
    assert len(await records_of(sender, code)) == 1


async def test_execution_feedback_about_an_unknown_measure_is_refused_at_once(sender: Sender) -> None:
    body = {
        "type": "measure.executed",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {
            "subject": violation()["data"]["subject"],
            "measure": "NO_SUCH_MEASURE",
            "action": "APPLIED",
            "executed_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    }
    response = await sender.post(orjson.dumps(body))
    assert response.status_code == 422
    assert response.json()["field"] == "data.measure"
