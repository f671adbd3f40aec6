"""Every instant at every edge is range-checked: refused with the field named, never stored.

Regression: `0001-01-01T00:00:00+00:00` used to be accepted, stored as `-infinity`, and from
then on failed the status refresher for the whole hub; a naive or year-1 `asOf` was `INTERNAL`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from credithub.db import inbox as db_inbox
from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_webhooks import REPORT, Sender, report_input, sender, violation

__all__ = ["sender"]  # the fixture, shared with the webhook tests

YEAR_ONE = "0001-01-01T00:00:00+00:00"
OUT_OF_RANGE = [YEAR_ONE, "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59+00:00", "1899-12-31T23:59:59+00:00"]


def relation(valid_from: str, valid_to: str | None = None) -> dict[str, Any]:
    return {
        "type": "relation.changed",
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
        "data": {
            "relation": "MCN_SIGNING",
            "from": {
                "kind": "MCN_AGENCY",
                "account_id": f"mcn-{factories.suffix()}",
                "name": "星辰传媒",
                "credit_code": factories.credit_code(),
            },
            "to": {
                "kind": "ANCHOR",
                "account_id": f"a-{factories.suffix()}",
                "name": "小星",
                "id_number": factories.resident_id(),
            },
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    }


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_a_webhook_with_an_instant_out_of_range_is_refused_naming_the_field(sender: Sender, instant: str) -> None:
    response = await sender.post(violation(occurred_at=instant), event_id=f"msg_{factories.suffix()}")
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "data.occurred_at"
    assert response.json()["code"] == "INVALID_VALUE"


async def test_every_instant_of_an_event_is_checked(sender: Sender) -> None:
    now = dt.datetime.now(dt.UTC).isoformat()
    refused = {
        "data.valid_from": relation(YEAR_ONE),
        "data.valid_to": relation(now, "9999-12-31T00:00:00+00:00"),
        "body.timestamp": {**violation(), "timestamp": YEAR_ONE},
    }
    for field, body in refused.items():
        event_id = f"msg_{factories.suffix()}"
        response = await sender.post(body, event_id=event_id)
        assert (response.status_code, response.json().get("field")) == (422, field)
        assert await db_inbox.get_by_key(sender.deps.pool, sender.code, event_id) is None  # nothing kept


async def test_report_violation_with_year_one_is_a_typed_error_and_commits_nothing(sender: Sender) -> None:
    code = factories.credit_code()
    answer = await sender.graphql.execute(REPORT, input=report_input(code, occurredAt=YEAR_ONE))
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "INVALID_VALUE", "field": "input.occurredAt"}
    assert "input.occurredAt" in error["message"]
    found = await sender.graphql.data("query($c: String!) { subjectByCreditCode(creditCode: $c) { id } }", c=code)
    assert found["subjectByCreditCode"] is None


STATUS_AS_OF = (
    "query($c: String!, $at: DateTime) { subjectByCreditCode(creditCode: $c) { creditStatus(asOf: $at) { tier } } }"
)


@pytest.mark.parametrize(
    ("as_of", "says"),
    [("2026-01-01T00:00:00", "UTC offset"), (YEAR_ONE, "between"), ("not a time", "ISO 8601"), ("", "ISO 8601")],
)
async def test_as_of_naive_or_out_of_range_is_invalid_value_naming_the_argument(
    sender: Sender, as_of: str, says: str
) -> None:
    error = await sender.graphql.error(STATUS_AS_OF, c=factories.credit_code(), at=as_of)
    assert error["extensions"] == {"code": "INVALID_VALUE", "field": "at"}
    assert says in error["message"]


async def test_an_instant_written_in_the_document_is_named_by_its_argument(sender: Sender) -> None:
    document = '{ creditStatuses(creditCodes: ["x"], asOf: "0001-01-01T00:00:00Z") { __typename } }'
    error = await sender.graphql.error(document)
    assert error["extensions"] == {"code": "INVALID_VALUE", "field": "asOf"}


async def test_instants_in_filters_are_checked_too(sender: Sender, deps: Deps) -> None:
    regulator = GraphQLClient(sender.http, (await clients.add_client(deps, "regulator", "regulator")).token)
    error = await regulator.error('{ auditReads(filter: {since: "2026-01-01T00:00:00"}) { totalCount } }')
    assert error["extensions"] == {"code": "INVALID_VALUE", "field": "filter.since"}
