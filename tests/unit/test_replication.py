"""When a read may go to the replica: its lag from WAL samples, and read-your-own-writes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.replication import (
    UNKNOWN,
    ReplicaState,
    Sample,
    later_mark,
    may_read_replica,
    measure_lag,
)

SAMPLES = [Sample(0.0, 100), Sample(0.5, 100), Sample(1.0, 250), Sample(1.5, 400)]


def test_a_replica_that_replayed_the_newest_sample_is_not_behind() -> None:
    assert measure_lag(SAMPLES, 400, now=1.5) == 0.0
    assert measure_lag(SAMPLES, 450, now=1.75) == 0.25


def test_the_lag_is_the_age_of_the_newest_sample_it_has_replayed() -> None:
    assert measure_lag(SAMPLES, 300, now=2.0) == 1.0  # has 250 (taken at 1.0), not 400
    assert measure_lag(SAMPLES, 100, now=2.0) == 1.5  # the newest sample at 100 is the one at 0.5


def test_a_replica_behind_every_sample_has_an_unknown_lag() -> None:
    assert measure_lag(SAMPLES, 99, now=2.0) is None
    assert measure_lag([], 1_000, now=2.0) is None


@given(
    st.lists(st.integers(0, 10_000), min_size=1, max_size=20).map(sorted),
    st.integers(0, 12_000),
    st.floats(0, 100),
)
def test_the_replica_holds_every_commit_older_than_its_lag(positions: list[int], replayed: int, extra: float) -> None:
    samples = [Sample(float(i), position) for i, position in enumerate(positions)]
    now = len(positions) + extra
    lag = measure_lag(samples, replayed, now)
    if lag is None:
        assert replayed < positions[0]
        return
    # Every sample taken at or before now - lag is a position the replica has replayed.
    assert all(sample.lsn <= replayed for sample in samples if sample.at <= now - lag)


def state(replayed: int = 500, checked_at: float = 10.0, lag: float | None = 0.2) -> ReplicaState:
    return ReplicaState(replayed, checked_at, lag)


def test_a_client_that_wrote_nothing_lately_reads_from_a_recent_replica() -> None:
    assert may_read_replica(state(), None, 10.1, max_lag=5, max_age=2)


def test_a_client_reads_its_own_write_from_the_replica_only_once_replayed() -> None:
    assert may_read_replica(state(replayed=500), 500, 10.1, max_lag=5, max_age=2)
    assert not may_read_replica(state(replayed=500), 501, 10.1, max_lag=5, max_age=2)


def test_an_unknown_last_write_reads_from_the_primary() -> None:
    assert not may_read_replica(state(), UNKNOWN, 10.1, max_lag=5, max_age=2)


def test_a_replica_too_far_behind_unchecked_or_never_checked_serves_nothing() -> None:
    assert not may_read_replica(state(lag=5.5), None, 10.1, max_lag=5, max_age=2)
    assert not may_read_replica(state(lag=None), None, 10.1, max_lag=5, max_age=2)
    assert not may_read_replica(state(checked_at=7.0), None, 10.1, max_lag=5, max_age=2)
    assert not may_read_replica(None, None, 10.1, max_lag=5, max_age=2)


def test_a_write_mark_only_moves_forward() -> None:
    assert later_mark(None, 7) == 7
    assert later_mark(UNKNOWN, 7) == 7
    assert later_mark(9, 7) == 9
    assert later_mark(5, 7) == 7
