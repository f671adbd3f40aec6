"""Processes starting at once on a fresh data folder (`serve --workers N`, the helpers of
`recompute-statuses`) all end up with the one key that was written, whole."""

from __future__ import annotations

import multiprocessing
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from credithub import bootstrap, report_keys
from credithub.key_files import write_once
from credithub.settings import Settings

RACERS = 8


def _race(data_dir: str, start: Barrier, out: Queue[tuple[str, str]]) -> None:
    start.wait()
    person = bootstrap.load_person_key(Settings(data_dir=Path(data_dir))).decode()
    signer = report_keys.load_signer(None, Path(data_dir))
    out.put((person, str(signer.public_json())))


def test_processes_generating_keys_at_once_all_read_the_same_whole_keys(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(RACERS), context.Queue()
    racers = [context.Process(target=_race, args=(str(tmp_path / "data"), start, out)) for _ in range(RACERS)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)
    assert [racer.exitcode for racer in racers] == [0] * RACERS  # none saw a half-written file or lost a race
    seen = {out.get(timeout=5) for _ in racers}
    assert len(seen) == 1, seen
    [(person, _)] = seen
    assert len(person) == 64
    left = sorted(path.name for path in (tmp_path / "data").iterdir())
    assert left == sorted([bootstrap.KEY_FILE_NAME, report_keys.KEY_FILE_NAME])  # no temporary file left behind


def test_write_once_keeps_the_first_file(tmp_path: Path) -> None:
    assert write_once(tmp_path / "key", b"first")
    assert not write_once(tmp_path / "key", b"second")
    assert (tmp_path / "key").read_bytes() == b"first"
    assert (tmp_path / "key").stat().st_mode & 0o777 == 0o600
    assert [path.name for path in tmp_path.iterdir()] == ["key"]
