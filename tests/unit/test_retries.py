"""The one retry rule: waits that never shrink and never pass the cap, jitter inside its share,
giving up after the last attempt; and the numbers each queue keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credithub.domain.retries import RetryPolicy
from credithub.services import inbox, outbox, sync
from credithub.settings import Settings

SECOND = dt.timedelta(seconds=1)

units = st.floats(min_value=0.0, max_value=1.0, exclude_max=True)
policies = st.builds(
    RetryPolicy.exponential,
    first=st.integers(0, 600).map(lambda s: s * SECOND),
    factor=st.floats(min_value=1.0, max_value=4.0),
    cap=st.integers(1, 7200).map(lambda s: s * SECOND),
    attempts=st.integers(1, 12),
    jitter=st.floats(min_value=0.0, max_value=1.0),
    jitter_added=st.integers(0, 60).map(lambda s: s * SECOND),
)


def always(unit: float) -> Callable[[], float]:
    return lambda: unit


def every_delay(policy: RetryPolicy, unit: float) -> list[dt.timedelta]:
    delays = []
    for failed in range(1, policy.max_attempts):
        delay = policy.compute_delay(failed, always(unit))
        assert delay is not None
        delays.append(delay)
    return delays


@given(policies, units)
def test_for_one_draw_waits_never_shrink_and_never_pass_the_cap(policy: RetryPolicy, unit: float) -> None:
    delays = every_delay(policy, unit)
    assert delays == sorted(delays)
    assert policy.cap is not None
    assert all(delay <= policy.cap for delay in delays)


@given(policies, st.integers(0, 30))
def test_after_the_last_attempt_it_gives_up(policy: RetryPolicy, more: int) -> None:
    assert policy.compute_delay(policy.max_attempts + more, always(0.5)) is None
    if policy.max_attempts > 1:
        assert policy.compute_delay(policy.max_attempts - 1, always(0.5)) is not None


@given(policies, st.data())
def test_jitter_stays_inside_its_share_of_the_wait(policy: RetryPolicy, data: st.DataObject) -> None:
    if policy.max_attempts == 1:
        return
    failed = data.draw(st.integers(1, policy.max_attempts - 1))
    wait = policy.waits[failed - 1]
    delay = policy.compute_delay(failed, always(data.draw(units)))
    assert delay is not None
    assert wait * (1 - policy.jitter) - dt.timedelta(microseconds=2) <= delay
    assert delay <= min(wait + policy.jitter_added, policy.cap or delay) + dt.timedelta(microseconds=2)


def test_a_retry_only_follows_a_failed_attempt() -> None:
    with pytest.raises(ValueError, match="failed attempt"):
        inbox.RETRIES.compute_delay(0, always(0.5))


def test_the_inbox_waits_up_to_two_seconds_times_two_to_the_attempts_at_random_and_parks_after_eight() -> None:
    assert inbox.RETRIES.max_attempts == 8
    for failed in range(1, 8):
        ceiling = min(3600, 2 * 2**failed) * SECOND
        assert inbox.RETRIES.compute_delay(failed, always(0.0)) == dt.timedelta(0)
        assert inbox.RETRIES.compute_delay(failed, always(0.25)) == ceiling * 0.25
    assert inbox.RETRIES.compute_delay(8, always(0.5)) is None


def test_the_outbox_follows_its_schedule_with_equal_jitter_and_parks_after_it() -> None:
    policy = outbox.retry_policy(Settings(push_schedule=(60 * SECOND, 600 * SECOND)))
    assert policy.compute_delay(1, always(0.0)) == 30 * SECOND
    assert policy.compute_delay(2, always(0.5)) == 450 * SECOND
    assert policy.compute_delay(3, always(0.5)) is None


def test_a_feed_page_is_asked_for_five_times_doubling_the_wait_plus_a_little_at_random() -> None:
    policy = sync.fetch_retries(Settings(pull_retry_seconds=0.5))
    assert policy.max_attempts == 5
    assert every_delay(policy, 0.0) == [0.5 * SECOND, 1 * SECOND, 2 * SECOND, 4 * SECOND]
    assert policy.compute_delay(4, always(0.5)) == 4.25 * SECOND
