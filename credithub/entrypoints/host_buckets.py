"""Rate-limit buckets shared by the processes of one `serve --workers N`, without Redis.

Each process of an instance answers whichever connections the kernel gives it, so buckets kept
in each process's memory would let a client send N times its limit to one instance. The
supervisor creates one small file before it starts its children (`settings.HOST_RATE_TABLE_ENV` names it);
every child maps it and keeps its clients' buckets there. The arithmetic stays
`domain.rates.admit`; this module only stores buckets.

The file is a fixed table of SLOTS records (client id, tokens, monotonic seconds), found by the
client id's hash and PROBES slots after it. A client that finds no slot of its own takes an empty
one, or else the least recently used of its probes: it then starts from a full bucket, as a
client unseen for long would (in the client's favour, never against it). Each take holds an
exclusive `flock` on the file for a few microseconds; CLOCK_MONOTONIC is the same clock in every
process of the machine.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
from pathlib import Path
from typing import Final

from credithub.domain.rates import Bucket, admit

SLOTS: Final = 1 << 17  # 131,072 clients at once: 3 MiB
PROBES: Final = 8
RECORD: Final = struct.Struct("<qdd")  # client id (0: empty), tokens, monotonic seconds of the last take
EMPTY: Final = 0


def create_table(path: Path) -> None:
    """A table of empty slots (the supervisor, before any child starts)."""
    with path.open("wb") as out:
        out.truncate(SLOTS * RECORD.size)


class HostBuckets:
    """The buckets in the file at `path`, shared with every process that maps it."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(self._fd, SLOTS * RECORD.size)
        except (OSError, ValueError):
            os.close(self._fd)
            raise

    def wait_for(self, client_id: int, now: float, rate: float, burst: int) -> float:
        """0.0 if the client may go on at `now`, else the seconds it must wait (`domain.rates.admit`
        on its bucket, under the file's lock)."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            slot, bucket = self._find(client_id)
            updated, wait = admit(bucket, now, rate, burst)
            RECORD.pack_into(self._map, slot * RECORD.size, client_id, updated.tokens, updated.at)
            return wait
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _find(self, client_id: int) -> tuple[int, Bucket | None]:
        """The client's slot and bucket; else the slot it takes, with no bucket."""
        start = hash(client_id) % SLOTS
        free: int | None = None
        oldest: tuple[float, int] | None = None
        for probe in range(PROBES):
            slot = (start + probe) % SLOTS
            owner, tokens, at = RECORD.unpack_from(self._map, slot * RECORD.size)
            if owner == client_id:
                return slot, Bucket(tokens, at)
            if owner == EMPTY:
                free = slot if free is None else free
            elif oldest is None or at < oldest[0]:
                oldest = (at, slot)
        if free is not None:
            return free, None
        assert oldest is not None
        return oldest[1], None

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)
