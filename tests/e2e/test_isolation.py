"""One bad row never stalls the hub: a subject whose status cannot be computed is parked with its
error and shown to regulators; every other subject is refreshed, pushed, announced and answered.

Regression: a record stored with occurred_at = -infinity failed the status refresher for the whole
hub every few seconds (no status updates, no pushes, no live events), and every batch of codes
containing that subject failed.
"""

from __future__ import annotations

import json
from pathlib import Path

from credithub.db.pool import transaction
from credithub.domain.ids import IdKind, parse_id
from credithub.domain.records import Severity
from credithub.domain.subjects import SubjectKind
from credithub.services import parked, statuses
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast
from tests.e2e.test_cli import cli_env, run_cli
from tests.e2e.test_subscriptions import refresh_all, subscribed
from tests.e2e.test_workflows import Case, file, serious_case, subject_id

STATUSES = """query($codes: [String!]!) { creditStatuses(creditCodes: $codes) {
    __typename
    ... on CreditStatus { creditCode tier }
    ... on UserError { code message }
    ... on StatusUnavailableError { subject }
} }"""

PARKED = """query($queue: ParkedQueue) {
  parkedCounts { statuses inbox outbox liveFeed }
  parkedItems(first: 100, queue: $queue) { edges { node { queue id subjectId error attempts parkedAt } } }
}"""


async def plant_bad_record(deps: Deps, case: Case) -> None:
    """What no edge lets in any more, written straight into the table (as a bug or an old row would)."""
    record_id = parse_id(IdKind.RECORD, case.record_id)
    await deps.pool.execute("UPDATE credit_records SET occurred_at = '-infinity' WHERE id = $1", record_id)


async def outbox_messages(deps: Deps, case: Case) -> int:
    count: int = await deps.pool.fetchval("SELECT count(*) FROM outbox WHERE subject_id = $1", case.merchant.id)
    return count


async def test_a_planted_bad_row_is_parked_and_the_rest_of_the_hub_goes_on(
    deps: Deps, app_url: str, cast: Cast
) -> None:
    bad, good = await serious_case(deps, cast), await serious_case(deps, cast)
    pushed_to = await factories.platform(deps, push_url="http://127.0.0.1:9/credit-status")
    async with transaction(deps.pool) as conn:
        await factories.account(conn, good.merchant.id, pushed_to.code)
    await refresh_all(deps)
    await plant_bad_record(deps, bad)
    pushed_before = await outbox_messages(deps, good)
    async with subscribed(deps, app_url, cast.as_viewer, ids=[subject_id(good), subject_id(bad)]) as changes:
        await file(cast.as_b, good.record_id)  # the good subject's flags stop being enforced
        await refresh_all(deps)  # ends, and does not raise, with the bad subject in the queue
        message = await changes.next()
    assert message["payload"]["data"]["creditStatusChanged"]["subject"]["id"] == subject_id(good)
    assert await outbox_messages(deps, good) > pushed_before  # its change was queued for the platforms

    codes = [bad.merchant.credit_code, good.merchant.credit_code]
    answer = (await cast.as_a.data(STATUSES, codes=codes))["creditStatuses"]
    assert [item["__typename"] for item in answer] == ["StatusUnavailableError", "CreditStatus"]
    assert answer[0]["code"] == "STATUS_UNAVAILABLE"
    assert answer[0]["subject"] == subject_id(bad)
    assert "Error" not in answer[0]["message"]  # the client learns it is parked, not the internals

    seen = await cast.as_regulator.data(PARKED, queue="STATUSES")
    [item] = [edge["node"] for edge in seen["parkedItems"]["edges"] if edge["node"]["id"] == subject_id(bad)]
    assert item["subjectId"] == subject_id(bad)
    assert "TypeError" in item["error"]  # the operator learns what failed
    assert seen["parkedCounts"]["statuses"] >= 1
    assert (await parked.count_parked(deps)).statuses == seen["parkedCounts"]["statuses"]


async def test_a_parked_subject_is_not_retried_every_round_until_its_facts_change(deps: Deps, cast: Cast) -> None:
    bad = await serious_case(deps, cast)
    await refresh_all(deps)
    await plant_bad_record(deps, bad)
    await refresh_all(deps)
    attempts = await deps.pool.fetchval("SELECT attempts FROM parked_statuses WHERE subject_id = $1", bad.merchant.id)
    await refresh_all(deps)
    assert (
        await deps.pool.fetchval("SELECT attempts FROM parked_statuses WHERE subject_id = $1", bad.merchant.id)
        == attempts
    )
    await deps.pool.execute(
        "UPDATE credit_records SET occurred_at = now() - interval '40 days' WHERE id = $1",
        parse_id(IdKind.RECORD, bad.record_id),
    )  # an operator repairs the row
    await refresh_all(deps)
    assert await deps.pool.fetchval("SELECT count(*) FROM parked_statuses WHERE subject_id = $1", bad.merchant.id) == 0


async def test_subject_credit_status_of_a_parked_subject_is_a_typed_error_for_that_field_only(
    deps: Deps, cast: Cast
) -> None:
    bad = await serious_case(deps, cast)
    await plant_bad_record(deps, bad)
    answer = await cast.as_a.execute(
        "query($id: ID!) { subject(id: $id) { name creditStatus { tier } } }", id=subject_id(bad)
    )
    [error] = answer["errors"]
    assert error["extensions"] == {"code": "STATUS_UNAVAILABLE", "subject": subject_id(bad)}
    assert error["path"] == ["subject", "creditStatus"]


async def test_only_regulators_and_admins_see_what_is_parked(deps: Deps, cast: Cast) -> None:
    for client in (cast.as_a, cast.as_viewer):
        error = await client.error("{ parkedCounts { statuses } }")
        assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert "parkedCounts" in await cast.as_admin.data("{ parkedCounts { statuses inbox outbox } }")


async def test_an_operator_retries_a_parked_subject_after_fixing_it(deps: Deps, cast: Cast) -> None:
    bad = await serious_case(deps, cast)
    await plant_bad_record(deps, bad)
    await statuses.refresh_subjects(deps, [bad.merchant.id])
    await deps.pool.execute(
        "UPDATE credit_records SET occurred_at = now() - interval '40 days' WHERE id = $1",
        parse_id(IdKind.RECORD, bad.record_id),
    )
    await deps.pool.execute("DELETE FROM status_refresh_queue WHERE subject_id = $1", bad.merchant.id)
    assert bad.merchant.id in await statuses.retry_parked(deps, [bad.merchant.id])
    await refresh_all(deps)
    stored = await deps.pool.fetchval("SELECT tier FROM subject_statuses WHERE subject_id = $1", bad.merchant.id)
    assert stored == "D"


async def test_the_cli_lists_what_is_parked_with_its_error_and_retries_it(fresh_deps: Deps, tmp_path: Path) -> None:
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
    source = await factories.platform(fresh_deps)
    async with transaction(fresh_deps.pool) as conn:
        record = await factories.record(conn, merchant.id, source.code, severity=Severity.SERIOUS)
    await fresh_deps.pool.execute("UPDATE credit_records SET occurred_at = '-infinity' WHERE id = $1", record.id)
    await refresh_all(fresh_deps)
    env = cli_env(DATABASE_URL=fresh_deps.settings.database_url or "", CREDITHUB_DATA_DIR=str(tmp_path))
    listed = run_cli("parked", "list", "--queue", "statuses", env=env)
    assert listed.returncode == 0, listed.stderr
    shown = json.loads(listed.stdout)
    assert shown["counts"]["statuses"] == 1
    [item] = shown["parked"]
    assert (item["queue"], item["id"]) == ("STATUSES", f"sub_{merchant.id}")
    assert "TypeError" in item["error"]
    retried = json.loads(run_cli("parked", "retry", env=env).stdout)
    assert retried == {"requeued": [f"sub_{merchant.id}"]}
