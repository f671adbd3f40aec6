"""The rate-limit table the processes of one `serve --workers N` share (entrypoints/host_buckets.py)."""

from __future__ import annotations

from pathlib import Path

from credithub.entrypoints.host_buckets import PROBES, SLOTS, HostBuckets, create_table


def test_two_handles_on_one_table_take_from_the_same_bucket(tmp_path: Path) -> None:
    create_table(tmp_path / "buckets")
    first, second = HostBuckets(tmp_path / "buckets"), HostBuckets(tmp_path / "buckets")
    waits = [table.wait_for(42, 100.0, 1.0, 3) for table in (first, second, first, second)]
    assert waits == [0.0, 0.0, 0.0, 1.0]  # a burst of three, wherever it was spent
    assert second.wait_for(42, 101.0, 1.0, 3) == 0.0  # one token refilled a second later
    assert first.wait_for(7, 101.0, 1.0, 3) == 0.0  # another client has a bucket of its own
    first.close()
    second.close()


def test_a_client_pushed_out_of_a_full_neighbourhood_starts_again_from_a_full_bucket(tmp_path: Path) -> None:
    create_table(tmp_path / "buckets")
    table = HostBuckets(tmp_path / "buckets")
    neighbours = [5 + n * SLOTS for n in range(PROBES)]  # every one hashes to the same first slot
    for at, client in enumerate(neighbours):
        assert table.wait_for(client, float(at), 1.0, 1) == 0.0
    assert table.wait_for(neighbours[-1], float(PROBES), 1.0, 1) == 0.0  # refilled after a second
    newcomer = 5 + PROBES * SLOTS
    assert table.wait_for(newcomer, 20.0, 1.0, 1) == 0.0  # takes the least recently used slot
    assert table.wait_for(newcomer, 20.0, 1.0, 1) == 1.0
    assert table.wait_for(neighbours[0], 20.0, 1.0, 1) == 0.0  # evicted: full again, never refused for it
    table.close()
