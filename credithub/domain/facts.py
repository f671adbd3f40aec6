"""The facts the restriction engine reads about one subject (`compute_status`'s input).

A subject's records with their status history, its list entries that came into force (each with
the records it rests on), and the subjects one relation away with their entries. Loaded in one
round trip by `credithub.db.facts`; nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from credithub.domain.lists import EndCause, ListKind, entry_in_force
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.rules import RuleSet, compute_window_end
from credithub.domain.subjects import RelationKind, SubjectKind


@dataclass(frozen=True, slots=True)
class StatusAt:
    """A record entered `status` at `at` (its status history, oldest first)."""

    status: RecordStatus
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class RecordFact:
    id: int
    category: Category
    severity: Severity | None
    occurred_at: dt.datetime
    valid_until: dt.datetime | None
    source_platform: str | None
    source_authority: str | None
    history: tuple[StatusAt, ...]

    @property
    def from_authority(self) -> bool:
        """A public authority's decision (not a platform's report, not the subject's own act)."""
        return self.source_platform is None and self.source_authority is not None

    def status_at(self, instant: dt.datetime) -> RecordStatus:
        """The stored status in force at `instant`; before any change, the record is ACTIVE."""
        status = RecordStatus.ACTIVE
        for change in self.history:
            if change.at > instant:
                break
            status = change.status
        return status

    def window_end(self, rules: RuleSet) -> dt.datetime | None:
        """When the record stops being shown and producing measures (None: no end)."""
        return compute_window_end(self.severity, self.occurred_at, self.valid_until, rules)

    @property
    def repaired(self) -> bool:
        """Repaired since (its latest status): no longer shown or shared, at any instant."""
        return bool(self.history) and self.history[-1].status is RecordStatus.REPAIRED


@dataclass(frozen=True, slots=True)
class EntryFact:
    """A list entry that came into force, with the records it rests on (as facts, for their status)."""

    id: int
    list: ListKind
    authority: str
    valid_from: dt.datetime
    ends_at: dt.datetime | None
    records: tuple[RecordFact, ...]
    end_cause: EndCause | None = None

    def in_force_at(self, instant: dt.datetime) -> bool:
        """`lists.entry_in_force` with the end the loader read (SQL `entry_ends_at`, twin of
        `ListEntry.ends_at`): one rule for the engine, the queries and the workflows."""
        return entry_in_force(self.valid_from, self.ends_at, None, instant)

    def under_objection_at(self, instant: dt.datetime) -> bool:
        """Every record the entry rests on is being verified: the listing itself is in doubt."""
        return bool(self.records) and all(
            record.status_at(instant) is RecordStatus.OBJECTION_PENDING for record in self.records
        )


@dataclass(frozen=True, slots=True)
class RelatedFact:
    """A subject one relation away (an MCN agency that signed this anchor; another company
    the same legal representative represents), with that subject's list entries."""

    relation: RelationKind
    subject_id: int
    subject_kind: SubjectKind
    subject_name: str
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    entries: tuple[EntryFact, ...]


@dataclass(frozen=True, slots=True)
class SubjectFacts:
    subject_id: int
    kind: SubjectKind
    since: dt.datetime  # when the hub first knew the subject
    records: tuple[RecordFact, ...]
    entries: tuple[EntryFact, ...]
    related: tuple[RelatedFact, ...]

    @property
    def known_since(self) -> dt.datetime:
        """The start of the subject's known history: when the hub first knew it, or its earliest
        record if a source knew it before."""
        return min((self.since, *(record.occurred_at for record in self.records)))

    def all_entries(self) -> tuple[EntryFact, ...]:
        return self.entries + tuple(entry for related in self.related for entry in related.entries)


def _forgotten(entry: EntryFact) -> bool:
    """An entry its authority ended by repairing its record, or one ended (by an act) resting on
    repaired records alone, is gone with them. One not ended stands: it is its authority's own
    designation, and its authority answers an exit review to end it."""
    if entry.end_cause is EndCause.REPAIRED:
        return True
    return entry.end_cause is not None and bool(entry.records) and all(record.repaired for record in entry.records)


def _entries_without_repaired(entries: tuple[EntryFact, ...]) -> tuple[EntryFact, ...]:
    kept = []
    for entry in entries:
        if _forgotten(entry):
            continue
        remaining = tuple(record for record in entry.records if not record.repaired)
        kept.append(entry if len(remaining) == len(entry.records) else dataclasses.replace(entry, records=remaining))
    return tuple(kept)


def forget_repaired(facts: SubjectFacts) -> SubjectFacts:
    """The facts without the records repaired since (their latest status is REPAIRED), nor the
    list entries — the subject's or a related subject's — that went with them."""
    touched = any(record.repaired for record in facts.records) or any(
        entry.end_cause is EndCause.REPAIRED or any(record.repaired for record in entry.records)
        for entry in facts.all_entries()
    )
    if not touched:
        return facts  # the usual case: nothing to copy
    return dataclasses.replace(
        facts,
        records=tuple(record for record in facts.records if not record.repaired),
        entries=_entries_without_repaired(facts.entries),
        related=tuple(
            dataclasses.replace(related, entries=_entries_without_repaired(related.entries))
            for related in facts.related
        ),
    )
