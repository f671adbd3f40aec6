"""The stored form of a parsed event: what the inbox keeps until a worker applies it.

It is already parsed, so decoding trusts it (no field is re-validated), and it carries a
person's hash, never an ID number: `events.parse_event` dropped the number at the edge.
A pulled page and a webhook store the same form, so one handler applies both.

`{"type", "timestamp", "data"}`, `data` being the command in `codec`'s form with the keys the
inbox has always stored (`STORED`), so events waiting in an inbox read back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from credithub.domain import codec
from credithub.domain.events import (
    AccountUpdated,
    Command,
    Event,
    EventType,
    MeasureExecuted,
    RelationChanged,
    ViolationReported,
    ViolationRevoked,
)

STORED: Final = codec.Codec(
    {
        ViolationReported: codec.Shape(inline={"legal_basis": {"text": "legal_basis", "reference": "legal_basis_ref"}}),
        RelationChanged: codec.Shape(keys={"from_party": "from", "to_party": "to"}),
    }
)
COMMANDS: Final[Mapping[EventType, type[Command]]] = {
    EventType.VIOLATION_REPORTED: ViolationReported,
    EventType.VIOLATION_REVOKED: ViolationRevoked,
    EventType.ACCOUNT_UPDATED: AccountUpdated,
    EventType.RELATION_CHANGED: RelationChanged,
    EventType.MEASURE_EXECUTED: MeasureExecuted,
}


def encode_event(event: Event) -> dict[str, Any]:
    """The event as JSON for the inbox's jsonb column."""
    return {"type": event.type.value, "timestamp": event.timestamp.isoformat(), "data": STORED.encode(event.command)}


def decode_event(raw: Mapping[str, Any]) -> Event:
    """The event `encode_event` stored, as it was."""
    event_type = EventType(raw["type"])
    command = STORED.decode(COMMANDS[event_type], raw["data"])
    return Event(event_type, dt.datetime.fromisoformat(raw["timestamp"]), command)
