"""Named SQL queries, loaded once from sql/*.sql.

A file holds queries introduced by a `-- name --` line and a one-line `-- description`;
`QUERIES["accounts"]["list_for_subjects"]` is the text that `db.accounts.list_for_subjects`
runs. Keeping SQL in .sql files lets it be read, reviewed and prepared (tested) as SQL.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

SQL_DIR: Final = Path(__file__).with_name("sql")
_HEADER = re.compile(r"^-- (?P<name>[a-z_][a-z0-9_]*) --$", re.MULTILINE)


class DuplicateQueryName(Exception):
    """Two queries in one sql file share a name."""


def parse_queries(text: str, *, source: str = "<sql>") -> dict[str, str]:
    """Split a file into {name: query}; the text before the first header is a file comment."""
    queries: dict[str, str] = {}
    headers = list(_HEADER.finditer(text))
    for header, following in zip(headers, [*headers[1:], None], strict=True):
        end = following.start() if following else len(text)
        body = text[header.end() : end].strip()
        name = header["name"]
        if name in queries:
            raise DuplicateQueryName(f"{source}: query {name!r} is defined twice")
        queries[name] = body
    return queries


def load_queries(directory: Path = SQL_DIR) -> dict[str, dict[str, str]]:
    return {
        path.stem: parse_queries(path.read_text(encoding="utf-8"), source=path.name)
        for path in sorted(directory.glob("*.sql"))
    }


QUERIES: Final = load_queries()
