"""Events platforms report: parsed from their JSON into typed commands, or refused with
an `InvalidValue`/`InvalidIdentifier` whose `field` names the offending path (`data.subject.kind`).

This is the edge: a webhook body, a pulled feed item and a GraphQL report all become an `Event`
here. A resident ID (`id_number`) is validated and replaced by the person hash, so the number
never gets further. What the inbox keeps of a parsed event is `event_codec`'s business.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from credithub.domain.errors import InvalidValue
from credithub.domain.executions import ExecutionAction
from credithub.domain.identifiers import compute_person_hash, parse_credit_code, parse_resident_id
from credithub.domain.instants import parse_instant
from credithub.domain.records import Category, LegalBasis, Severity
from credithub.domain.subjects import AccountStatus, RelationKind, SubjectKind
from credithub.domain.texts import check_storable

MAX_TEXT: Final = 2000
MAX_ID: Final = 200
CLOCK_SKEW: Final = dt.timedelta(minutes=5)


class EventType(StrEnum):
    VIOLATION_REPORTED = "violation.reported"
    VIOLATION_REVOKED = "violation.revoked"
    ACCOUNT_UPDATED = "account.updated"
    RELATION_CHANGED = "relation.changed"
    MEASURE_EXECUTED = "measure.executed"


class PartyKind(StrEnum):
    """Who an event can name: the three subject kinds, and a person (a legal representative)."""

    MERCHANT = "MERCHANT"
    MCN_AGENCY = "MCN_AGENCY"
    ANCHOR = "ANCHOR"
    PERSON = "PERSON"

    @property
    def subject_kind(self) -> SubjectKind | None:
        return None if self is PartyKind.PERSON else SubjectKind(self.value)


@dataclass(frozen=True, slots=True)
class Party:
    """A subject (or person) as a platform names it: on its own platform by `account_id`, across
    platforms by credit code (organisations) or person hash (people)."""

    kind: PartyKind
    account_id: str | None
    name: str | None
    credit_code: str | None
    person_hash: bytes | None


@dataclass(frozen=True, slots=True)
class ViolationReported:
    violation_id: str
    subject: Party
    category: Category
    severity: Severity
    occurred_at: dt.datetime
    description: str
    legal_basis: LegalBasis


@dataclass(frozen=True, slots=True)
class ViolationRevoked:
    violation_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class AccountUpdated:
    subject: Party
    status: AccountStatus
    opened_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class RelationChanged:
    relation: RelationKind
    from_party: Party
    to_party: Party
    valid_from: dt.datetime
    valid_to: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MeasureExecuted:
    """The platform applied or lifted a measure for the subject (execution feedback)."""

    subject: Party
    measure: str
    action: ExecutionAction
    executed_at: dt.datetime
    note: str | None


Command = ViolationReported | ViolationRevoked | AccountUpdated | RelationChanged | MeasureExecuted


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    timestamp: dt.datetime
    command: Command


# ---- parsing helpers: each raises InvalidValue naming the field ------------------------------


def _object(raw: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise InvalidValue(f"{field} must be a JSON object", field=field)
    return raw


def _text(raw: Mapping[str, Any], key: str, field: str, *, limit: int = MAX_TEXT, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise InvalidValue(f"{field}.{key} is required", field=f"{field}.{key}")
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue(f"{field}.{key} must be a non-empty string", field=f"{field}.{key}")
    if len(value) > limit:
        raise InvalidValue(f"{field}.{key} must be at most {limit} characters", field=f"{field}.{key}")
    return check_storable(value.strip(), f"{field}.{key}")


def _required_text(raw: Mapping[str, Any], key: str, field: str, *, limit: int = MAX_TEXT) -> str:
    value = _text(raw, key, field, limit=limit)
    assert value is not None
    return value


def _choice(raw: Mapping[str, Any], key: str, field: str, enum: type[Any]) -> Any:
    value = _required_text(raw, key, field)
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise InvalidValue(f"{field}.{key} must be one of {allowed}, got {value!r}", field=f"{field}.{key}") from None


def _instant(raw: Mapping[str, Any], key: str, field: str, *, required: bool = True) -> dt.datetime | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise InvalidValue(f"{field}.{key} is required", field=f"{field}.{key}")
        return None
    return parse_instant(value, f"{field}.{key}")


def _required_instant(raw: Mapping[str, Any], key: str, field: str) -> dt.datetime:
    instant = _instant(raw, key, field)
    assert instant is not None
    return instant


def parse_party(raw: Any, field: str, *, person_key: bytes, today: dt.date, needs_account: bool = True) -> Party:
    """`{"kind", "account_id", "name"}` plus `credit_code` (organisations) or `id_number` (people)."""
    data = _object(raw, field)
    kind: PartyKind = _choice(data, "kind", field, PartyKind)
    account_id = _text(data, "account_id", field, limit=MAX_ID, required=needs_account and kind is not PartyKind.PERSON)
    name = _text(data, "name", field, limit=200, required=False)
    if kind in (PartyKind.MERCHANT, PartyKind.MCN_AGENCY):
        raw_code = _required_text(data, "credit_code", field, limit=40)
        code = parse_credit_code(raw_code, field_name=f"{field}.credit_code").value
        return Party(kind, account_id, name, code, None)
    raw_id = _required_text(data, "id_number", field, limit=40)
    resident = parse_resident_id(raw_id, today=today, field_name=f"{field}.id_number")
    return Party(kind, account_id, name, None, compute_person_hash(resident, person_key))


def _legal_basis(data: Mapping[str, Any], field: str) -> LegalBasis:
    value = data.get("legal_basis")
    if isinstance(value, Mapping):
        return LegalBasis(
            _required_text(value, "text", f"{field}.legal_basis"),
            _text(value, "reference", f"{field}.legal_basis", required=False),
        )
    return LegalBasis(_required_text(data, "legal_basis", field), _text(data, "legal_basis_ref", field, required=False))


def _violation_reported(data: Mapping[str, Any], *, person_key: bytes, now: dt.datetime) -> ViolationReported:
    subject = parse_party(data.get("subject"), "data.subject", person_key=person_key, today=now.date())
    if subject.kind is PartyKind.PERSON:
        raise InvalidValue("data.subject.kind must be MERCHANT, MCN_AGENCY or ANCHOR", field="data.subject.kind")
    category: Category = _choice(data, "category", "data", Category)
    if category.is_positive:
        raise InvalidValue(f"data.category {category.value} is not a violation", field="data.category")
    occurred_at = _required_instant(data, "occurred_at", "data")
    if occurred_at > now + CLOCK_SKEW:
        raise InvalidValue("data.occurred_at is in the future", field="data.occurred_at")
    return ViolationReported(
        violation_id=_required_text(data, "violation_id", "data", limit=MAX_ID),
        subject=subject,
        category=category,
        severity=_choice(data, "severity", "data", Severity),
        occurred_at=occurred_at,
        description=_required_text(data, "description", "data"),
        legal_basis=_legal_basis(data, "data"),
    )


def _relation_changed(data: Mapping[str, Any], *, person_key: bytes, now: dt.datetime) -> RelationChanged:
    relation: RelationKind = _choice(data, "relation", "data", RelationKind)
    today = now.date()
    from_party = parse_party(data.get("from"), "data.from", person_key=person_key, today=today, needs_account=False)
    to_party = parse_party(data.get("to"), "data.to", person_key=person_key, today=today, needs_account=False)
    expected = {
        RelationKind.MCN_SIGNING: ({PartyKind.MCN_AGENCY}, {PartyKind.ANCHOR}),
        RelationKind.LEGAL_REPRESENTATIVE: (
            {PartyKind.PERSON, PartyKind.ANCHOR},
            {PartyKind.MERCHANT, PartyKind.MCN_AGENCY},
        ),
    }[relation]
    if from_party.kind not in expected[0]:
        raise InvalidValue(
            f"data.from.kind must be {' or '.join(sorted(expected[0]))} for {relation.value}", field="data.from.kind"
        )
    if to_party.kind not in expected[1]:
        raise InvalidValue(
            f"data.to.kind must be {' or '.join(sorted(expected[1]))} for {relation.value}", field="data.to.kind"
        )
    valid_from = _required_instant(data, "valid_from", "data")
    valid_to = _instant(data, "valid_to", "data", required=False)
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidValue("data.valid_to must be after data.valid_from", field="data.valid_to")
    return RelationChanged(relation, from_party, to_party, valid_from, valid_to)


def _measure_executed(data: Mapping[str, Any], *, person_key: bytes, now: dt.datetime) -> MeasureExecuted:
    subject = parse_party(data.get("subject"), "data.subject", person_key=person_key, today=now.date())
    if subject.kind is PartyKind.PERSON:
        raise InvalidValue("data.subject.kind must be MERCHANT, MCN_AGENCY or ANCHOR", field="data.subject.kind")
    measure = _required_text(data, "measure", "data", limit=64).upper()
    if not all(char.isascii() and (char.isupper() or char.isdigit() or char == "_") for char in measure):
        raise InvalidValue("data.measure must be a measure code such as LIVE_STREAM_BAN", field="data.measure")
    executed_at = _required_instant(data, "executed_at", "data")
    if executed_at > now + CLOCK_SKEW:
        raise InvalidValue("data.executed_at is in the future", field="data.executed_at")
    return MeasureExecuted(
        subject,
        measure,
        _choice(data, "action", "data", ExecutionAction),
        executed_at,
        _text(data, "note", "data", required=False),
    )


def parse_event(raw: Any, *, person_key: bytes, now: dt.datetime) -> Event:
    """An event body as a typed command; raises InvalidValue/InvalidIdentifier naming the field."""
    body = _object(raw, "body")
    event_type: EventType = _choice(body, "type", "body", EventType)
    timestamp = _required_instant(body, "timestamp", "body")
    data = _object(body.get("data"), "data")
    command: Command
    match event_type:
        case EventType.VIOLATION_REPORTED:
            command = _violation_reported(data, person_key=person_key, now=now)
        case EventType.VIOLATION_REVOKED:
            command = ViolationRevoked(
                _required_text(data, "violation_id", "data", limit=MAX_ID), _required_text(data, "reason", "data")
            )
        case EventType.ACCOUNT_UPDATED:
            subject = parse_party(data.get("subject"), "data.subject", person_key=person_key, today=now.date())
            if subject.kind is PartyKind.PERSON:
                raise InvalidValue(
                    "data.subject.kind must be MERCHANT, MCN_AGENCY or ANCHOR", field="data.subject.kind"
                )
            command = AccountUpdated(
                subject,
                _choice(data, "status", "data", AccountStatus),
                _instant(data, "opened_at", "data", required=False),
            )
        case EventType.RELATION_CHANGED:
            command = _relation_changed(data, person_key=person_key, now=now)
        case EventType.MEASURE_EXECUTED:
            command = _measure_executed(data, person_key=person_key, now=now)
    return Event(event_type, timestamp, command)


def compute_report_digest(command: ViolationReported) -> bytes:
    """What identifies the content of a violation report: the same report sent again has the
    same digest, a different one under the same violation id does not. The subject's display
    name is left out: it is profile data, not part of the violation."""
    subject = command.subject
    content = [
        command.violation_id,
        subject.kind.value,
        subject.account_id,
        subject.credit_code,
        subject.person_hash.hex() if subject.person_hash else None,
        command.category.value,
        command.severity.value,
        command.occurred_at.astimezone(dt.UTC).isoformat(),
        command.description,
        command.legal_basis.text,
        command.legal_basis.reference,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).digest()
