"""Predicates that SQL and Python both need are written once in each language: these tests hold
each SQL function to its Python twin on generated values."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credithub.domain import lists
from credithub.domain.facts import EntryFact
from credithub.domain.records import LegalBasis, LegalBasisLevel

BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
instants = st.integers(min_value=-5, max_value=5).map(lambda days: BASE + dt.timedelta(days=days))
maybe_instants = st.none() | instants


def entry(
    state: lists.ListEntryState,
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    ended_at: dt.datetime | None,
) -> lists.ListEntry:
    return lists.ListEntry(
        id=1,
        list=lists.ListKind.SERIOUS_DISHONEST,
        subject_id=1,
        record_ids=(),
        authority="a",
        state=state,
        proposed_by="p",
        proposed_by_platform=None,
        proposed_at=BASE,
        reason="r",
        legal_basis=LegalBasis("b", None),
        legal_basis_level=LegalBasisLevel.LAW,
        exit_condition="e",
        notice_sent_at=None,
        defence_deadline=None,
        decided_by=None,
        decided_at=None,
        decision_note=None,
        decision_ref=None,
        valid_from=valid_from,
        valid_until=valid_until,
        ended_at=ended_at,
        ended_by=None,
        end_reason=None,
        end_cause=None,
    )


@pytest.fixture(scope="module")
async def conn(shared_dsn: str):  # type: ignore[no-untyped-def]
    connection = await asyncpg.connect(shared_dsn)
    yield connection
    await connection.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from(lists.ListEntryState),
    valid_from=maybe_instants,
    valid_until=maybe_instants,
    ended_at=maybe_instants,
    at=instants,
)
async def test_entry_in_force_entry_state_at_and_entry_ends_at_agree_with_the_list_entry(
    conn: asyncpg.Connection,
    state: lists.ListEntryState,
    valid_from: dt.datetime | None,
    valid_until: dt.datetime | None,
    ended_at: dt.datetime | None,
    at: dt.datetime,
) -> None:
    python = entry(state, valid_from, valid_until, ended_at)
    in_force, shown, ends_at = await conn.fetchrow(
        "SELECT entry_in_force($1, $2, $3, $4), entry_state_at($5, $2, $4), entry_ends_at($2, $3)",
        valid_from,
        valid_until,
        ended_at,
        at,
        state.value,
    )
    assert in_force == python.in_force_at(at)
    assert shown == python.state_at(at).value
    assert ends_at == python.ends_at
    if valid_from is not None:  # the engine reads an entry that came into force as (valid_from, ends_at)
        fact = EntryFact(1, lists.ListKind.SERIOUS_DISHONEST, "a", valid_from, ends_at, ())
        assert fact.in_force_at(at) == python.in_force_at(at)
