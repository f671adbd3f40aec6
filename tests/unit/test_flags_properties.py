"""Properties of compute_status over random facts (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from credithub.domain.clients import Client, Role
from credithub.domain.facts import EntryFact, RecordFact, RelatedFact, StatusAt, SubjectFacts
from credithub.domain.flags import CreditStatus, compute_status, visible_flags
from credithub.domain.lists import ListKind
from credithub.domain.measures import Scope, Tier
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.status_codec import decode_flag, decode_status, encode_status, read_stored
from credithub.domain.subjects import RelationKind, SubjectKind
from credithub.services import read_models
from tests.engine import CATALOG, RULE_SETS

START = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
instants = st.integers(min_value=0, max_value=9 * 365 * 24).map(lambda hours: START + dt.timedelta(hours=hours))
ids = st.integers(min_value=1, max_value=10**6)


@st.composite
def record_facts(draw: st.DrawFn) -> RecordFact:
    occurred = draw(instants)
    category = draw(st.sampled_from(list(Category)))
    severity = None if category.is_positive else draw(st.sampled_from(list(Severity)))
    history = [StatusAt(RecordStatus.ACTIVE, occurred)]
    for _ in range(draw(st.integers(0, 2))):
        history.append(
            StatusAt(
                draw(
                    st.sampled_from(
                        [
                            RecordStatus.OBJECTION_PENDING,
                            RecordStatus.ACTIVE,
                            RecordStatus.WITHDRAWN,
                            RecordStatus.REPAIRED,
                        ]
                    )
                ),
                history[-1].at + dt.timedelta(days=draw(st.integers(1, 400))),
            )
        )
    return RecordFact(
        id=draw(ids),
        category=category,
        severity=severity,
        occurred_at=occurred,
        valid_until=draw(st.none() | instants),
        source_platform=draw(st.sampled_from(["a", "b", None])),
        source_authority="authority",
        history=tuple(history),
    )


@st.composite
def entry_facts(draw: st.DrawFn, records: list[RecordFact]) -> EntryFact:
    since = draw(instants)
    ends = draw(st.none() | st.integers(1, 2000).map(lambda days: since + dt.timedelta(days=days)))
    rests_on = draw(st.lists(st.sampled_from(records), max_size=3, unique_by=lambda r: r.id)) if records else []
    return EntryFact(
        id=draw(ids),
        list=draw(st.sampled_from(list(ListKind))),
        authority="regulator",
        valid_from=since,
        ends_at=ends,
        records=tuple(rests_on),
    )


@st.composite
def subject_facts(draw: st.DrawFn) -> SubjectFacts:
    records = draw(st.lists(record_facts(), max_size=8, unique_by=lambda r: r.id))
    entries = draw(st.lists(entry_facts(records), max_size=3, unique_by=lambda e: e.id))
    related = []
    for _ in range(draw(st.integers(0, 3))):
        since = draw(instants)
        related.append(
            RelatedFact(
                relation=draw(st.sampled_from(list(RelationKind))),
                subject_id=draw(ids),
                subject_kind=draw(st.sampled_from(list(SubjectKind))),
                subject_name="related",
                valid_from=since,
                valid_to=draw(
                    st.none() | st.integers(1, 900).map(lambda days, since=since: since + dt.timedelta(days=days))
                ),
                entries=tuple(draw(st.lists(entry_facts([]), max_size=2, unique_by=lambda e: e.id))),
            )
        )
    return SubjectFacts(
        subject_id=draw(ids),
        kind=draw(st.sampled_from(list(SubjectKind))),
        since=draw(instants),
        records=tuple(records),
        entries=tuple(entries),
        related=tuple(related),
    )


def compute(facts: SubjectFacts, at: dt.datetime, catalog=CATALOG) -> CreditStatus:  # type: ignore[no-untyped-def]
    return compute_status(facts, catalog, RULE_SETS, at)


@settings(max_examples=200)
@given(subject_facts(), instants, st.randoms(use_true_random=False))
def test_the_order_of_facts_never_changes_the_result(facts: SubjectFacts, at: dt.datetime, rng) -> None:  # type: ignore[no-untyped-def]
    def shuffled(items: tuple) -> tuple:  # type: ignore[type-arg]
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    reordered = dataclasses.replace(
        facts, records=shuffled(facts.records), entries=shuffled(facts.entries), related=shuffled(facts.related)
    )
    assert compute(reordered, at, shuffled(CATALOG)) == compute(facts, at)


@settings(max_examples=200)
@given(subject_facts(), instants, st.randoms(use_true_random=False))
def test_the_order_of_an_entrys_records_or_a_neighbours_entries_never_changes_the_result(  # type: ignore[no-untyped-def]
    facts: SubjectFacts, at: dt.datetime, rng
) -> None:
    # The fact query (db/sql/facts.sql) gathers these in subqueries without ORDER BY: their order is the database's.
    def shuffled(items: tuple) -> tuple:  # type: ignore[type-arg]
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    def reordered(entry: EntryFact) -> EntryFact:
        return dataclasses.replace(entry, records=shuffled(entry.records))

    given_otherwise = dataclasses.replace(
        facts,
        entries=tuple(reordered(entry) for entry in facts.entries),
        related=tuple(
            dataclasses.replace(related, entries=shuffled(tuple(reordered(entry) for entry in related.entries)))
            for related in facts.related
        ),
    )
    assert compute(given_otherwise, at) == compute(facts, at)


@settings(max_examples=300)
@given(subject_facts(), instants)
def test_every_flag_is_in_force_and_names_its_rule_basis_and_reason(facts: SubjectFacts, at: dt.datetime) -> None:
    for flag in compute(facts, at).flags:
        assert flag.reason.startswith(flag.measure + ": ")
        assert flag.legal_basis.text
        assert flag.effective_from <= at
        assert flag.effective_until is None or at < flag.effective_until
        assert flag.record_ids or flag.list_entry_ids or "credit tier" in flag.reason
        assert flag.enforced == (flag.not_enforced_reason is None)


@settings(max_examples=300)
@given(subject_facts(), instants, st.floats(min_value=0, max_value=0.999))
def test_nothing_changes_before_stable_until(facts: SubjectFacts, at: dt.datetime, fraction: float) -> None:
    # This is what lets a cached status be reused until `stable_until`.
    first = compute(facts, at)
    horizon = first.stable_until or at + dt.timedelta(days=3650)
    later_instant = at + (horizon - at) * fraction
    later = compute(facts, later_instant)
    assert dataclasses.replace(later, as_of=at) == first


@settings(max_examples=200)
@given(subject_facts(), instants, st.sampled_from(["a", "b"]))
def test_a_platform_misses_only_origin_measures_of_other_sources(
    facts: SubjectFacts, at: dt.datetime, platform: str
) -> None:
    result = compute(facts, at)
    seen = visible_flags(result, platform)
    for flag in set(result.flags) - set(seen):
        assert flag.scope is Scope.ORIGIN_PLATFORM
        assert flag.source_platform != platform


@settings(max_examples=200)
@given(subject_facts(), instants)
def test_a_stored_status_decodes_to_the_status_that_was_stored(facts: SubjectFacts, at: dt.datetime) -> None:
    status = compute(facts, at)
    stored = orjson.loads(orjson.dumps(encode_status(status)))  # as it goes through jsonb
    assert decode_status(stored) == status


def test_a_stored_status_of_another_format_is_not_decoded() -> None:
    assert decode_status({"v": 0}) is None


@settings(max_examples=200)
@given(subject_facts(), instants, st.sampled_from([None, "a", "b"]))
def test_a_stored_status_read_without_decoding_shows_a_platform_the_flags_its_view_does(
    facts: SubjectFacts, at: dt.datetime, platform: str | None
) -> None:
    status = compute(facts, at)
    stored = read_stored(orjson.loads(orjson.dumps(encode_status(status))), at)
    assert stored is not None
    assert stored.decoded() == status
    viewer = Client(1, "c", Role.PLATFORM if platform else Role.REGULATOR, platform)
    view = read_models.stored_status_view(stored, viewer)
    assert tuple(decode_flag(flag) for flag in view.flags) == read_models.status_view(status, viewer).flags
    assert view.decoded() == read_models.status_view(status, viewer)


def test_a_stored_status_is_read_only_while_it_is_current_and_of_this_format() -> None:
    status = CreditStatus(7, START, "R2026", Tier.A, "clean", False, False, False, (), START + dt.timedelta(days=1))
    stored = orjson.loads(orjson.dumps(encode_status(status)))
    later = START + dt.timedelta(hours=1)
    found = read_stored(stored, later)
    assert found is not None
    assert found.decoded() == dataclasses.replace(status, as_of=later)
    assert read_stored(stored, START - dt.timedelta(seconds=1)) is None  # computed after the instant asked
    assert read_stored(stored, START + dt.timedelta(days=1)) is None  # past its stable_until
    assert read_stored({**stored, "v": 1}, later) is None
