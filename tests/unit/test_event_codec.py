"""What the inbox keeps of an event is the event the edge parsed: a worker applies exactly what
the webhook, the pulled page or the GraphQL report said, however long it waited, and a person
is stored by hash, never by ID number."""

from __future__ import annotations

import datetime as dt
import random

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain import samples
from credithub.domain.event_codec import decode_event, encode_event
from credithub.domain.events import (
    AccountUpdated,
    Event,
    EventType,
    MeasureExecuted,
    Party,
    PartyKind,
    RelationChanged,
    ViolationReported,
    ViolationRevoked,
    parse_event,
)
from credithub.domain.executions import ExecutionAction
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.subjects import AccountStatus, RelationKind

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
KEY = b"codec"

# What parsing lets through: no control characters, no lone surrogates (jsonb refuses both).
texts = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
# Instants as the edge makes them: from ISO 8601 text, so with a fixed UTC offset (a named zone's
# ambiguous hour would compare unequal to the same instant in another zone, by Python's rules).
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
instants = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=offsets)
parties = st.builds(
    Party,
    st.sampled_from(PartyKind),
    st.none() | texts,
    st.none() | texts,
    st.none() | texts,
    st.none() | st.binary(min_size=32, max_size=32),
)
commands = st.one_of(
    st.builds(
        ViolationReported,
        texts,
        parties,
        st.sampled_from(Category),
        st.sampled_from(Severity),
        instants,
        texts,
        st.builds(LegalBasis, texts, st.none() | texts),
    ),
    st.builds(ViolationRevoked, texts, texts),
    st.builds(AccountUpdated, parties, st.sampled_from(AccountStatus), st.none() | instants),
    st.builds(RelationChanged, st.sampled_from(RelationKind), parties, parties, instants, st.none() | instants),
    st.builds(MeasureExecuted, parties, texts, st.sampled_from(ExecutionAction), instants, st.none() | texts),
)
TYPE_OF = {
    ViolationReported: EventType.VIOLATION_REPORTED,
    ViolationRevoked: EventType.VIOLATION_REVOKED,
    AccountUpdated: EventType.ACCOUNT_UPDATED,
    RelationChanged: EventType.RELATION_CHANGED,
    MeasureExecuted: EventType.MEASURE_EXECUTED,
}
events = st.builds(lambda command, at: Event(TYPE_OF[type(command)], at, command), commands, instants)


def _through_the_inbox(event: Event) -> Event:
    """Stored as the inbox's jsonb column holds it, then read back."""
    return decode_event(orjson.loads(orjson.dumps(encode_event(event))))


@given(events)
def test_an_event_read_back_from_the_inbox_is_the_event_stored(event: Event) -> None:
    read = _through_the_inbox(event)
    assert read == event
    assert read.timestamp.utcoffset() == event.timestamp.utcoffset()  # the sender's offset is kept too


@pytest.mark.parametrize("event_type", list(EventType), ids=lambda event_type: event_type.value)
def test_a_parsed_platform_event_reaches_the_worker_as_parsed(event_type: EventType) -> None:
    for seed in range(10):
        event = parse_event(
            samples.compute_sample_event(event_type, now=NOW, rng=random.Random(seed)), person_key=KEY, now=NOW
        )
        assert _through_the_inbox(event) == event


def test_the_inbox_keeps_a_persons_hash_and_never_the_id_number() -> None:
    body = samples.compute_sample_event(EventType.RELATION_CHANGED, now=NOW, rng=random.Random(7))
    id_number = body["data"]["to"]["id_number"]
    event = parse_event(body, person_key=KEY, now=NOW)

    stored = orjson.dumps(encode_event(event)).decode()

    assert id_number not in stored
    assert isinstance(event.command, RelationChanged)
    assert event.command.to_party.person_hash is not None
    assert event.command.to_party.person_hash.hex() in stored
