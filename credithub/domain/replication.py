"""When a read may be served by the streaming replica instead of the primary.

Positions in the write-ahead log (LSNs, as integers) order every commit. The hub samples the
primary's current position every so often, and the position the replica has replayed:

- The replica holds every commit made before the newest sample whose position it has replayed,
  so `now - that sample's time` bounds how stale it is (its lag, never an underestimate).
- A client that wrote is remembered with the primary's position after its write; the replica
  may answer that client only once it has replayed that position (read-your-own-writes).

The arithmetic is here; sampling, and where the marks live (Redis, memory), are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Sample:
    """The primary's WAL position at a monotonic instant."""

    at: float
    lsn: int


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """What the last check saw: the position the replica had replayed, when, and how stale it was
    then (None: unknown, older than every sample kept)."""

    replayed: int
    checked_at: float
    lag: float | None


class Unknown:
    """A client's last write could not be looked up (the shared store erred): assume it just wrote."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()

# A client's last write: its WAL position, None when it wrote nothing lately, or UNKNOWN.
WriteMark = int | None | Unknown


def measure_lag(samples: Sequence[Sample], replayed: int, now: float) -> float | None:
    """How stale a replica that has replayed `replayed` is at `now`: the age of the newest sample
    (oldest first in `samples`) at or below that position; None when it is behind them all."""
    for sample in reversed(samples):
        if sample.lsn <= replayed:
            return max(0.0, now - sample.at)
    return None


def may_read_replica(
    state: ReplicaState | None, wrote: WriteMark, now: float, *, max_lag: float, max_age: float
) -> bool:
    """Whether a read that tolerates lag may go to the replica: it was checked lately (`max_age`),
    it was at most `max_lag` behind, and it has replayed the caller's last write, if any."""
    if state is None or state.lag is None or isinstance(wrote, Unknown):
        return False
    if now - state.checked_at > max_age or state.lag > max_lag:
        return False
    return wrote is None or wrote <= state.replayed


def later_mark(current: WriteMark, lsn: int) -> int:
    """The mark to keep after a write at `lsn`: marks only move forward."""
    return lsn if not isinstance(current, int) else max(current, lsn)
