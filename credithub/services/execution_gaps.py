"""`executionGaps`: mandatory flags the hub pushed that a platform has not reported applied in
time, and relations made while a flag forbade them."""

from __future__ import annotations

import datetime as dt

from credithub.db import execution_gaps as db_gaps
from credithub.db import executions as db_executions
from credithub.db.pool import transaction
from credithub.domain import executions
from credithub.domain.executions import ExecutionGap
from credithub.services.ports import Deps


async def find_gaps(deps: Deps, *, platform: str | None, at: dt.datetime | None = None) -> list[ExecutionGap]:
    """Every gap at `at` (default now), oldest first; only `platform`'s when one is given."""
    now = at or deps.clock.now()
    allowed = dt.timedelta(days=deps.settings.execution_days)
    async with transaction(deps.pool) as conn:
        pushed = await db_gaps.list_pushed_mandatory(conn, now)
        done = await db_executions.list_for_subjects(conn, sorted({flag.subject_id for flag in pushed}))
        spans = await db_gaps.list_flag_spans(conn, executions.FORBIDS_SIGNING)
        signings = await db_gaps.list_signings_of_agencies(conn, sorted({span.subject_id for span in spans}))
    reported = [execution for found in done.values() for execution in found]
    gaps = executions.find_unapplied(pushed, reported, now, allowed)
    gaps += executions.find_relations_in_breach(spans, signings)
    return executions.order_gaps(gap for gap in gaps if platform is None or gap.platform == platform)
