"""SlotPool: never more than the limit in flight; a 1303 lowers the ceiling until a slot frees."""

from __future__ import annotations

import pytest

from kling_ui.jobs.slots import SlotPool


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _fill(pool: SlotPool) -> int:
    started = 0
    while pool.available():
        pool.acquire()
        started += 1
    return started


def test_the_pool_gives_out_exactly_its_limit() -> None:
    pool = SlotPool(3)
    assert _fill(pool) == 3
    assert pool.in_flight == 3


def test_a_released_slot_can_be_taken_again() -> None:
    pool = SlotPool(3)
    _fill(pool)
    pool.release()
    assert _fill(pool) == 1


def test_a_1303_lowers_the_ceiling_to_what_is_in_flight_here() -> None:
    clock = Clock()
    pool = SlotPool(3, backoff_initial=2.0, clock=clock)
    _fill(pool)
    pool.busy()  # the third create came back 1303: someone else holds a slot
    assert (pool.in_flight, pool.ceiling) == (2, 2)
    assert pool.available() is False


def test_after_a_1303_the_next_job_starts_when_one_of_ours_finishes() -> None:
    clock = Clock()
    pool = SlotPool(3, backoff_initial=2.0, clock=clock)
    _fill(pool)
    pool.busy()
    pool.release()
    assert pool.available() is True


def test_a_lowered_ceiling_is_probed_upward_one_slot_after_the_backoff() -> None:
    clock = Clock()
    pool = SlotPool(3, backoff_initial=2.0, clock=clock)
    _fill(pool)
    pool.busy()
    clock.now += 1.9
    assert pool.available() is False
    clock.now += 0.2
    assert pool.available() is True
    pool.acquire()
    assert pool.available() is False  # one probe at a time


def test_repeated_1303s_double_the_wait_and_a_success_resets_it() -> None:
    clock = Clock()
    pool = SlotPool(1, backoff_initial=2.0, clock=clock)
    pool.acquire()
    pool.busy()  # ceiling 0, probe after 2 s
    assert pool.next_change() == pytest.approx(102.0)
    clock.now = 102.0
    assert pool.available()
    pool.acquire()
    pool.busy()  # again: the wait doubles
    assert pool.next_change() == pytest.approx(106.0)
    clock.now = 106.0
    assert pool.available()
    pool.acquire()
    pool.created()
    assert pool.ceiling == 1 and pool.next_change() is None


def test_a_retry_after_from_kling_is_honoured_when_longer_than_the_backoff() -> None:
    clock = Clock()
    pool = SlotPool(2, backoff_initial=1.0, clock=clock)
    pool.acquire()
    pool.busy(retry_after=7.0)
    assert pool.next_change() == pytest.approx(107.0)


def test_a_pool_needs_at_least_one_slot() -> None:
    with pytest.raises(ValueError):
        SlotPool(0)
