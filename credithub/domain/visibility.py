"""Who may see what of a credit record (SPEC §8).

A platform sees its own records in full and everyone else's redacted to category, severity,
dates and source type. Regulators and admins see records in full. Repaired records are no
longer shown or shared: only regulators still see them.
"""

from __future__ import annotations

from enum import StrEnum

from credithub.domain.clients import Client, Role
from credithub.domain.records import CreditRecord, RecordStatus


class RecordVisibility(StrEnum):
    FULL = "FULL"
    REDACTED = "REDACTED"
    HIDDEN = "HIDDEN"


FULL_VIEW_ROLES = frozenset({Role.REGULATOR, Role.ADMIN})


def may_see_repaired(viewer: Client) -> bool:
    """Repair means the record stops being shown and shared; regulators keep the trail."""
    return viewer.role is Role.REGULATOR


def compute_record_visibility(record: CreditRecord, viewer: Client) -> RecordVisibility:
    if record.status is RecordStatus.REPAIRED and not may_see_repaired(viewer):
        return RecordVisibility.HIDDEN
    if viewer.role in FULL_VIEW_ROLES:
        return RecordVisibility.FULL
    if viewer.role is Role.PLATFORM and record.source.platform == viewer.platform:
        return RecordVisibility.FULL
    return RecordVisibility.REDACTED
