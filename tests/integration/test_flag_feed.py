"""The flag change feed on real PostgreSQL: positions follow commit order, so a reader paging
while writers commit late never skips or repeats a change."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import random

from credithub.db import flag_feed as db_flag_feed
from credithub.db.pool import transaction
from credithub.domain import flag_feed
from credithub.domain.flags import CreditStatus, Flag, StatusReplaced
from credithub.domain.measures import MeasureKind, Scope, Tier
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.domain.spans import Via
from credithub.domain.status_codec import encode_flag
from credithub.domain.subjects import RelationKind, SubjectKind
from credithub.services import flag_feed as feed_service
from credithub.services.ports import Deps
from tests import factories

AT = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def flag(
    measure: str, *, authority: str | None = "samr", scope: Scope = Scope.ALL_PLATFORMS, **changes: object
) -> Flag:
    made = Flag(
        measure=measure,
        kind=MeasureKind.RESTRICTION,
        mandatory=True,
        scope=scope,
        legal_basis=LegalBasis("basis", None),
        legal_basis_level=LegalBasisLevel.LAW,
        source_platform=None,
        source_authority=authority,
        via=None,
        record_ids=(1,),
        list_entry_ids=(),
        effective_from=AT,
        effective_until=None,
        enforced=True,
        not_enforced_reason=None,
        reason="why",
    )
    return dataclasses.replace(made, **changes)  # type: ignore[arg-type]


def status(subject_id: int, *flags: Flag) -> CreditStatus:
    return CreditStatus(subject_id, AT, "R2026", Tier.D, "", True, False, False, tuple(flags), None)


def test_a_change_is_a_set_of_the_whole_flag_or_a_lift_and_origin_scoped_flags_stay_out() -> None:
    ban, review = flag("ONBOARDING_BAN"), flag("ENHANCED_REVIEW", authority=None, source_platform="p")
    local = flag("WITHDRAWAL_HOLD", scope=Scope.ORIGIN_PLATFORM)
    changes = flag_feed.compute_feed_changes(
        status(1, ban, local), status(1, review, dataclasses.replace(ban, enforced=False))
    )
    assert [(key, None if value is None else value["enforced"]) for key, value in changes] == [
        ("ENHANCED_REVIEW|p||", True),
        ("ONBOARDING_BAN||samr|", False),
    ]
    assert flag_feed.compute_feed_changes(status(1, ban), status(1, ban)) == []
    assert flag_feed.compute_feed_changes(status(1, ban), status(1)) == [("ONBOARDING_BAN||samr|", None)]


async def test_the_sql_flag_key_is_the_domains(fresh_deps: Deps) -> None:
    via = Via(RelationKind.MCN_SIGNING, 42, SubjectKind.MCN_AGENCY, "星辰传媒")
    flags = [
        flag("ONBOARDING_BAN"),
        flag("ASSOCIATED_RISK_REVIEW", via=via),
        flag("ENHANCED_REVIEW", authority=None, source_platform="shop|mall"),
        flag("X", authority=None),
    ]
    encoded = [encode_flag(item) for item in flags]
    assert await db_flag_feed.compute_keys(fresh_deps.pool, encoded) == [flag_feed.compute_flag_key(f) for f in encoded]


async def change(
    deps: Deps, subject_id: int, before: CreditStatus | None, after: CreditStatus, *, hold: float = 0
) -> None:
    async with transaction(deps.pool) as conn:
        await feed_service.record_changes(conn, [StatusReplaced(before, after, 1)], AT)
        await asyncio.sleep(hold)  # commits late, holding positions drawn early


async def read_all(
    deps: Deps, cursor: flag_feed.FeedCursor | None, first: int
) -> tuple[list[feed_service.FeedEdge], flag_feed.FeedCursor]:
    read = []
    while True:
        page = await feed_service.read_page(deps, cursor, first)
        read += page.edges
        cursor = page.end
        if not page.has_next:
            return read, cursor


async def test_a_change_committed_late_is_never_skipped_by_a_reader_already_past_it(fresh_deps: Deps) -> None:
    async with transaction(fresh_deps.pool) as conn:
        subject = await factories.subject(conn, SubjectKind.MERCHANT)
    _, start = await read_all(fresh_deps, None, 10)
    late = asyncio.create_task(change(fresh_deps, subject.id, None, status(subject.id, flag("A")), hold=0.5))
    await asyncio.sleep(0.1)  # A holds its position, uncommitted
    quick = asyncio.create_task(change(fresh_deps, subject.id, None, status(subject.id, flag("B"))))
    await asyncio.sleep(0.1)
    seen, cursor = await read_all(fresh_deps, start, 10)
    assert seen == []  # B waits for A: nothing visible may jump ahead of A's position
    await asyncio.gather(late, quick)
    seen, _ = await read_all(fresh_deps, cursor, 10)
    assert [edge.row.flag_key.split("|")[0] for edge in seen] == ["A", "B"]


async def test_concurrent_writers_and_a_paging_reader_see_every_change_exactly_once_in_order(fresh_deps: Deps) -> None:
    rng = random.Random(12)
    async with transaction(fresh_deps.pool) as conn:
        subjects = [(await factories.subject(conn, SubjectKind.MERCHANT)).id for _ in range(4)]
    measures = ["M1", "M2", "M3"]
    current: dict[int, CreditStatus | None] = dict.fromkeys(subjects)
    locks = {subject_id: asyncio.Lock() for subject_id in subjects}

    async def writer(seed: int) -> None:
        local = random.Random(seed)
        for _ in range(12):
            subject_id = local.choice(subjects)
            async with locks[subject_id]:  # as the status store's row lock does for one subject
                picked = local.sample(measures, k=local.randrange(len(measures) + 1))
                after = status(subject_id, *(flag(m, enforced=local.random() < 0.5) for m in sorted(picked)))
                await change(fresh_deps, subject_id, current[subject_id], after, hold=local.random() * 0.03)
                current[subject_id] = after

    mirror: dict[tuple[int, str], object] = {}
    positions: list[int] = []
    snapshot_at: list[int] = []
    done = asyncio.Event()

    async def reader() -> None:
        cursor: flag_feed.FeedCursor | None = None
        while True:
            finished = done.is_set()
            page = await feed_service.read_page(fresh_deps, cursor, rng.randrange(1, 6))
            snapshot_at[:] = snapshot_at or [page.end.position]
            for edge in page.edges:
                if not edge.snapshot:
                    assert edge.row.position is not None
                    positions.append(edge.row.position)
                key = (edge.row.subject_id, edge.row.flag_key)
                if edge.row.flag is None:
                    mirror.pop(key, None)
                else:
                    mirror[key] = edge.row.flag
            cursor = page.end
            if finished and not page.has_next:
                return
            await asyncio.sleep(0.005)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(seed) for seed in range(6)))
    done.set()
    await reading
    assert positions == sorted(set(positions))  # in order, none twice
    stored = [row.position for row in await db_flag_feed.list_after(fresh_deps.pool, snapshot_at[0], 10_000)]
    assert positions == stored  # none skipped, even those committed late
    expected = {
        (subject_id, flag_feed.compute_flag_key(encoded)): encoded
        for subject_id, last in current.items()
        if last is not None
        for encoded in (encode_flag(f) for f in last.flags)
    }
    assert mirror == expected
