"""Spans: one reason for a measure, with its provenance and the time it covers.

The engine turns every fact that triggers a measure into a span, bounds it by the measure's
duration, keeps those covering the instant asked about, and merges the spans of one measure,
source and path into one flag. A `Horizon` collects the instants after which the answer could
change (the status's `stable_until`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from credithub.domain.facts import EntryFact, RecordFact
from credithub.domain.records import RecordStatus
from credithub.domain.rules import RuleSet
from credithub.domain.subjects import RelationKind, SubjectKind

EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Via:
    """The subject one relation away that a propagated flag comes from."""

    relation: RelationKind
    subject_id: int
    subject_kind: SubjectKind
    subject_name: str


@dataclass(frozen=True, slots=True)
class Span:
    """One reason for a measure. `designated`: it rests on an authority's act (a list entry in
    force, or a public authority's record), so it may carry a mandatory measure to every platform."""

    record_ids: tuple[int, ...] = ()
    entry_ids: tuple[int, ...] = ()
    start: dt.datetime = EPOCH
    end: dt.datetime | None = None
    enforced: bool = True
    designated: bool = False
    source_platform: str | None = None
    source_authority: str | None = None
    via: Via | None = None
    what: str = ""

    def covers(self, at: dt.datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def ending_by(self, end: dt.datetime | None) -> Span:
        """The same reason, lasting no later than `end`."""
        return dataclasses.replace(self, end=min_end(self.end, end))


class Horizon:
    """Collects the instants after `at` when the answer could change (for `stable_until`)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at
        self.soonest: dt.datetime | None = None

    def note(self, *instants: dt.datetime | None) -> None:
        for instant in instants:
            if instant is not None and instant > self.at and (self.soonest is None or instant < self.soonest):
                self.soonest = instant


def min_end(*ends: dt.datetime | None) -> dt.datetime | None:
    present = [end for end in ends if end is not None]
    return min(present) if present else None


def latest_end(ends: Iterable[dt.datetime | None]) -> dt.datetime | None:
    """The last of several ends, None (no end) if any of them has none."""
    listed = list(ends)
    if any(end is None for end in listed):
        return None
    return max(end for end in listed if end is not None)


def record_span(record: RecordFact, rules: RuleSet, at: dt.datetime) -> Span:
    """A record under objection still explains the flag, but does not enforce it."""
    return Span(
        record_ids=(record.id,),
        start=record.occurred_at,
        end=record.window_end(rules),
        enforced=record.status_at(at) is RecordStatus.ACTIVE,
        designated=record.from_authority,
        source_platform=record.source_platform,
        source_authority=record.source_authority,
        what=f"{(record.severity or 'positive').lower()} {record.category.value} record",
    )


def entry_span(
    entry: EntryFact,
    at: dt.datetime,
    via: Via | None = None,
    relation_from: dt.datetime | None = None,
    relation_to: dt.datetime | None = None,
    what: str | None = None,
) -> Span:
    """A list entry in force: designated by its authority; in doubt while all its records are disputed."""
    start = max(entry.valid_from, relation_from) if relation_from is not None else entry.valid_from
    return Span(
        record_ids=tuple(record.id for record in entry.records),
        entry_ids=(entry.id,),
        start=start,
        end=min_end(entry.ends_at, relation_to),
        enforced=not entry.under_objection_at(at),
        designated=True,
        source_authority=entry.authority,
        via=via,
        what=what or f"on the {entry.list.value} list",
    )


def joined(spans: Iterable[Span], what: str) -> Span:
    """Several reasons taken as one (a tier's): from the earliest start until the last end,
    enforced if any is, designated if any is."""
    listed = list(spans)
    return Span(
        record_ids=tuple(sorted({i for span in listed for i in span.record_ids})),
        entry_ids=tuple(sorted({i for span in listed for i in span.entry_ids})),
        start=min(span.start for span in listed),
        end=latest_end(span.end for span in listed),
        enforced=any(span.enforced for span in listed),
        designated=any(span.designated for span in listed),
        what=what,
    )
