"""Reads of credit information are audited before they are answered, concurrent ones together."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from credithub.domain.clients import Client, Role
from credithub.services import audit
from credithub.services.ports import Deps

PLATFORM = Client(id=7, name="platform-x", role=Role.PLATFORM, platform="x")


async def _rows(deps: Deps, subject_ids: list[int]) -> list[tuple[int, str, str]]:
    found = await deps.pool.fetch(
        "SELECT subject_id, xmin::text AS tx, purpose FROM audit_reads WHERE subject_id = ANY($1) ORDER BY id",
        subject_ids,
    )
    return [(row["subject_id"], row["tx"], row["purpose"]) for row in found]


async def test_concurrent_reads_are_committed_together_each_awaiting_its_own_rows(fresh_deps: Deps) -> None:
    subject_ids = list(range(900_001, 900_021))

    await asyncio.gather(
        *(audit.record_reads(fresh_deps, PLATFORM, [("creditStatus", s, None)], "onboarding") for s in subject_ids)
    )

    rows = await _rows(fresh_deps, subject_ids)  # every caller returned: every row is committed
    assert sorted(subject_id for subject_id, _, _ in rows) == subject_ids
    assert {purpose for _, _, purpose in rows} == {"onboarding"}
    assert len({tx for _, tx, _ in rows}) < len(subject_ids)  # fewer commits than requests


async def test_a_read_whose_row_is_refused_fails_alone(fresh_deps: Deps) -> None:
    refused, fine = 910_001, [910_002, 910_003, 910_004]
    await fresh_deps.pool.execute(
        "CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'refused'; END $$;"
        "CREATE TRIGGER audit_reads_refuse_one BEFORE INSERT ON audit_reads"
        f" FOR EACH ROW WHEN (NEW.subject_id = {refused}) EXECUTE FUNCTION refuse_one();"
    )

    outcomes = await asyncio.gather(
        *(audit.record_reads(fresh_deps, PLATFORM, [("records", s, None)]) for s in [refused, *fine]),
        return_exceptions=True,
    )

    assert isinstance(outcomes[0], Exception)
    assert outcomes[1:] == [None, None, None]
    assert sorted(subject_id for subject_id, _, _ in await _rows(fresh_deps, [refused, *fine])) == fine


async def test_nobody_is_answered_before_its_row_is_committed(fresh_deps: Deps) -> None:
    subject_ids = [920_001, 920_002]
    async with fresh_deps.pool.acquire() as holder:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("LOCK TABLE audit_reads IN SHARE MODE")  # inserts wait until it ends
        waiting = asyncio.gather(
            *(audit.record_reads(fresh_deps, PLATFORM, [("records", s, None)]) for s in subject_ids)
        )
        await asyncio.sleep(0.3)
        assert not waiting.done()
        await transaction.rollback()
    await waiting
    assert sorted(subject_id for subject_id, _, _ in await _rows(fresh_deps, subject_ids)) == subject_ids


@pytest.fixture(autouse=True)
def _no_leftover_writers() -> Iterator[None]:
    yield
    assert not audit._WRITERS  # a writer is forgotten once it has written everything
