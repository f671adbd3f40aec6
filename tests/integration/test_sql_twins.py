"""Predicates that SQL and Python both need are written once in each language: these tests hold
each SQL function to its Python twin on generated values (in the hub's session settings: month
arithmetic on timestamptz depends on the time zone)."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credithub.db import facts as db_facts
from credithub.db import signings as db_signings
from credithub.db.pool import SERVER_SETTINGS
from credithub.db.records import scope_args
from credithub.domain import lists, records
from credithub.domain.clients import Client, Role
from credithub.domain.facts import EntryFact
from credithub.domain.records import LegalBasis, LegalBasisLevel
from credithub.domain.rules import compute_window_end, select_rule_set
from credithub.domain.subjects import SubjectKind, Validity
from credithub.domain.visibility import compute_record_scope, compute_record_visibility
from tests import factories
from tests.engine import RULE_SETS

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
    connection = await asyncpg.connect(shared_dsn, server_settings=SERVER_SETTINGS)
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(valid_from=instants, days=st.none() | st.integers(min_value=1, max_value=6), at=instants)
async def test_period_in_force_agrees_with_the_validity_of_a_signing(
    conn: asyncpg.Connection, valid_from: dt.datetime, days: int | None, at: dt.datetime
) -> None:
    valid_to = valid_from + dt.timedelta(days=days) if days is not None else None  # the tables' CHECK: after
    in_force = await conn.fetchval("SELECT period_in_force($1, $2, $3)", valid_from, valid_to, at)
    assert in_force == Validity(valid_from, valid_to).in_force_at(at)


@st.composite
def calendar_instants(draw: st.DrawFn) -> dt.datetime:
    """Midnights across the rule sets' regimes, mostly on the days month arithmetic gets wrong
    (so that a window ending exactly at the instant asked about is drawn often)."""
    year = draw(st.integers(2018, 2029))
    month = draw(st.integers(1, 12))
    day = min(draw(st.sampled_from([1, 15, 28, 29, 30, 31])), calendar.monthrange(year, month)[1])
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


VIEWERS = (
    Client(1, "own", Role.PLATFORM, "p"),
    Client(2, "dashboard", Role.VIEWER, None),
    Client(3, "regulator", Role.REGULATOR, None),
    Client(4, "admin", Role.ADMIN, None),
    Client(5, "subject", Role.SUBJECT, None, subject_id=1),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    subject_id=st.sampled_from([1, 2]),
    status=st.sampled_from([s for s in records.RecordStatus if s is not records.RecordStatus.EXPIRED]),
    platform=st.sampled_from([None, "p", "q"]),
    severity=st.none() | st.sampled_from(records.Severity),
    occurred_at=calendar_instants(),
    decided_at=st.none() | calendar_instants(),
    valid_until=st.none() | calendar_instants(),
    viewer=st.sampled_from(VIEWERS),
    at=calendar_instants(),
)
async def test_record_visibility_and_its_window_agree_with_the_domain(
    conn: asyncpg.Connection,
    subject_id: int,
    status: records.RecordStatus,
    platform: str | None,
    severity: records.Severity | None,
    occurred_at: dt.datetime,
    decided_at: dt.datetime | None,
    valid_until: dt.datetime | None,
    viewer: Client,
    at: dt.datetime,
) -> None:
    source = (
        records.Source(records.SourceType.PLATFORM, platform, None, "ref")
        if platform is not None
        else records.Source(records.SourceType.AUTHORITY, None, "authority", "ref")
    )
    category = records.Category.FALSE_ADVERTISING if severity is not None else records.Category.RED_LIST
    record = records.CreditRecord(
        id=1,
        subject_id=subject_id,
        source=source,
        category=category,
        severity=severity,
        occurred_at=occurred_at,
        reported_at=occurred_at,
        description=None,
        legal_basis=LegalBasis("b", None),
        status=status,
        valid_until=valid_until,
        decided_at=decided_at,
    )
    rules = select_rule_set(RULE_SETS, at)
    scope = compute_record_scope(viewer, rules, at)
    max_months = rules.window(severity).max_months if severity is not None else None
    counts_from, window_end, shown = await conn.fetchrow(
        "SELECT record_counts_from($1, $2), record_window_end($3, record_counts_from($1, $2), $4, $5),"
        " record_visibility($6, $7, $8, $3, record_counts_from($1, $2), $4, $9, $10, $11, $12, $13, $14, $15)",
        occurred_at,
        decided_at,
        severity.value if severity is not None else None,
        valid_until,
        max_months,
        subject_id,
        status.value,
        platform,
        *scope_args(scope),
    )
    assert counts_from == record.counts_from
    assert window_end == compute_window_end(severity, record.counts_from, valid_until, rules)
    assert shown == compute_record_visibility(record, scope).value


async def test_a_change_to_a_subject_refreshes_exactly_the_subjects_whose_facts_read_it(fresh_dsn: str) -> None:
    """touch_subjects reads subject_relations backwards, the fact loader forwards: touching X must
    give a new facts version (and a refresh) to X and to every subject whose loaded facts name X
    one relation away, and to no other. Random signings and shared legal representatives."""
    rng = random.Random(20261203)
    conn = await asyncpg.connect(fresh_dsn, server_settings=SERVER_SETTINGS)
    try:
        async with conn.transaction():
            agencies = [await factories.subject(conn, SubjectKind.MCN_AGENCY) for _ in range(4)]
            anchors = [await factories.subject(conn, SubjectKind.ANCHOR) for _ in range(6)]
            merchants = [await factories.subject(conn, SubjectKind.MERCHANT) for _ in range(6)]
            companies = agencies + merchants
            people = [anchor.person_id for anchor in anchors[:3]]
            for _ in range(8):
                since = BASE - dt.timedelta(days=rng.randrange(1, 900))
                until = rng.choice([None, since + dt.timedelta(days=rng.randrange(1, 400))])
                await factories.signing(
                    conn, rng.choice(agencies).id, rng.choice(anchors).id, valid_from=since, valid_to=until
                )
            for company in companies:
                for person_id in rng.sample(people, rng.randrange(0, 3)):
                    assert person_id is not None
                    since = BASE - dt.timedelta(days=rng.randrange(1, 900))
                    await db_signings.upsert_representation(conn, person_id, company.id, since, None, None)
            everyone = [subject.id for subject in agencies + anchors + merchants]
            loaded = await db_facts.load_for_subjects(conn, everyone)
            reads = {s: {related.subject_id for related in loaded[s].facts.related} for s in everyone}
            assert sum(map(len, reads.values())) > len(everyone), "the graph must relate most subjects"
            for touched in everyone:
                before = dict(await conn.fetch("SELECT id, facts_version FROM subjects WHERE id = ANY($1)", everyone))
                await conn.execute("DELETE FROM status_refresh_queue")
                await conn.execute("SELECT touch_subjects($1::bigint[])", [touched])
                after = dict(await conn.fetch("SELECT id, facts_version FROM subjects WHERE id = ANY($1)", everyone))
                queued = {row["subject_id"] for row in await conn.fetch("SELECT subject_id FROM status_refresh_queue")}
                expected = {touched} | {s for s in everyone if touched in reads[s]}
                assert {s for s in everyone if after[s] != before[s]} == expected
                assert queued == expected
    finally:
        await conn.close()
