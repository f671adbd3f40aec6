"""Loading what compute_status reads, and the versions that key its cache.

`load_for_subjects` is one round trip for any number of subjects. PostgreSQL returns arrays of
anonymous rows per subject, which asyncpg decodes in C into tuples (timestamps already
`datetime`); this module turns them into `credithub.domain.facts`. The shapes:

    record:   (id, category, severity, counts_from, valid_until, source_platform, source_authority,
               [(status, at), …])
    entry:    (id, list, authority, valid_from, ends_at, end_cause, [record, …])
    related:  (relation, subject_id, kind, name, valid_from, valid_to, [entry, …])

`counts_from` is the record's decision date when the source gave one, else when it occurred
(`records.compute_counts_from`); the engine sees it as the record's `occurred_at`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from credithub.db.pool import Executor
from credithub.db.queries import QUERIES
from credithub.domain.facts import EntryFact, RecordFact, RelatedFact, StatusAt, SubjectFacts
from credithub.domain.lists import EndCause, ListKind
from credithub.domain.records import Category, RecordStatus, Severity
from credithub.domain.subjects import RelationKind, SubjectKind

SQL: Final = QUERIES["facts"]


class _Members(dict[object, Any]):
    """An enum's members by value: a dict look-up costs a fraction of calling the enum, and a
    batch of facts names ~20 of them a subject (bench/RESULTS.md, "Scale"). An unknown value is
    handed to the enum, which raises its own ValueError, as the codec's decoders do."""

    def __init__(self, kind: type[enum.Enum]) -> None:
        super().__init__((member.value, member) for member in kind)
        self.kind = kind

    def __missing__(self, value: object) -> Any:
        return self.kind(value)


_CATEGORIES: Final = _Members(Category)
_SEVERITIES: Final = _Members(Severity)
_RECORD_STATUSES: Final = _Members(RecordStatus)
_LISTS: Final = _Members(ListKind)
_END_CAUSES: Final = _Members(EndCause)
_RELATIONS: Final = _Members(RelationKind)
_SUBJECT_KINDS: Final = _Members(SubjectKind)


@dataclass(frozen=True, slots=True)
class SubjectVersion:
    """A subject found by code, with the version of its facts at the time of reading."""

    id: int
    kind: SubjectKind
    name: str
    credit_code: str | None
    facts_version: int
    config_version: int
    stored: dict[str, Any] | None  # the stored status (encoded), if computed from exactly these versions


def _versions(rows: Sequence[Any]) -> list[SubjectVersion]:
    return [
        SubjectVersion(
            id=row["id"],
            kind=SubjectKind(row["kind"]),
            name=row["name"],
            credit_code=row["credit_code"],
            facts_version=row["facts_version"],
            config_version=row["config_version"],
            stored=row["stored"],
        )
        for row in rows
    ]


async def resolve_credit_codes(conn: Executor, codes: list[str]) -> list[SubjectVersion]:
    return _versions(await conn.fetch(SQL["resolve_credit_codes"], codes))


def _record(raw: tuple[Any, ...]) -> RecordFact:
    record_id, category, severity, occurred, valid_until, platform, authority, history = raw
    return RecordFact(
        id=record_id,
        category=_CATEGORIES[category],
        severity=_SEVERITIES[severity] if severity is not None else None,
        occurred_at=occurred,
        valid_until=valid_until,
        source_platform=platform,
        source_authority=authority,
        history=tuple([StatusAt(_RECORD_STATUSES[status], at) for status, at in history]),
    )


def _entry(raw: tuple[Any, ...]) -> EntryFact:
    entry_id, kind, authority, valid_from, ends_at, end_cause, records = raw
    return EntryFact(
        id=entry_id,
        list=_LISTS[kind],
        authority=authority,
        valid_from=valid_from,
        ends_at=ends_at,
        end_cause=_END_CAUSES[end_cause] if end_cause is not None else None,
        records=tuple([_record(record) for record in records]),
    )


def _related(raw: tuple[Any, ...]) -> RelatedFact:
    relation, subject_id, kind, name, valid_from, valid_to, entries = raw
    return RelatedFact(
        relation=_RELATIONS[relation],
        subject_id=subject_id,
        subject_kind=_SUBJECT_KINDS[kind],
        subject_name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        entries=tuple([_entry(entry) for entry in entries]),
    )


@dataclass(frozen=True, slots=True)
class LoadedFacts:
    facts: SubjectFacts
    facts_version: int


async def load_for_subjects(conn: Executor, ids: list[int]) -> dict[int, LoadedFacts]:
    """The facts of each subject, with the version they were read at (same snapshot)."""
    loaded = {}
    for row in await conn.fetch(SQL["load_for_subjects"], ids):
        facts = SubjectFacts(
            subject_id=row["id"],
            kind=_SUBJECT_KINDS[row["kind"]],
            since=row["created_at"],
            records=tuple([_record(record) for record in row["records"]]),
            entries=tuple([_entry(entry) for entry in row["entries"]]),
            related=tuple([_related(related) for related in row["related"]]),
        )
        loaded[row["id"]] = LoadedFacts(facts, row["facts_version"])
    return loaded
