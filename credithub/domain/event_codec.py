"""The stored form of a parsed event: what the inbox keeps until a worker applies it.

It is already parsed, so decoding trusts it (no field is re-validated), and it carries a
person's hash, never an ID number: `events.parse_event` dropped the number at the edge.
A pulled page and a webhook store the same form, so one handler applies both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from credithub.domain.events import (
    AccountUpdated,
    Command,
    Event,
    EventType,
    MeasureExecuted,
    Party,
    PartyKind,
    RelationChanged,
    ViolationReported,
    ViolationRevoked,
)
from credithub.domain.executions import ExecutionAction
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.subjects import AccountStatus, RelationKind


def _encode_party(party: Party) -> dict[str, Any]:
    return {
        "kind": party.kind.value,
        "account_id": party.account_id,
        "name": party.name,
        "credit_code": party.credit_code,
        "person_hash": party.person_hash.hex() if party.person_hash else None,
    }


def _decode_party(raw: Mapping[str, Any]) -> Party:
    person_hash = raw["person_hash"]
    return Party(
        PartyKind(raw["kind"]),
        raw["account_id"],
        raw["name"],
        raw["credit_code"],
        bytes.fromhex(person_hash) if person_hash else None,
    )


def _iso(instant: dt.datetime | None) -> str | None:
    return instant.isoformat() if instant is not None else None


def _parse_iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def encode_event(event: Event) -> dict[str, Any]:
    """The event as JSON for the inbox's jsonb column."""
    command = event.command
    data: dict[str, Any]
    match command:
        case ViolationReported():
            data = {
                "violation_id": command.violation_id,
                "subject": _encode_party(command.subject),
                "category": command.category.value,
                "severity": command.severity.value,
                "occurred_at": _iso(command.occurred_at),
                "description": command.description,
                "legal_basis": command.legal_basis.text,
                "legal_basis_ref": command.legal_basis.reference,
            }
        case ViolationRevoked():
            data = {"violation_id": command.violation_id, "reason": command.reason}
        case AccountUpdated():
            data = {
                "subject": _encode_party(command.subject),
                "status": command.status.value,
                "opened_at": _iso(command.opened_at),
            }
        case RelationChanged():
            data = {
                "relation": command.relation.value,
                "from": _encode_party(command.from_party),
                "to": _encode_party(command.to_party),
                "valid_from": _iso(command.valid_from),
                "valid_to": _iso(command.valid_to),
            }
        case MeasureExecuted():
            data = {
                "subject": _encode_party(command.subject),
                "measure": command.measure,
                "action": command.action.value,
                "executed_at": _iso(command.executed_at),
                "note": command.note,
            }
    return {"type": event.type.value, "timestamp": _iso(event.timestamp), "data": data}


def decode_event(raw: Mapping[str, Any]) -> Event:
    """The event `encode_event` stored, as it was."""
    event_type = EventType(raw["type"])
    data = raw["data"]
    command: Command
    match event_type:
        case EventType.VIOLATION_REPORTED:
            occurred_at = _parse_iso(data["occurred_at"])
            assert occurred_at is not None
            command = ViolationReported(
                data["violation_id"],
                _decode_party(data["subject"]),
                Category(data["category"]),
                Severity(data["severity"]),
                occurred_at,
                data["description"],
                LegalBasis(data["legal_basis"], data["legal_basis_ref"]),
            )
        case EventType.VIOLATION_REVOKED:
            command = ViolationRevoked(data["violation_id"], data["reason"])
        case EventType.ACCOUNT_UPDATED:
            command = AccountUpdated(
                _decode_party(data["subject"]), AccountStatus(data["status"]), _parse_iso(data["opened_at"])
            )
        case EventType.RELATION_CHANGED:
            valid_from = _parse_iso(data["valid_from"])
            assert valid_from is not None
            command = RelationChanged(
                RelationKind(data["relation"]),
                _decode_party(data["from"]),
                _decode_party(data["to"]),
                valid_from,
                _parse_iso(data["valid_to"]),
            )
        case EventType.MEASURE_EXECUTED:
            executed_at = _parse_iso(data["executed_at"])
            assert executed_at is not None
            command = MeasureExecuted(
                _decode_party(data["subject"]),
                data["measure"],
                ExecutionAction(data["action"]),
                executed_at,
                data["note"],
            )
    timestamp = _parse_iso(raw["timestamp"])
    assert timestamp is not None
    return Event(event_type, timestamp, command)
