"""The two lists: SERIOUS_DISHONEST (the joint-constraint blacklist) and RED (integrity models)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.errors import InvalidListBasis, InvalidValue
from credithub.domain.records import CreditRecord, LegalBasis, RecordStatus, Severity
from credithub.domain.texts import check_storable


class ListKind(StrEnum):
    SERIOUS_DISHONEST = "SERIOUS_DISHONEST"
    RED = "RED"


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A subject on a list for [valid_from, valid_until), resting on records, until removed."""

    id: int
    list: ListKind
    subject_id: int
    record_ids: tuple[int, ...]
    authority: str
    listed_by: str
    listed_at: dt.datetime
    reason: str
    legal_basis: LegalBasis
    exit_condition: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    removed_at: dt.datetime | None
    removed_by: str | None
    removal_reason: str | None

    def in_force_at(self, instant: dt.datetime) -> bool:
        ends = [end for end in (self.valid_until, self.removed_at) if end is not None]
        return self.valid_from <= instant and all(instant < end for end in ends)

    @property
    def ends_at(self) -> dt.datetime | None:
        ends = [end for end in (self.valid_until, self.removed_at) if end is not None]
        return min(ends) if ends else None


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A listing as requested, before it is checked."""

    list: ListKind
    subject_id: int
    record_ids: tuple[int, ...]
    authority: str
    reason: str
    legal_basis: LegalBasis
    exit_condition: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None


def check_listing(entry: NewEntry, found: Mapping[int, CreditRecord]) -> None:
    """A listing must say who decided it, why, on what basis and how to leave; the serious-dishonest
    list rests only on serious records of the subject that are in force and not under objection."""
    for name, text in (
        ("authority", entry.authority),
        ("reason", entry.reason),
        ("legalBasis", entry.legal_basis.text),
        ("exitCondition", entry.exit_condition),
    ):
        if not text.strip():
            raise InvalidValue(f"{name} must not be empty", field=name)
        check_storable(text, name)
    if entry.valid_until is not None and entry.valid_until <= entry.valid_from:
        raise InvalidValue("validUntil must be after validFrom", field="validUntil")
    missing = [record_id for record_id in entry.record_ids if record_id not in found]
    if missing:
        raise InvalidListBasis(f"records {missing} do not exist", field="recordIds")
    records = [found[record_id] for record_id in entry.record_ids]
    if any(record.subject_id != entry.subject_id for record in records):
        raise InvalidListBasis("every record must be about the subject being listed", field="recordIds")
    if entry.list is ListKind.SERIOUS_DISHONEST:
        if not records:
            raise InvalidListBasis("the serious-dishonest list must rest on at least one record", field="recordIds")
        if any(record.severity is not Severity.SERIOUS for record in records):
            raise InvalidListBasis("the serious-dishonest list can only rest on serious records", field="recordIds")
        if any(record.status is not RecordStatus.ACTIVE for record in records):
            raise InvalidListBasis(
                "every record must be ACTIVE: not under objection, withdrawn or repaired", field="recordIds"
            )
    elif any(not record.category.is_positive for record in records):
        raise InvalidListBasis("the red list rests only on positive records", field="recordIds")
