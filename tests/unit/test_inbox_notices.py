"""How often a process that accepts webhooks wakes the inbox processors of others: at most one
notice per NOTIFY_INTERVAL, however many events it accepts."""

from __future__ import annotations

from credithub.services.inbox_notices import NOTIFY_INTERVAL, InboxNotices


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_first_event_notifies_and_those_right_behind_it_ride_on_its_notice() -> None:
    ticks = Ticks()
    notices = InboxNotices(None, monotonic=ticks)
    sent = []
    for _ in range(10):  # ten events within one interval
        sent.append(notices.due())
        ticks.now += NOTIFY_INTERVAL / 20
    assert sent == [True] + [False] * 9
    ticks.now += NOTIFY_INTERVAL
    assert notices.due()  # the next interval's first event notifies again


def test_an_event_that_stored_nothing_leaves_the_notice_to_the_next_one() -> None:
    ticks = Ticks()
    notices = InboxNotices(None, monotonic=ticks)
    assert notices.due()
    notices.unsent()  # a repeat delivery: no row, so no notice went out
    ticks.now += NOTIFY_INTERVAL / 10
    assert notices.due()
