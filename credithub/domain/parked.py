"""What the hub's background work set aside: one failing item never holds up the rest.

Each queue parks in its own way — the status refresher keeps a subject it cannot compute in
`parked_statuses`, the inbox and the outbox mark an event or a message DEAD — and keeps going.
This is the one view over all of them that operators and regulators read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from credithub.domain.clients import Client, Role
from credithub.domain.errors import PermissionDenied


class ParkedQueue(StrEnum):
    STATUSES = "STATUSES"  # the status refresher: a subject whose status cannot be computed
    INBOX = "INBOX"  # a platform event that could not be applied
    OUTBOX = "OUTBOX"  # a push to a platform that was never delivered


@dataclass(frozen=True, slots=True)
class ParkedItem:
    queue: ParkedQueue
    id: int  # the subject's id (STATUSES), the inbox event's or the outbox message's
    subject_id: int | None
    platform: str | None
    error: str
    parked_at: dt.datetime
    attempts: int


@dataclass(frozen=True, slots=True)
class ParkedCounts:
    """How many items each queue holds parked; `live_feed` counts, for this instance since it
    started, announcements no subscriber could be given (they are not kept)."""

    statuses: int
    inbox: int
    outbox: int
    live_feed: int

    def as_dict(self) -> dict[str, int]:
        return {"statuses": self.statuses, "inbox": self.inbox, "outbox": self.outbox, "live_feed": self.live_feed}


def check_may_see(viewer: Client) -> None:
    if viewer.role not in (Role.REGULATOR, Role.ADMIN):
        raise PermissionDenied("only regulators and admins see what the hub parked")
