"""Two paths that lock a record and its repair application or objection — deciding the
workflow, and the source revoking the violation — must take the locks in the same order, or
each waits for the other until PostgreSQL aborts one as a deadlock."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from credithub.db import objections as db_objections
from credithub.db import records as db_records
from credithub.db import repairs as db_repairs
from credithub.db.pool import transaction
from credithub.domain import events
from credithub.domain.clients import Client, Role
from credithub.domain.records import RecordStatus, Severity
from credithub.domain.subjects import SubjectKind
from credithub.services import clients, objections, repairs, reports
from credithub.services.ports import Deps
from tests import factories

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=800)


class SecondLockPause:
    """Pauses the decision between its two row locks, whichever it takes first."""

    def __init__(self) -> None:
        self.task: asyncio.Task[Any] | None = None
        self.locks = 0
        self.between = asyncio.Event()
        self.release = asyncio.Event()

    def wrap(self, original: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def locking(conn: Any, key: int) -> Any:
            if asyncio.current_task() is self.task:
                self.locks += 1
                if self.locks == 2:
                    self.between.set()
                    await self.release.wait()
            return await original(conn, key)

        return locking


@pytest.mark.parametrize("workflow", ["repair", "objection"])
async def test_deciding_while_the_source_revokes_finishes_both_without_a_deadlock(
    fresh_deps: Deps, monkeypatch: pytest.MonkeyPatch, workflow: str
) -> None:
    registered = await clients.add_platform(fresh_deps, "locks", "Locks")
    source = Client(id=0, name="locks", role=Role.PLATFORM, platform=registered.code)
    # Whoever files or applies is never who decides: the subject's own client does the filing.
    async with transaction(fresh_deps.pool) as conn:
        merchant = await factories.subject(conn, SubjectKind.MERCHANT)
        await factories.account(conn, merchant.id, registered.code)
    subject = Client(id=1, name="merchant", role=Role.SUBJECT, platform=None, subject_id=merchant.id)
    async with transaction(fresh_deps.pool) as conn:
        record = await factories.record(
            conn, merchant.id, registered.code, severity=Severity.GENERAL, occurred_at=LONG_AGO
        )
    pause = SecondLockPause()
    monkeypatch.setattr(db_records, "get_for_update", pause.wrap(db_records.get_for_update))
    if workflow == "repair":
        application = await repairs.apply_for_repair(
            fresh_deps,
            subject,
            record.id,
            "整改完毕，附整改报告",
            "本主体承诺守法诚信经营，如有违反愿承担相应法律责任。",
        )
        monkeypatch.setattr(db_repairs, "get_for_update", pause.wrap(db_repairs.get_for_update))
        decision = repairs.decide_repair(fresh_deps, source, application.id, False, "证据不足")
    else:
        objection = await objections.file_objection(fresh_deps, subject, record.id, "系统误判")
        monkeypatch.setattr(db_objections, "get_for_update", pause.wrap(db_objections.get_for_update))
        decision = objections.resolve_objection(fresh_deps, source, objection.id, False, "核查属实")

    async def revoke() -> None:
        async with transaction(fresh_deps.pool) as conn:
            revoked = events.ViolationRevoked(record.source.ref or "", "误报")
            await reports.revoke_violation(conn, registered.code, revoked, fresh_deps.clock.now())

    pause.task = asyncio.create_task(decision)
    await asyncio.wait_for(pause.between.wait(), 10)
    revoking = asyncio.create_task(revoke())
    await asyncio.sleep(0.3)  # the revocation now waits for whatever the decision holds
    pause.release.set()
    results = await asyncio.wait_for(asyncio.gather(pause.task, revoking, return_exceptions=True), 20)
    assert [r for r in results if isinstance(r, BaseException)] == []
    status = await fresh_deps.pool.fetchval("SELECT status FROM credit_records WHERE id = $1", record.id)
    assert status == RecordStatus.WITHDRAWN.value
