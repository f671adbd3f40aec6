"""Statistics for dashboards: counts over a period, grouped, with the median days to decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from credithub.db.pool import transaction
from credithub.domain.records import Category, Severity
from credithub.domain.subjects import SubjectKind
from credithub.services.ports import Deps
from tests import factories
from tests.e2e.conftest import Cast

STATISTICS = """
query($from: DateTime!, $to: DateTime!, $groupBy: StatisticsGroup!) {
  statistics(from: $from, to: $to, groupBy: $groupBy) {
    group records listings exits objections objectionsDecided medianDaysToDecision repairs repairsApproved executions
  }
}"""

UTC = dt.UTC
PERIOD = {"from": "2011-01-01T00:00:00Z", "to": "2011-04-01T00:00:00Z"}  # a quarter no other test writes in


async def test_a_quarter_counted_by_month_and_by_platform(deps: Deps, cast: Cast) -> None:
    async with transaction(deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        january = await factories.record(
            conn, merchant.id, cast.platform_a, occurred_at=dt.datetime(2011, 1, 10, tzinfo=UTC)
        )
        await factories.record(conn, merchant.id, cast.platform_b, occurred_at=dt.datetime(2011, 2, 3, tzinfo=UTC))
        serious = await factories.record(
            conn,
            merchant.id,
            cast.platform_a,
            severity=Severity.SERIOUS,
            category=Category.FAKE_TRANSACTIONS,
            occurred_at=dt.datetime(2011, 2, 20, tzinfo=UTC),
        )
        for filed, days in ((dt.datetime(2011, 1, 12, tzinfo=UTC), 4), (dt.datetime(2011, 1, 20, tzinfo=UTC), 10)):
            await conn.execute(
                "INSERT INTO objections (record_id, filed_by, reason, filed_at, due_at, status, resolved_by, resolved_at,"
                " resolution_note) VALUES ($1, 'regulator:t', 'r', $2, $3, 'REJECTED', 'platform:a', $4, 'n')",
                january.id,
                filed,
                filed + dt.timedelta(days=15),
                filed + dt.timedelta(days=days),
            )
        await conn.execute(
            "INSERT INTO list_entries (list, subject_id, authority, proposed_by, reason, legal_basis, legal_basis_level,"
            " exit_condition, state, decided_by, decided_at, valid_from, valid_until) VALUES ('SERIOUS_DISHONEST', $1,"
            " 'samr', 'regulator:t', 'r', 'b', 'DEPARTMENTAL_RULE', 'e', 'IN_FORCE', 'regulator:u', $2, $2, $3)",
            merchant.id,
            dt.datetime(2011, 3, 1, tzinfo=UTC),
            dt.datetime(2011, 3, 20, tzinfo=UTC),
        )
        await conn.execute(
            "INSERT INTO list_entry_records (entry_id, record_id) SELECT max(id), $1 FROM list_entries", serious.id
        )
    by_month = {
        row["group"]: row for row in (await cast.as_regulator.data(STATISTICS, **PERIOD, groupBy="MONTH"))["statistics"]
    }
    assert {month: row["records"] for month, row in by_month.items()} == {"2011-01": 1, "2011-02": 2, "2011-03": 0}
    assert (by_month["2011-01"]["objections"], by_month["2011-01"]["medianDaysToDecision"]) == (2, 7.0)
    assert (by_month["2011-03"]["listings"], by_month["2011-03"]["exits"]) == (1, 1)

    rows: list[dict[str, Any]] = (await cast.as_viewer.data(STATISTICS, **PERIOD, groupBy="PLATFORM"))["statistics"]
    by_platform = {row["group"]: row for row in rows}
    assert (by_platform[cast.platform_a]["records"], by_platform[cast.platform_b]["records"]) == (2, 1)
    assert by_platform[cast.platform_a]["listings"] == 1  # the listing rests on A's record


async def test_platforms_get_no_cross_platform_statistics_and_a_reversed_period_is_refused(cast: Cast) -> None:
    denied = await cast.as_a.error(STATISTICS, **PERIOD, groupBy="TIER")
    assert denied["extensions"]["code"] == "PERMISSION_DENIED"
    reversed_period = await cast.as_regulator.error(
        STATISTICS, **{"from": PERIOD["to"], "to": PERIOD["from"]}, groupBy="TIER"
    )
    assert reversed_period["extensions"]["code"] == "INVALID_VALUE"
