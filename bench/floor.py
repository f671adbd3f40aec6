"""The floor of a single status lookup: the least a web service can do to answer it.

    python -m bench.floor --dsn DSN --port P [--workers N]

A tiny Starlette app on the same server (uvicorn with uvloop and httptools, as `serve`) that
answers `POST /graphql` with `{"variables": {"code": …}}` by running the hub's own SQL for one
lookup, through the hub's own pool settings:

- the bearer token checked against the clients read at start (the hub caches its clients too);
- the subject by credit code (`subjects.get_many_by_credit_code`);
- its stored status (`statuses.get_many_current`), kept in a dict afterwards (the hub's memory
  cache does the same);
- the audit row (`audit.insert_reads`), one statement per request, awaited before the answer.

No GraphQL, no validation, no logging: whatever the hub costs above this is its own overhead.
`bench/lookup.py` runs it next to the hub and compares them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from credithub.db.pool import create_pool
from credithub.db.queries import QUERIES
from credithub.domain.ids import IdKind, format_id

SUBJECT_SQL = QUERIES["subjects"]["get_many_by_credit_code"]
STATUS_SQL = QUERIES["statuses"]["get_many_current"]
AUDIT_SQL = QUERIES["audit"]["insert_reads"]
CLIENTS_SQL = "SELECT id, name, role, platform, token_hash FROM clients WHERE revoked_at IS NULL"
CONFIG_SQL = QUERIES["config"]["get_version"]
DSN_ENV = "BENCH_FLOOR_DSN"


class Floor:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None
        self.clients: dict[str, asyncpg.Record] = {}
        self.statuses: dict[tuple[int, int], Any] = {}
        self.config_version = 0

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self.pool = await create_pool(self.dsn, min_size=2, max_size=10, application_name="bench-floor")
        rows = await self.pool.fetch(CLIENTS_SQL)
        self.clients = {bytes(row["token_hash"]).hex(): row for row in rows}
        self.config_version = await self.pool.fetchval(CONFIG_SQL)
        try:
            yield
        finally:
            await self.pool.close()

    async def lookup(self, request: Request) -> Response:
        assert self.pool is not None
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        client = self.clients.get(hashlib.sha256(token.encode()).hexdigest())
        if client is None:
            return Response(b'{"error":"unauthenticated"}', status_code=401, media_type="application/json")
        code = orjson.loads(await request.body())["variables"]["code"]
        found = await self.pool.fetch(SUBJECT_SQL, [code])
        if not found:
            return Response(orjson.dumps({"data": {"subjectByCreditCode": None}}), media_type="application/json")
        subject = found[0]
        key = (subject["id"], subject["facts_version"])
        status = self.statuses.get(key)
        if status is None:
            rows = await self.pool.fetch(STATUS_SQL, [key[0]], [key[1]], self.config_version)
            status = self.statuses[key] = _answer(rows[0]["status"])
        await self.pool.execute(
            AUDIT_SQL,
            [_now()],
            [client["id"]],
            [client["name"]],
            [client["role"]],
            [client["platform"]],
            ["creditStatus"],
            [subject["id"]],
            [None],
        )
        answer = {
            "id": format_id(IdKind.SUBJECT, subject["id"]),
            "name": subject["name"],
            "creditStatus": status,
        }
        return Response(orjson.dumps({"data": {"subjectByCreditCode": answer}}), media_type="application/json")


def _answer(stored: dict[str, Any]) -> dict[str, Any]:
    """What the benchmark's query asks of a status: `{ tier flags { measure enforced via recordIds } }`."""
    flags = [
        {
            "measure": flag["measure"],
            "enforced": flag["enforced"],
            "via": flag["via"][0].upper() if flag["via"] else None,
            "recordIds": [format_id(IdKind.RECORD, record_id) for record_id in flag["records"]],
        }
        for flag in stored["flags"]
    ]
    return {"tier": stored["tier"], "flags": flags}


async def _healthz(_request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def _now() -> Any:
    import datetime as dt

    return dt.datetime.now(dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1, help="serving processes (uvicorn's own workers)")
    args = parser.parse_args()
    os.environ[DSN_ENV] = args.dsn
    uvicorn.run(
        create_app() if args.workers == 1 else "bench.floor:create_app",  # workers import it themselves
        factory=args.workers > 1,
        workers=args.workers if args.workers > 1 else None,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


def create_app() -> Starlette:
    """The floor's app, on the database named in the environment (each uvicorn worker builds its own)."""
    floor = Floor(os.environ[DSN_ENV])
    routes = [Route("/graphql", floor.lookup, methods=["POST"]), Route("/healthz", _healthz, methods=["GET"])]
    return Starlette(routes=routes, lifespan=floor.lifespan)


if __name__ == "__main__":
    main()
