from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter

import pytest

from credithub.demo.cast import README_CODES, choose_cast
from credithub.demo.world import SHOWCASE_CODE, Shard, World, generate_world
from credithub.domain.identifiers import parse_credit_code
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.subjects import SubjectKind

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def world() -> World:
    return generate_world(now=NOW, person_key=b"demo-key")


def test_the_demo_world_is_big_enough_to_explore(world: World) -> None:
    kinds = Counter(subject.kind for subject in world.subjects)
    assert len(world.subjects) >= 5000
    assert min(kinds.values()) >= 100
    assert len(world.platforms) >= 3
    assert len(world.records) >= 2000
    assert len(world.signings) >= 500


def test_every_organisation_has_a_valid_unique_credit_code(world: World) -> None:
    codes = [subject.credit_code for subject in world.subjects if subject.kind is not SubjectKind.ANCHOR]
    assert len(codes) == len(set(codes))
    assert all(code is not None and parse_credit_code(code).value == code for code in codes)


def test_records_cover_every_severity_and_status_and_stay_in_the_past(world: World) -> None:
    assert {record.severity for record in world.records} >= set(Severity)
    assert {record.status for record in world.records} >= set(RecordStatus) - {RecordStatus.EXPIRED}
    assert {record.category for record in world.records} >= {Category.COURT_DISHONEST_DEBTOR, Category.RED_LIST}
    assert all(record.occurred_at <= record.reported_at <= NOW for record in world.records)


def test_people_are_shared_between_roles(world: World) -> None:
    represented = Counter(row.from_index for row in world.representations)
    anchors = {subject.person_index for subject in world.subjects if subject.kind is SubjectKind.ANCHOR}
    assert max(represented.values()) >= 2  # someone represents several companies
    assert anchors & set(represented)  # some legal representatives also stream


def test_the_same_seed_gives_the_same_world() -> None:
    first = generate_world(subjects=200, now=NOW, person_key=b"demo-key")
    second = generate_world(subjects=200, now=NOW, person_key=b"demo-key")
    assert first == second


def test_every_pending_record_has_its_open_objection(world: World) -> None:
    pending = {index for index, record in enumerate(world.records) if record.status is RecordStatus.OBJECTION_PENDING}
    assert pending
    assert sorted(row.record_index for row in world.objections) == sorted(pending)
    assert all(row.filed_at < row.due_at for row in world.objections)


def test_the_due_process_cast_is_distinct_fitting_and_leaves_the_documented_merchants_alone(world: World) -> None:
    cast = choose_cast(world, NOW)
    parts = [getattr(cast, field.name) for field in dataclasses.fields(cast) if field.type == "Part"]
    assert len({part.subject_index for part in parts}) == len(parts) == 8
    accounts = {(row.subject_index, row.platform) for row in world.accounts}
    for part in parts:
        record = world.records[part.record_index]
        assert record.subject_index == part.subject_index
        assert (record.severity, record.status, record.source_platform) == (
            Severity.SERIOUS,
            RecordStatus.ACTIVE,
            part.platform,
        )
        assert (part.subject_index, part.platform) in accounts
        assert world.subjects[part.subject_index].credit_code not in README_CODES | {SHOWCASE_CODE}
    assert cast.in_force.platform == cast.proposable.platform == "shopmall"  # the platform guide is ShopMall's
    repairable = world.records[cast.repairable_record]
    assert repairable.subject_index == cast.defending.subject_index
    assert repairable.severity is Severity.GENERAL
    assert world.records[cast.corrected_record].status is RecordStatus.OBJECTION_PENDING
    assert choose_cast(world, NOW) == cast


def test_shards_of_a_large_world_never_share_an_identifier() -> None:
    """The benchmark's millions of subjects come in shards generated one at a time: every code,
    person, account and record reference must stay unique across them."""
    shards = [
        generate_world(seed=n, subjects=300, records_per_subject=3, now=NOW, person_key=b"k", shard=Shard(n, 301))
        for n in range(3)
    ]

    def unique(values: list[object]) -> bool:
        return len(values) == len(set(values))

    assert unique([s.credit_code for w in shards for s in w.subjects if s.credit_code is not None])
    assert all(parse_credit_code(s.credit_code).value == s.credit_code for s in shards[1].subjects if s.credit_code)
    assert unique([h for w in shards for h in w.person_hashes])
    assert unique([(a.platform, a.external_id) for w in shards for a in w.accounts])
    assert unique([(r.source_platform, r.source_authority, r.source_ref) for w in shards for r in w.records])
    assert [w.subjects[-1].credit_code == SHOWCASE_CODE for w in shards] == [True, False, False]
