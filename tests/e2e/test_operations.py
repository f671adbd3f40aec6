"""What an operator sees: Prometheus metrics at /metrics and a request id on every answer and
every log line of the request — read from outside, as a scraper and a log shipper would."""

from __future__ import annotations

import logging

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from credithub.db.pool import transaction
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.test_webhooks import sign, violation


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_graphql_operations_are_counted_by_name_and_outcome(http: httpx.AsyncClient, cast: Cast) -> None:
    before = await scrape(http)
    await cast.as_viewer.data("query WhoAmI { viewer { role } }")
    await cast.as_viewer.data("query WhoAmI { viewer { role } }")
    await cast.as_viewer.execute("query Broken { nope }")
    await cast.as_viewer.execute('query BadCode { subjectByCreditCode(creditCode: "x") { name } }')
    after = await scrape(http)

    def grew(operation: str, outcome: str) -> float:
        labels = {"operation": operation, "type": "query", "outcome": outcome}
        return value(after, "credithub_graphql_operations_total", **labels) - value(
            before, "credithub_graphql_operations_total", **labels
        )

    assert grew("WhoAmI", "ok") == 2
    assert grew("Broken", "invalid") == 1
    assert grew("BadCode", "error") == 1
    requests = {"method": "POST", "route": "/graphql", "status": "200"}
    assert (
        value(after, "credithub_http_requests_total", **requests)
        >= value(before, "credithub_http_requests_total", **requests) + 4
    )


async def test_the_inbox_backlog_shows_an_event_waiting_and_its_age(deps: Deps, http: httpx.AsyncClient) -> None:
    registered = await factories.platform(deps)
    before = await scrape(http)
    raw = orjson.dumps(violation())
    response = await http.post(
        f"/webhooks/{registered.code}", content=raw, headers=sign(registered.webhook_secret, raw)
    )
    assert response.status_code == 202  # accepted; the suite runs no workers, so it waits
    after = await scrape(http)
    assert value(after, "credithub_inbox_pending") == value(before, "credithub_inbox_pending") + 1
    assert value(after, "credithub_inbox_lag_seconds") >= 0
    assert value(after, "credithub_backlog_readable") == 1
    webhook = {"method": "POST", "route": "/webhooks/{platform}", "status": "202"}
    assert value(after, "credithub_http_requests_total", **webhook) >= 1


async def test_the_outbox_backlog_is_shown_per_platform(deps: Deps, http: httpx.AsyncClient, cast: Cast) -> None:
    registered = await factories.platform(deps)
    async with transaction(deps.pool) as conn:
        await conn.execute(
            "INSERT INTO outbox (platform, subject_id, message_type, payload, created_at, next_attempt_at, status)"
            " VALUES ($1, $2, 'credit.status_changed', '{}', now() - interval '90 seconds', now(), 'PENDING'),"
            " ($1, $2, 'credit.status_changed', '{}', now(), now(), 'DEAD')",
            registered.code,
            cast.merchant.id,
        )
    samples = await scrape(http)
    assert value(samples, "credithub_outbox_depth", platform=registered.code) == 1
    assert value(samples, "credithub_outbox_dead", platform=registered.code) == 1
    assert 85 <= value(samples, "credithub_outbox_oldest_seconds", platform=registered.code) < 600


async def test_pool_use_and_live_subscribers_are_exported(http: httpx.AsyncClient) -> None:
    samples = await scrape(http)
    assert value(samples, "credithub_db_pool_max") >= 1
    assert value(samples, "credithub_db_pool_connections") >= 1
    assert ("credithub_live_subscribers", ()) in samples


async def test_every_answer_carries_a_request_id_that_the_log_line_repeats(
    http: httpx.AsyncClient, cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="credithub.access"):
        given = await http.post(
            "/graphql",
            json={"query": "query Mine { viewer { name } }"},
            headers={**cast.as_viewer.headers, "x-request-id": "lb-7f3a.2"},
        )
        made = await http.post("/graphql", json={"query": "{ viewer { name } }"}, headers=cast.as_viewer.headers)
        bogus = await http.get("/healthz", headers={"x-request-id": "x" * 200})
    assert given.headers["x-request-id"] == "lb-7f3a.2"  # a proxy's id is kept
    assert len(made.headers["x-request-id"]) == 24
    assert bogus.headers["x-request-id"] != "x" * 200
    lines = [record.msg for record in caplog.records if isinstance(record.msg, dict)]
    mine = next(line for line in lines if line.get("request_id") == "lb-7f3a.2")
    assert (mine["event"], mine["operation"], mine["status"], mine["path"]) == ("request", "Mine", 200, "/graphql")
    assert mine["client"] == (await cast.as_viewer.data("{ viewer { name } }"))["viewer"]["name"]
    anonymous = next(line for line in lines if line.get("request_id") == made.headers["x-request-id"])
    assert anonymous["operation"] == "anonymous"
