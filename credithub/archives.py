"""Archive files of audit months: PostgreSQL's CSV (with a header line) compressed with gzip, its
SHA-256, and a JSON manifest beside it. Written to a `.partial` name, read back and checked, then
renamed, so a file under its final name is always whole.

    audit_reads-2024-01.csv.gz          the rows, as `COPY … TO STDOUT (FORMAT csv, HEADER)` wrote them
    audit_reads-2024-01.manifest.json   table, month, columns, rows, file name and its SHA-256
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

CSV_SUFFIX: Final = ".csv.gz"
MANIFEST_SUFFIX: Final = ".manifest.json"
PARTIAL_SUFFIX: Final = ".partial"
READ_CHUNK: Final = 1 << 20
# gzip level 1: on audit rows it compresses 12 times faster than level 9 for files 8% larger
# (bench/audit_partitions.py); a month of a busy hub is billions of rows.
COMPRESS_LEVEL: Final = 1
QUOTE: Final = b'"'
NEWLINE: Final = b"\n"


class ArchiveError(Exception):
    """An archive could not be written or does not check out; the month stays in the database."""


class ArchiveUnwritable(ArchiveError):
    """The archive folder or file cannot be written (no such folder, no permission, disk full)."""


class ArchiveMismatch(ArchiveError):
    """An archive read back does not hold what the database sent (rows, columns or SHA-256
    differ): the month stays in the database and the file is removed."""


@contextmanager
def _file_errors(path: Path) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise ArchiveUnwritable(f"cannot write {path}: {exc.strerror or exc}") from exc


@dataclass(frozen=True, slots=True)
class Written:
    path: Path  # the final name (the file is still at its `.partial` name until `publish`)
    sha256: str  # of the compressed bytes, as `sha256sum` prints it
    rows: int  # as the database counted them while sending
    columns: tuple[str, ...]  # the header line


class _Hashing:
    """A binary file that hashes what it is given to write."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def free_stem(directory: Path, stems: Iterator[str]) -> str:
    """The first stem with neither an archive nor a manifest in `directory`: an earlier archive
    of the same month is never overwritten."""
    return next(
        stem
        for stem in stems
        if not (directory / f"{stem}{CSV_SUFFIX}").exists() and not (directory / f"{stem}{MANIFEST_SUFFIX}").exists()
    )


def partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def prepare(directory: Path) -> None:
    """Create the archive folder if missing."""
    with _file_errors(directory):
        directory.mkdir(parents=True, exist_ok=True)


async def write(
    path: Path, export: Callable[[Callable[[bytes], Coroutine[Any, Any, None]]], Awaitable[int]]
) -> Written:
    """Compress what `export` streams (it returns the rows it sent) into `path`'s partial file (a
    partial file a crash left behind is overwritten)."""
    with _file_errors(path):
        raw = partial(path).open("wb")
    with raw:
        hashing = _Hashing(raw)
        # mtime=0 and no file name in the header: the same rows always make the same bytes.
        compressed = gzip.GzipFile(filename="", mode="wb", fileobj=hashing, compresslevel=COMPRESS_LEVEL, mtime=0)

        async def sink(chunk: bytes) -> None:
            with _file_errors(path):
                compressed.write(chunk)

        rows = await export(sink)
        with _file_errors(path):
            compressed.close()
    with _file_errors(path):
        return Written(path, hashing.digest.hexdigest(), rows, _header(partial(path)))


def verify(written: Written, expected_rows: int) -> None:
    """Read the partial file back: its SHA-256 must be that of the bytes written, and its number
    of rows what the database sent and what it counted in the partition."""
    file = partial(written.path)
    with _file_errors(file):
        if _sha256(file) != written.sha256:
            raise ArchiveMismatch(f"{file}: its SHA-256 is not that of the bytes written")
        try:
            counted = _count_records(file)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError: caught first
            raise ArchiveMismatch(f"{file}: not a whole gzip file: {exc}") from exc
    if not counted == written.rows == expected_rows:
        raise ArchiveMismatch(
            f"{file}: {counted} rows in the file, {written.rows} sent, {expected_rows} in the partition"
        )


def publish(written: Written, manifest: dict[str, Any]) -> Path:
    """Write the manifest and give both files their final names; returns the manifest's path."""
    target = written.path.with_name(written.path.name.removesuffix(CSV_SUFFIX) + MANIFEST_SUFFIX)
    with _file_errors(target):
        partial(target).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        partial(target).rename(target)
        partial(written.path).rename(written.path)
    return target


def remove(*paths: Path) -> None:
    """Remove an archive's files under their partial and final names, if there."""
    for path in paths:
        partial(path).unlink(missing_ok=True)
        path.unlink(missing_ok=True)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _header(file: Path) -> tuple[str, ...]:
    # newline="": a value may hold a line break inside its quotes (PostgreSQL's CSV keeps it).
    with gzip.open(file, "rb") as compressed, io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text:
        return tuple(next(csv.reader(text), []))


def _count_records(file: Path) -> int:
    """The rows of a CSV file as PostgreSQL writes it, header excluded: its line breaks outside
    quoted values. A quote inside a value is doubled, so a line break lies inside a value exactly
    when an odd number of quotes precede it. (The csv module would take seconds per million rows.)"""
    records, inside = 0, False
    with gzip.open(file, "rb") as compressed:
        while chunk := compressed.read(READ_CHUNK):
            if QUOTE not in chunk:
                records += 0 if inside else chunk.count(NEWLINE)
                continue
            *lines, rest = chunk.split(NEWLINE)
            for line in lines:
                inside ^= line.count(QUOTE) % 2 == 1
                records += not inside
            inside ^= rest.count(QUOTE) % 2 == 1
    return records - 1
