"""The token bucket: a burst at once, then the rate, and an honest wait when over."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.rates import Bucket, admit


def run(times: list[float], rate: float, burst: int) -> list[float]:
    bucket: Bucket | None = None
    waits = []
    for now in times:
        bucket, wait = admit(bucket, now, rate, burst)
        waits.append(wait)
    return waits


def test_a_burst_passes_at_once_then_the_next_waits_one_interval() -> None:
    waits = run([0.0] * 4, rate=2.0, burst=3)
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == 0.5


def test_a_refused_request_costs_nothing_and_the_wait_it_was_told_is_enough() -> None:
    bucket, _ = admit(None, 0.0, 1.0, 1)
    bucket, wait = admit(bucket, 0.0, 1.0, 1)
    assert wait == 1.0
    _, again = admit(bucket, wait, 1.0, 1)
    assert again == 0.0


@given(
    st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=200).map(sorted),
    st.floats(0.5, 50),
    st.integers(1, 20),
)
def test_over_any_stretch_no_more_pass_than_the_burst_plus_the_rate(
    times: list[float], rate: float, burst: int
) -> None:
    admitted = [now for now, wait in zip(times, run(times, rate, burst), strict=True) if wait == 0.0]
    for i, start in enumerate(admitted):
        for j in range(i, len(admitted)):
            assert j - i + 1 <= burst + (admitted[j] - start) * rate + 1e-9
