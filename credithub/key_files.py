"""Key files the hub generates into its data folder on first use (the person-hash key, the
report-signing key).

Several processes may start on a fresh data folder at once (`serve --workers N`, the helpers of
`recompute-statuses`): each may find no key and generate one. `write_once` makes the file appear
whole or not at all — written under a temporary name, then linked into place, which fails if
another process linked its own first — so every process reads the one key that won, never a
file still being written.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_once(path: Path, data: bytes) -> bool:
    """Create `path` (mode 0600) holding `data` unless it exists; True if this call created it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temporary)
