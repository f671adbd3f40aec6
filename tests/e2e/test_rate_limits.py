"""Per-client rate limits on GraphQL: over the limit a client gets 429 with Retry-After before
any work is done; other clients are not affected."""

from __future__ import annotations

import httpx

from credithub.entrypoints.app import create_app
from credithub.services.ports import Deps
from tests import loopback
from tests.e2e.conftest import Cast

VIEWER = "{ viewer { name } }"


async def test_a_client_over_its_rate_gets_429_with_retry_after_and_others_go_on(deps: Deps, cast: Cast) -> None:
    settings = deps.settings.with_changes(rate_limit=1, rate_burst=3)
    async with loopback.serve(create_app(settings, deps=deps), lifespan="on") as url, httpx.AsyncClient() as http:

        async def ask(headers: dict[str, str]) -> httpx.Response:
            return await http.post(f"{url}/graphql", json={"query": VIEWER}, headers=headers)

        answers = [await ask(cast.as_a.headers) for _ in range(4)]
        assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
        refused = answers[-1]
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert (await ask(cast.as_b.headers)).status_code == 200  # another client has its own bucket
