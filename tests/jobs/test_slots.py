"""SlotPool: never more than the limit in flight; a 1303 holds creates for a short jittered
back-off (about 1 s, doubling) and lowers the ceiling, never below 1, until a slot frees or a
probe is accepted."""

from __future__ import annotations

import pytest

from kling_ui.jobs.slots import SlotPool


class Clock:
    """A hand-driven monotonic clock."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def pool_of(limit: int, clock: Clock, **kwargs) -> SlotPool:
    # jitter 0: the back-off is exactly its nominal value, so the tests can name it
    return SlotPool(limit, clock=clock, jitter=lambda: 0.0, **kwargs)


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
    pool = pool_of(3, clock)
    _fill(pool)
    pool.busy()  # the third create came back 1303: someone else holds a slot
    assert (pool.in_flight, pool.ceiling) == (2, 2)
    assert pool.available() is False


def test_the_ceiling_never_drops_below_one() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    pool.acquire()
    pool.busy()
    assert pool.ceiling == 1


def test_a_refused_create_holds_creates_about_one_second_whatever_the_poll_interval() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    pool.acquire()
    assert pool.busy() == pytest.approx(1.0)
    assert pool.available() is False
    assert pool.next_change() == pytest.approx(101.0)
    clock.now = 101.0
    assert pool.available() is True


def test_the_back_off_is_jittered_by_up_to_a_tenth() -> None:
    clock = Clock()
    pool = SlotPool(3, clock=clock, jitter=lambda: 1.0)
    pool.acquire()
    pool.busy()
    assert pool.next_change() == pytest.approx(101.1)


def test_a_slot_freed_by_our_task_gives_one_create_during_a_back_off() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    _fill(pool)
    pool.busy()
    pool.busy()  # in flight 1, ceiling 1
    pool.release()  # our task ended
    assert _fill(pool) == 1


def test_refusals_in_one_burst_wait_out_one_back_off_and_grow_it_once() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    _fill(pool)
    assert pool.busy() == pytest.approx(1.0)
    clock.now += 0.25
    assert pool.busy() == pytest.approx(0.75)  # the same back-off, not a longer one
    clock.now = 101.0
    pool.acquire()
    assert pool.busy() == pytest.approx(1.5)


def test_after_the_back_off_each_free_slot_may_probe_once() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    _fill(pool)
    for _ in range(3):
        pool.busy()  # a full account: every create refused
    assert _fill(pool) == 0
    clock.now += 1.0
    assert _fill(pool) == 3  # one probe per free slot, no more


def test_an_accepted_create_lifts_the_hold_and_restores_the_ceiling() -> None:
    clock = Clock()
    pool = pool_of(3, clock)
    _fill(pool)
    pool.busy()
    pool.busy()  # ceiling 1
    pool.created()
    assert pool.ceiling == 3 and pool.available() is True


def test_repeated_1303s_grow_the_wait_by_half_up_to_its_cap() -> None:
    clock = Clock()
    pool = pool_of(1, clock, backoff_max=2.0)
    waits = []
    for _ in range(4):
        pool.acquire()
        start = clock.now
        pool.busy()
        waits.append(pool.next_change() - start)
        clock.now = pool.next_change()  # the probe after each back-off is refused again
    assert waits == pytest.approx([1.0, 1.5, 2.0, 2.0])


def test_a_retry_after_from_kling_is_honoured_when_longer_than_the_backoff() -> None:
    clock = Clock()
    pool = pool_of(2, clock)
    pool.acquire()
    pool.busy(retry_after=7.0)
    assert pool.next_change() == pytest.approx(107.0)


def test_a_pool_needs_at_least_one_slot() -> None:
    with pytest.raises(ValueError):
        SlotPool(0)
