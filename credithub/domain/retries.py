"""When to try failed work again, and when to give up: the one retry rule of the inbox (an event
that failed to apply), the outbox (a push that failed) and sync (a feed page that failed to come).

Each keeps its own numbers (ADR 0013): the inbox a full-jitter exponential backoff, the outbox
the schedule in CREDITHUB_PUSH_SCHEDULE with equal jitter, sync a short exponential backoff with
a little jitter added. Jitter spreads retries of work that failed together; the random number
comes from the caller, so the rule itself is a pure function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """After the n-th failed attempt the next one comes `waits[n-1]` later, less a random part of
    that wait (`jitter`: 1 is full jitter, anywhere from no wait to all of it; 0.5 equal jitter,
    from half of it to all of it; 0 none) and plus up to `jitter_added`, never later than `cap`.
    After `len(waits)` failed attempts there is no next one: give up."""

    waits: tuple[dt.timedelta, ...]
    jitter: float = 0.0
    jitter_added: dt.timedelta = dt.timedelta(0)
    cap: dt.timedelta | None = None

    def __post_init__(self) -> None:
        if any(wait < dt.timedelta(0) for wait in self.waits) or self.jitter_added < dt.timedelta(0):
            raise ValueError("retry waits cannot be negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter is a share of the wait, from 0 to 1; got {self.jitter}")

    @classmethod
    def exponential(
        cls,
        *,
        first: dt.timedelta,
        factor: float,
        cap: dt.timedelta,
        attempts: int,
        jitter: float = 0.0,
        jitter_added: dt.timedelta = dt.timedelta(0),
    ) -> RetryPolicy:
        """`attempts` in all, the wait after each failed one `factor` times the one before, from
        `first` up to `cap`."""
        if attempts < 1 or factor < 1:
            raise ValueError("a backoff needs at least one attempt and waits that do not shrink")
        waits = tuple(min(cap, first * factor**n) for n in range(attempts - 1))
        return cls(waits, jitter, jitter_added, cap)

    @property
    def max_attempts(self) -> int:
        return len(self.waits) + 1

    def compute_delay(self, failed_attempts: int, draw: Callable[[], float]) -> dt.timedelta | None:
        """The wait before the next attempt, `failed_attempts` having failed (the last one
        included), or None: give up. `draw` gives a number in [0, 1), such as random.random."""
        if failed_attempts > len(self.waits):
            return None
        if failed_attempts < 1:
            raise ValueError(f"a retry follows a failed attempt; got {failed_attempts}")
        wait = self.waits[failed_attempts - 1]
        unit = draw()
        delay = wait * (1 - self.jitter) + wait * self.jitter * unit + self.jitter_added * unit
        return delay if self.cap is None else min(delay, self.cap)
