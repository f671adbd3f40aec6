"""Free text the hub keeps: what PostgreSQL can store, and what a person could have meant.

PostgreSQL's text and jsonb cannot hold U+0000; other C0 control characters (bar tab and line
breaks) are never meant in a reason, a description or a name. Refusing them at the edge, with
the field named, keeps them from failing a transaction deep inside (a 500, a stuck inbox or a
pull that retries the same page forever).
"""

from __future__ import annotations

import re
from typing import Final

from credithub.domain.errors import InvalidValue

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT: Final = 2000  # a reason, a note, a statement: what a person writes in a form


def check_storable(text: str, field: str) -> str:
    """`text` unchanged, or InvalidValue naming `field` and the first offending character."""
    found = _CONTROL.search(text)
    if found is not None:
        raise InvalidValue(
            f"{field} contains the control character U+{ord(found.group()):04X} at position {found.start()}",
            field=field,
        )
    return text


def make_storable(text: str, *, limit: int = 2000) -> str:
    """An error text as PostgreSQL can keep it: errors may quote input holding U+0000, and a
    failure to record a failure would leave the item to be retried forever."""
    return text.replace("\x00", "\\u0000")[:limit]


def parse_text(raw: str, field: str, *, limit: int = MAX_TEXT) -> str:
    """Free text a person wrote: trimmed, not empty, at most `limit` characters, storable."""
    text = raw.strip()
    if not text:
        raise InvalidValue(f"{field} must not be empty", field=field)
    if len(text) > limit:
        raise InvalidValue(f"{field} must be at most {limit} characters", field=field)
    return check_storable(text, field)
