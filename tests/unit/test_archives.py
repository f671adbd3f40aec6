"""An archive file is checked against the rows the database counted, whatever the values hold:
quotes, separators and line breaks inside values do not make or hide a row."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub import archives

VALUES = st.text(alphabet=st.sampled_from('ab,"\n\r é'), max_size=8)


def _csv(rows: list[list[str]]) -> bytes:
    """CSV as PostgreSQL's COPY writes it: a header, values quoted when they must be, quotes doubled."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["id", "client", "after"])
    writer.writerows(rows)
    return text.getvalue().encode()


def _write(folder: Path, data: bytes, chunk: int, rows: int) -> archives.Written:
    async def export(sink: Callable[[bytes], Coroutine[Any, Any, None]]) -> int:
        for start in range(0, len(data), chunk):  # COPY's chunks end anywhere, mid-value too
            await sink(data[start : start + chunk])
        return rows

    return asyncio.run(archives.write(folder / "audit_reads-2021-01.csv.gz", export))


@given(rows=st.lists(st.lists(VALUES, min_size=3, max_size=3), max_size=20), chunk=st.integers(1, 64))
def test_the_rows_of_a_file_are_counted_as_the_database_wrote_them(rows: list[list[str]], chunk: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        written = _write(Path(folder), _csv(rows), chunk, len(rows))
        archives.verify(written, len(rows))
        assert written.columns == ("id", "client", "after")
        with pytest.raises(archives.ArchiveMismatch):
            archives.verify(written, len(rows) + 1)


def test_a_file_whose_bytes_changed_after_writing_is_refused(tmp_path: Path) -> None:
    written = _write(tmp_path, _csv([["1", "Risk desk", "{}"]]), 7, 1)
    file = archives.partial(written.path)
    data = file.read_bytes()
    file.write_bytes(data[:20] + bytes([data[20] ^ 1]) + data[21:])
    with pytest.raises(archives.ArchiveMismatch, match="SHA-256"):
        archives.verify(written, 1)
