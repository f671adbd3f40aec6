"""Who may see what of a credit record.

A platform sees its own records in full and everyone else's redacted to category, severity,
dates and source type — and of everyone else's only those that are published (minor records
are not) and still inside their publicity window. Regulators and admins see every record in
full; a subject its own records in full and nobody else's. Repaired records are no longer shown
or shared: only regulators still see them.

`RecordScope` is what a viewer is shown at an instant under the rule set then in force.
`compute_record_visibility` has a SQL twin, `record_visibility`, which every query that pages or
counts records calls (`db/sql/records.sql`), so pages and counts agree with it; a parity test
holds the two together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import PermissionDenied
from credithub.domain.records import CreditRecord, RecordStatus, Severity
from credithub.domain.rules import RuleSet, compute_window_end


class RecordVisibility(StrEnum):
    FULL = "FULL"
    REDACTED = "REDACTED"
    HIDDEN = "HIDDEN"


FULL_VIEW_ROLES = frozenset({Role.REGULATOR, Role.ADMIN})


def may_see_repaired(viewer: Client) -> bool:
    """Repair means the record stops being shown and shared; regulators keep the trail."""
    return viewer.role is Role.REGULATOR


@dataclass(frozen=True, slots=True)
class RecordScope:
    """The records a viewer is shown at `at`: see the module docstring."""

    include_repaired: bool
    sees_all: bool
    own_platform: str | None
    rules: RuleSet
    at: dt.datetime
    own_subject: int | None = None  # a subject client: its own records in full, nobody else's

    def published(self, severity: Severity | None) -> bool:
        return severity is None or self.rules.window(severity).published


def compute_record_scope(viewer: Client, rules: RuleSet, at: dt.datetime) -> RecordScope:
    return RecordScope(
        include_repaired=may_see_repaired(viewer),
        sees_all=viewer.role in FULL_VIEW_ROLES,
        own_platform=viewer.platform if viewer.role is Role.PLATFORM else None,
        rules=rules,
        at=at,
        own_subject=viewer.subject_id if viewer.role is Role.SUBJECT else None,
    )


def compute_record_visibility(record: CreditRecord, scope: RecordScope) -> RecordVisibility:
    """Twin of the SQL function `record_visibility`: change both or neither."""
    if record.status is RecordStatus.REPAIRED and not scope.include_repaired:
        return RecordVisibility.HIDDEN
    if scope.own_subject is not None:
        return RecordVisibility.FULL if record.subject_id == scope.own_subject else RecordVisibility.HIDDEN
    if scope.sees_all:
        return RecordVisibility.FULL
    if scope.own_platform is not None and record.source.platform == scope.own_platform:
        return RecordVisibility.FULL
    if not scope.published(record.severity):
        return RecordVisibility.HIDDEN
    window_end = compute_window_end(record.severity, record.counts_from, record.valid_until, scope.rules)
    if window_end is not None and window_end <= scope.at:
        return RecordVisibility.HIDDEN
    return RecordVisibility.REDACTED


def may_read_workflow_texts(viewer: Client) -> bool:
    """Objection reasons, repair evidence and commitments, and decision notes are written by
    and about the parties and may name people: dashboards (viewers) see that a workflow exists
    and where it stands, not what it says."""
    return viewer.role is not Role.VIEWER


def compute_workflow_platform(viewer: Client) -> str | None:
    """Whose objections and repair applications a viewer browses: a platform only those it
    filed or must decide (None: all of them, for regulators, admins and dashboards)."""
    return viewer.platform if viewer.role is Role.PLATFORM else None


OVERSIGHT_ROLES = frozenset({Role.REGULATOR, Role.ADMIN, Role.VIEWER})


@dataclass(frozen=True, slots=True)
class EnumerationScope:
    """Which subjects a viewer may enumerate (minimal disclosure): a platform only subjects that
    hold an account on it; a subject only itself; everyone else all (None: no restriction)."""

    platform: str | None
    subject_id: int | None


NO_SUBJECT: Final = -1  # an id no subject has: a listing narrowed to it is empty


def compute_subject_filter(viewer: Client, asked: int | None) -> int | None:
    """The subject a listing (list entries, objections, repair applications) is narrowed to: the
    one asked about, except that a subject client sees only itself — asking about anyone else
    matches nothing, as if that subject had no entries."""
    if viewer.role is not Role.SUBJECT:
        return asked
    return viewer.subject_id if asked in (None, viewer.subject_id) else NO_SUBJECT


def compute_enumeration_scope(viewer: Client) -> EnumerationScope:
    return EnumerationScope(
        platform=viewer.platform if viewer.role is Role.PLATFORM else None,
        subject_id=viewer.subject_id if viewer.role is Role.SUBJECT else None,
    )


def may_see_account_details(viewer: Client, account_platform: str) -> bool:
    """Minimal disclosure: a platform sees another platform's accounts of a subject only as
    platform and status — not their external ids, display names or opening dates."""
    return viewer.role is not Role.PLATFORM or viewer.platform == account_platform


def check_may_oversee(viewer: Client) -> None:
    """Work queues across the whole hub (exit reviews, execution gaps) are for oversight."""
    if viewer.role not in OVERSIGHT_ROLES:
        raise PermissionDenied("regulators, admins and dashboards see this across the hub")
