"""The audit trail: every read of credit information and every write.

Rows are append-only; the database refuses UPDATE, DELETE and TRUNCATE on them. They are kept by
month, and a month leaves the database only as a whole, archived to a checked file once past the
retention period (`audit_retention`). Only regulators browse them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from credithub.domain.clients import Client, Role
from credithub.domain.errors import PermissionDenied

# What a read of credit information is called in the trail: the GraphQL field that served it.
READ_OPERATIONS: Final = frozenset(
    {
        "creditStatus",
        "creditStatuses",
        "records",
        "listEntries",
        "objections",
        "repairApplications",
        "subjects",  # an enumeration reveals who is on a list or of a tier as much as a lookup
        "anchors",
        "flagChanges",
        "creditReport",
        "creditStatusesByIdNumber",
        "notices",
    }
)


@dataclass(frozen=True, slots=True)
class AuditRead:
    id: int
    at: dt.datetime
    client_id: int
    client: str
    role: str
    platform: str | None
    operation: str
    subject_id: int
    purpose: str | None = None  # why the client read it, as it declared


@dataclass(frozen=True, slots=True)
class AuditWrite:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    subject_id: int | None
    before: Any
    after: Any


def check_may_browse(viewer: Client) -> None:
    if viewer.role is not Role.REGULATOR:
        raise PermissionDenied("only regulators browse the audit trail")
