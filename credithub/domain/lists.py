"""The two lists: SERIOUS_DISHONEST (the joint-constraint blacklist) and RED (integrity models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.records import LegalBasis


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
