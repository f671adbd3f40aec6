"""`python -m credithub audit archive` as an operator runs it while the hub serves: months past
retention leave the database as checked files, the audit trail still answers for the months kept,
a second run does nothing, and a month within retention is refused."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import httpx
import pytest

from credithub.domain import audit_retention
from credithub.services import clients
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.conftest import AUTHORITY, LiveHub
from tests.e2e.graphql_client import GraphQLClient
from tests.e2e.test_cli import cli_env, run_cli

MONTHS = [dt.date(2021, 1, 1), dt.date(2021, 2, 1), dt.date(2021, 3, 1)]
INSERT_READ = (
    "INSERT INTO audit_reads (at, client_id, client, role, platform, operation, subject_id, purpose)"
    " VALUES ($1, 7, 'Risk desk, \"night shift\"', 'platform', 'shopmall', 'creditStatus', $2, $3) RETURNING id"
)
INSERT_WRITE = (
    "INSERT INTO audit_writes (at, actor, action, entity, entity_id, subject_id, before, after)"
    " VALUES ($1, 'regulator:samr', 'list', 'list_entry', $2, $3, NULL, $4) RETURNING id"
)
READS = """
query($filter: AuditReadFilter) {
  auditReads(first: 100, filter: $filter) { totalCount edges { node { at subjectId } } }
}"""
WRITES = """
query($filter: AuditWriteFilter) {
  auditWrites(first: 100, filter: $filter) { edges { node { actor entityId after } } }
}"""
PARTITIONS = "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ORDER BY 1"


@dataclass
class Trail:
    """Audit rows in three old months (reads and writes), a regulator to browse them, and the
    operator's shell."""

    hub: LiveHub
    env: dict[str, str]
    directory: Path
    regulator: GraphQLClient
    reads: dict[dt.date, list[int]]  # ids by month
    writes: dict[dt.date, list[int]]

    def archive(self, before: str) -> CompletedProcess[str]:
        return run_cli("audit", "archive", "--before", before, "--to", str(self.directory), env=self.env)


@pytest.fixture
async def trail(live_hub: LiveHub, tmp_path: Path) -> AsyncIterator[Trail]:
    reads: dict[dt.date, list[int]] = {}
    writes: dict[dt.date, list[int]] = {}
    async with live_hub.deps.pool.acquire() as conn:
        for number, month in enumerate(MONTHS, start=1):
            instants = [dt.datetime.combine(month, dt.time(5), dt.UTC) + dt.timedelta(days=d) for d in (0, 9, 26)]
            reads[month] = [
                await conn.fetchval(INSERT_READ, at, 9_000_000 + 10 * number + n, "onboarding\nreview")
                for n, at in enumerate(instants)
            ]
            writes[month] = [
                await conn.fetchval(INSERT_WRITE, at, str(number), None, {"n": "å"}) for at in instants[:2]
            ]
    issued = await clients.add_client(live_hub.deps, "Audit office", "regulator", authority=AUTHORITY)
    async with httpx.AsyncClient(base_url=live_hub.url, timeout=30) as http:
        yield Trail(
            hub=live_hub,
            env=cli_env(
                DATABASE_URL=_dsn(live_hub), CREDITHUB_DATA_DIR=str(tmp_path), CREDITHUB_SECRET_KEY=TEST_SECRET_KEY
            ),
            directory=tmp_path / "archive",
            regulator=GraphQLClient(http, issued.token),
            reads=reads,
            writes=writes,
        )


def _dsn(hub: LiveHub) -> str:
    assert hub.deps.settings.database_url is not None
    return hub.deps.settings.database_url


def _rows(file: Path) -> list[dict[str, str]]:
    with gzip.open(file, "rb") as compressed:
        return list(csv.DictReader(io.TextIOWrapper(compressed, encoding="utf-8", newline="")))


def _sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


async def test_each_month_before_the_one_given_leaves_as_a_file_holding_exactly_its_rows(trail: Trail) -> None:
    result = trail.archive("2021-03")

    assert result.returncode == 0, result.stderr
    archived = json.loads(result.stdout)["archived"]
    assert [(a["table"], a["month"]) for a in archived] == [
        ("audit_reads", "2021-01"),
        ("audit_reads", "2021-02"),
        ("audit_writes", "2021-01"),
        ("audit_writes", "2021-02"),
    ]
    for entry in archived:
        month = audit_retention.parse_month(entry["month"])
        ids = (trail.reads if entry["table"] == "audit_reads" else trail.writes)[month]
        file, manifest = Path(entry["file"]), json.loads(Path(entry["manifest"]).read_text())
        assert _sha256(file) == entry["sha256"] == manifest["sha256"]
        assert sorted(int(row["id"]) for row in _rows(file)) == ids
        assert entry["rows"] == manifest["rows"] == len(ids)
        assert f"{entry['table']} {entry['month']}: {len(ids)} rows" in result.stderr
    assert _rows(Path(archived[0]["file"]))[0]["purpose"] == "onboarding\nreview"  # as stored, line break and all


async def test_the_archived_partitions_are_gone_and_the_trail_answers_for_the_months_kept(trail: Trail) -> None:
    archived = json.loads(trail.archive("2021-03").stdout)["archived"]

    async with trail.hub.deps.pool.acquire() as conn:
        partitions = {row["relname"] for row in await conn.fetch(PARTITIONS)}
    assert not {"audit_reads_2021_01", "audit_reads_2021_02", "audit_writes_2021_01"} & partitions
    assert {"audit_reads_2021_03", "audit_writes_2021_03"} <= partitions
    window = {"since": "2021-01-01T00:00:00Z", "until": "2021-04-01T00:00:00Z"}
    kept = (await trail.regulator.data(READS, filter=window))["auditReads"]
    assert kept["totalCount"] == len(trail.reads[MONTHS[2]])
    assert {edge["node"]["at"][:7] for edge in kept["edges"]} == {"2021-03"}
    records = (await trail.regulator.data(WRITES, filter={"entity": "audit_partition"}))["auditWrites"]["edges"]
    assert sorted((node["node"]["entityId"], node["node"]["after"]["sha256"]) for node in records) == sorted(
        (f"{a['table']}/{a['month']}", a["sha256"]) for a in archived
    )
    assert all(node["node"]["actor"].startswith("operator:") for node in records)


async def test_a_second_run_archives_nothing(trail: Trail) -> None:
    first = trail.archive("2021-03")
    files = {path: path.read_bytes() for path in trail.directory.iterdir()}

    second = trail.archive("2021-03")

    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["archived"] == []
    assert "nothing to archive before 2021-03" in second.stderr
    assert {path: path.read_bytes() for path in trail.directory.iterdir()} == files
    assert len(json.loads(first.stdout)["archived"]) == 4


def _months_ago(count: int) -> str:
    return audit_retention.format_month(
        audit_retention.add_months(audit_retention.month_of(dt.datetime.now(dt.UTC)), -count)
    )


@pytest.mark.parametrize(
    ("before", "messages"),
    [
        (
            _months_ago(59),  # the default 36 months would allow it
            ("within the 60-month retention (CREDITHUB_AUDIT_RETENTION_MONTHS)", f"--before {_months_ago(60)}"),
        ),
        ("2021-13", ("before must be a month written YYYY-MM",)),
    ],
)
async def test_a_month_within_retention_or_no_month_at_all_is_refused_with_exit_code_1(
    trail: Trail, before: str, messages: tuple[str, ...]
) -> None:
    trail.env["CREDITHUB_AUDIT_RETENTION_MONTHS"] = "60"

    result = trail.archive(before)

    assert result.returncode == 1, result.stderr
    assert all(message in result.stderr for message in messages), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert not trail.directory.exists()
    async with trail.hub.deps.pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_reads WHERE at < '2021-04-01'") == 9
