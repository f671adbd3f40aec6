"""Public credit commitments (信用承诺): a subject's own promise, with a term.

A commitment is made by the subject itself, or recorded by a regulator that received it in
writing. It is public: whoever may see the subject sees its commitments. It is broken by a
general or serious record of the subject that occurred within its term (a record withdrawn
after an upheld objection breaks nothing); once the term is over unbroken, it was kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import InvalidValue, PermissionDenied
from credithub.domain.records import CreditRecord, RecordStatus, Severity
from credithub.domain.texts import parse_text

MAX_TERM: Final = dt.timedelta(days=5 * 366)  # a promise about the next five years at most
BREAKING: Final = frozenset({Severity.GENERAL, Severity.SERIOUS})


class CommitmentState(StrEnum):
    IN_TERM = "IN_TERM"  # the term runs and nothing has broken it
    KEPT = "KEPT"  # the term is over and nothing broke it
    BROKEN = "BROKEN"  # a general or serious record occurred within the term


@dataclass(frozen=True, slots=True)
class NewCommitment:
    subject_id: int
    content: str
    purpose: str | None
    term_from: dt.datetime
    term_until: dt.datetime


@dataclass(frozen=True, slots=True)
class Commitment:
    id: int
    subject_id: int
    content: str
    purpose: str | None
    term_from: dt.datetime
    term_until: dt.datetime
    made_by: str
    made_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Standing:
    """Where a commitment stands at an instant, and the record that broke it if one did."""

    commitment: Commitment
    state: CommitmentState
    broken_by: int | None
    broken_at: dt.datetime | None


def check_may_make(actor: Client, subject_id: int) -> None:
    """The subject commits for itself; a regulator may record a commitment it received."""
    if actor.role is Role.SUBJECT and actor.subject_id == subject_id:
        return
    if actor.role is Role.REGULATOR:
        return
    raise PermissionDenied("a commitment is made by the subject itself, or recorded by a regulator")


def parse_commitment(
    subject_id: int,
    content: str,
    purpose: str | None,
    term_from: dt.datetime | None,
    term_until: dt.datetime,
    now: dt.datetime,
) -> NewCommitment:
    """A promise is about the future: its term starts now or later, ends after it starts, and
    spans at most `MAX_TERM`."""
    start = term_from or now
    if start < now - dt.timedelta(minutes=5):
        raise InvalidValue("termFrom must not be in the past: a commitment promises what comes", field="termFrom")
    if term_until <= start:
        raise InvalidValue("termUntil must be after the start of the term", field="termUntil")
    if term_until - start > MAX_TERM:
        raise InvalidValue("a commitment's term is at most five years", field="termUntil")
    return NewCommitment(
        subject_id,
        parse_text(content, "content"),
        parse_text(purpose, "purpose", limit=200) if purpose is not None else None,
        start,
        term_until,
    )


def breaks(record: CreditRecord, commitment: Commitment, at: dt.datetime) -> bool:
    """Whether `record`, as known at `at`, breaks `commitment`."""
    return (
        record.subject_id == commitment.subject_id
        and record.severity in BREAKING
        and record.status is not RecordStatus.WITHDRAWN
        and commitment.term_from <= record.occurred_at < commitment.term_until
        and record.reported_at <= at
    )


def compute_standing(commitment: Commitment, records: Iterable[CreditRecord], at: dt.datetime) -> Standing:
    """The commitment at `at`: broken by the earliest record within its term, else kept once
    the term is over, else in term."""
    breaking = sorted((r for r in records if breaks(r, commitment, at)), key=lambda r: (r.occurred_at, r.id))
    if breaking:
        first = breaking[0]
        return Standing(commitment, CommitmentState.BROKEN, first.id, first.occurred_at)
    state = CommitmentState.KEPT if at >= commitment.term_until else CommitmentState.IN_TERM
    return Standing(commitment, state, None, None)
