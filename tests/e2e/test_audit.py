"""The audit trail over real HTTP: reads and writes are kept, regulators browse them, nobody
else does, and the database itself refuses to change a row."""

from __future__ import annotations

import asyncpg
import pytest

from credithub.services.ports import Deps
from tests.e2e.conftest import Cast
from tests.e2e.test_credit_status import status_of
from tests.e2e.test_workflows import file, serious_case, subject_id

READS = """
query($filter: AuditReadFilter) {
  auditReads(first: 50, filter: $filter) { totalCount edges { node { id at client role platform operation subjectId } } }
}"""

WRITES = """
query($filter: AuditWriteFilter) {
  auditWrites(first: 50, filter: $filter) { totalCount edges { node { actor action entity entityId subjectId before after } } }
}"""

BATCH = "query($codes: [String!]!) { creditStatuses(creditCodes: $codes) { __typename } }"


async def test_every_read_of_credit_information_is_kept_with_client_subject_and_operation(
    deps: Deps, cast: Cast
) -> None:
    case = await serious_case(deps, cast)
    await status_of(cast.as_b, case.merchant.id)
    await cast.as_b.data(BATCH, codes=[case.merchant.credit_code, "91350100M000100Y43"])
    rows = (await cast.as_regulator.data(READS, filter={"subjectId": subject_id(case)}))["auditReads"]
    seen = {(row["node"]["platform"], row["node"]["operation"]) for row in rows["edges"]}
    assert (cast.platform_b, "creditStatus") in seen
    assert (cast.platform_b, "creditStatuses") in seen
    assert all(row["node"]["subjectId"] == subject_id(case) for row in rows["edges"])
    assert all(row["node"]["role"] for row in rows["edges"])


async def test_every_write_keeps_its_actor_and_the_entity_before_and_after(deps: Deps, cast: Cast) -> None:
    case = await serious_case(deps, cast)
    filed = await file(cast.as_b, case.record_id, reason="交易真实")
    rows = (await cast.as_regulator.data(WRITES, filter={"subjectId": subject_id(case)}))["auditWrites"]["edges"]
    by_entity = {(row["node"]["entity"], row["node"]["action"]): row["node"] for row in rows}
    proposal = by_entity[("list_entry", "propose")]
    assert proposal["actor"].startswith("regulator:")
    assert (proposal["before"], proposal["after"]["state"]) == (None, "PROPOSED")
    listing = by_entity[("list_entry", "list")]
    assert listing["actor"].startswith("regulator:")
    assert listing["actor"] != proposal["actor"]
    assert (listing["before"]["state"], listing["after"]["state"]) == ("PROPOSED", "IN_FORCE")
    assert listing["after"]["list"] == "SERIOUS_DISHONEST"
    objection = by_entity[("objection", "file")]
    assert objection["entityId"] == filed["objection"]["id"].removeprefix("obj_")
    assert objection["after"]["reason"] == "交易真实"
    assert objection["actor"].startswith("platform:")
    status = by_entity[("record", "status")]
    assert (status["before"], status["after"]) == ({"status": "ACTIVE"}, {"status": "OBJECTION_PENDING"})


@pytest.mark.parametrize("role", ["as_a", "as_viewer", "as_admin"])
async def test_only_regulators_browse_the_audit_trail(cast: Cast, role: str) -> None:
    for document in (READS, WRITES):
        error = await getattr(cast, role).error(document)
        assert error["extensions"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_reads SET operation = 'nothing'",
        "DELETE FROM audit_reads",
        "TRUNCATE audit_reads",
        "UPDATE audit_writes SET actor = 'someone else'",
        "DELETE FROM audit_writes",
        "TRUNCATE audit_writes",
    ],
)
async def test_the_database_refuses_to_change_or_remove_audit_rows(deps: Deps, cast: Cast, statement: str) -> None:
    case = await serious_case(deps, cast)  # leaves a write row and, below, a read row
    await status_of(cast.as_a, case.merchant.id)
    async with deps.pool.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM audit_reads") + await conn.fetchval(
            "SELECT count(*) FROM audit_writes"
        )
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
        after = await conn.fetchval("SELECT count(*) FROM audit_reads") + await conn.fetchval(
            "SELECT count(*) FROM audit_writes"
        )
    assert after == before
