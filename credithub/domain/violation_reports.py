"""Deciding violation reports before anything is written, one report or a batch of them.

A report names a violation by the platform's own id. The hub keeps one record per (platform,
violation id): the same report again changes nothing, other content under the same id is a
ViolationConflict. The subject is the one the report's party names, and the party must match it
(`check_identity`). The inbox applies its events in batches: the service looks up what the hub
holds for the whole batch, `decide_reports` decides each report in order as if they had been
applied one after the other, and the service writes the new ones as sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from credithub.domain.errors import DomainError, IdentityConflict, ViolationConflict
from credithub.domain.events import Party, ViolationReported, compute_report_digest
from credithub.domain.subjects import SubjectKind

ReportKey = tuple[str, str]  # (platform, violation id)


@dataclass(frozen=True, slots=True)
class KnownParty:
    """A platform account the hub holds, with what identifies its subject."""

    account_id: int
    subject_id: int
    kind: SubjectKind
    credit_code: str | None
    person_hash: bytes | None


@dataclass(frozen=True, slots=True)
class NewReport:
    """The report is new: a record about `subject_id` (through `account_id`) is to be written."""

    subject_id: int
    account_id: int | None
    digest: bytes


@dataclass(frozen=True, slots=True)
class Repeat:
    """The report was kept before (by an earlier event, or earlier in the batch): nothing to do."""


@dataclass(frozen=True, slots=True)
class NeedsParty:
    """The report would be new, but its party is not resolved yet: look it up, then decide again."""


@dataclass(frozen=True, slots=True)
class Waits:
    """An earlier report in the batch has the same key and is not decided yet: this one's fate is
    that one's (a repeat or a conflict once it is new), so its party is not looked up meanwhile."""


REPEAT: Final = Repeat()
NEEDS_PARTY: Final = NeedsParty()
WAITS: Final = Waits()

Decision = NewReport | Repeat | NeedsParty | Waits | DomainError
Resolved = tuple[int, int | None] | DomainError  # (subject id, account id), or why the party is refused


def check_identity(party: Party, kind: SubjectKind, credit_code: str | None, same_person: bool) -> None:
    """IdentityConflict unless the subject found for `party` (of `kind`, with `credit_code`; the
    person the party names is its own: `same_person`) is the one the party describes."""
    wanted = party.kind.subject_kind
    if kind is not wanted:
        raise IdentityConflict(f"the subject is registered as {kind.value}, the event says {wanted}")
    if party.credit_code is not None and credit_code != party.credit_code:
        raise IdentityConflict("this account belongs to a subject with another credit code")
    if party.person_hash is not None and not same_person:
        raise IdentityConflict("this account belongs to another person")


def check_same_report(command: ViolationReported, kept: bytes | None) -> None:
    """ViolationConflict if the record kept under the report's violation id (its digest `kept`;
    None: kept before digests were) says other content."""
    if not _same(kept, compute_report_digest(command)):
        raise ViolationConflict(command.violation_id)


def _same(kept: bytes | None, digest: bytes) -> bool:
    return kept is None or kept == digest


def resolve_known(party: Party, known: KnownParty) -> Resolved:
    """The (subject, account) of a party whose account the hub holds, or why it does not match."""
    try:
        check_identity(party, known.kind, known.credit_code, known.person_hash == party.person_hash)
    except IdentityConflict as exc:
        return exc
    return known.subject_id, known.account_id


def decide_reports(
    reports: Sequence[tuple[str, ViolationReported]],
    kept: Mapping[ReportKey, bytes | None],
    parties: Mapping[int, Resolved],
) -> list[Decision]:
    """Each report's fate, in order, as if applied one at a time: `kept` holds the digests of the
    records the hub has for the batch's keys (None: kept before digests were), `parties` the
    resolved party of the report at that position. A report whose key is neither kept nor earlier
    in the batch needs its party (NEEDS_PARTY: resolve those, then decide again); a later one with
    the same key waits for it (WAITS); a key seen with another digest is a conflict."""
    seen: dict[ReportKey, bytes | None] = dict(kept)
    undecided: set[ReportKey] = set()
    decided: list[Decision] = []
    for position, (platform, command) in enumerate(reports):
        key = (platform, command.violation_id)
        digest = compute_report_digest(command)
        if key in seen:
            held = seen[key]
            decided.append(REPEAT if _same(held, digest) else ViolationConflict(command.violation_id))
            continue
        party = parties.get(position)
        if key in undecided:
            decided.append(WAITS)
        elif party is None:
            undecided.add(key)
            decided.append(NEEDS_PARTY)
        elif isinstance(party, DomainError):
            decided.append(party)
        else:
            seen[key] = digest
            decided.append(NewReport(party[0], party[1], digest))
    return decided
