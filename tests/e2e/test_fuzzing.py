"""Fuzzing from outside, against the app on a real port: no input makes the hub answer 5xx, and
no client mistake comes back as INTERNAL.

- GraphQL: schemathesis generates documents from the schema (every query and mutation field,
  random arguments) and sends them as an admin would.
- Webhooks: hypothesis builds event bodies — valid ones with one field replaced by something
  odd, and arbitrary JSON — signed correctly, so they get past the signature to the parser.

Bounded so the default suite stays fast: CREDITHUB_FUZZ_EXAMPLES raises the counts for a long run.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx
import orjson
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credithub.services import clients
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.test_webhooks import sign, violation

EXAMPLES = int(os.environ.get("CREDITHUB_FUZZ_EXAMPLES", "4"))


def _internal_errors(body: Any) -> list[dict[str, Any]]:
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors or [] if (e.get("extensions") or {}).get("code") == "INTERNAL"]


async def test_generated_graphql_requests_never_get_a_5xx_or_internal(app_url: str, cast: Cast, deps: Deps) -> None:
    token = (await clients.add_client(deps, f"fuzzer {factories.suffix()}", "admin")).token
    headers = {"Authorization": f"Bearer {token}"}

    def run() -> list[str]:
        schema = schemathesis.graphql.from_url(app_url + "/graphql", headers=headers)
        failures: list[str] = []
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) > 20  # every root field

        for operation in operations:
            _fuzz_operation(operation, headers, failures)
        return failures

    failures = await asyncio.to_thread(run)
    assert failures == []


def _fuzz_operation(operation: Any, headers: dict[str, str], failures: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        label = f"{operation.label}: {case.body!r}"[:300]
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {label}")
        elif _internal_errors(response.json()):
            failures.append(f"INTERNAL {label}")

    check()


ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.sampled_from(["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "2026-01-01T00:00:00", "\x00", "ᴬ" * 300]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def _mutated(body: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    copy = orjson.loads(orjson.dumps(body))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


PATHS = [
    ["type"],
    ["timestamp"],
    ["data"],
    ["data", "violation_id"],
    ["data", "subject"],
    ["data", "subject", "kind"],
    ["data", "subject", "credit_code"],
    ["data", "subject", "account_id"],
    ["data", "subject", "name"],
    ["data", "category"],
    ["data", "severity"],
    ["data", "occurred_at"],
    ["data", "description"],
    ["data", "legal_basis"],
]


async def test_signed_fuzzed_webhooks_never_get_a_5xx(app_url: str, deps: Deps) -> None:
    platform = await factories.platform(deps)
    base = violation()

    def run() -> list[str]:
        failures: list[str] = []
        with httpx.Client(base_url=app_url, timeout=30) as http:

            @settings(max_examples=EXAMPLES * 40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            @given(
                body=st.one_of(
                    st.builds(_mutated, st.just(base), st.sampled_from(PATHS), ODD),
                    JSON.map(lambda value: json.dumps(value).encode()),
                    st.binary(max_size=64),
                )
            )
            def check(body: Any) -> None:
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()  # json: integers of any size
                try:
                    headers = sign(platform.webhook_secret, raw)
                except UnicodeDecodeError:  # the signing library wants text: send it as is, unsigned
                    headers = {"content-type": "application/json"}
                response = http.post(f"/webhooks/{platform.code}", content=raw, headers=headers)
                if response.status_code >= 500 or not isinstance(response.json(), dict):
                    failures.append(f"{response.status_code} {raw[:200]!r}")

            check()
        return failures

    failures = await asyncio.to_thread(run)
    assert failures == []
