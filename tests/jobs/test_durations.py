"""Task durations: when a task's first query goes out, and how long a queued job waits."""

from __future__ import annotations

import pytest

from kling_ui.jobs.durations import TaskDurations, queued_finish


def test_without_history_the_first_query_waits_one_poll_interval() -> None:
    assert TaskDurations(default=100.0).first_query_delay("acct", 5.0) == 5.0


def test_the_first_query_aims_just_after_the_shortest_recent_task() -> None:
    durations = TaskDurations(default=100.0)
    for seconds in (120.0, 95.0, 150.0):
        durations.record("acct", seconds)
    assert durations.first_query_delay("acct", 5.0) == pytest.approx(95.0 * 1.02)
    assert durations.first_query_delay("other", 5.0) == 5.0


def test_tasks_of_the_same_kind_are_timed_by_their_own_history() -> None:
    durations = TaskDurations(default=100.0)
    durations.record("acct", 60.0, "kling-v2-6/pro/5")
    durations.record("acct", 120.0, "kling-v2-6/pro/10")
    assert durations.expected("acct", "kling-v2-6/pro/10") == 120.0
    # a kind never seen falls back to the account's shortest
    assert durations.expected("acct", "kling-v2-1/pro/5") == 60.0


def test_follow_ups_are_short_once_the_expected_end_has_passed() -> None:
    durations = TaskDurations(default=100.0)
    durations.record("acct", 8.0)
    assert durations.next_query_delay("acct", 5.0, ran=2.0) == pytest.approx(6.0 + 0.16)
    assert durations.next_query_delay("acct", 5.0, ran=8.5) == pytest.approx(0.4)
    # before any task is known, follow-ups come a little closer than the poll interval
    assert durations.next_query_delay("new", 5.0, ran=8.5) == pytest.approx(1.0)


def test_typical_is_the_median_or_the_default() -> None:
    durations = TaskDurations(default=100.0)
    assert durations.typical("acct") == 100.0
    for seconds in (90.0, 100.0, 200.0):
        durations.record("acct", seconds)
    assert durations.typical("acct") == 100.0


def test_a_queued_job_starts_when_the_slot_before_it_frees() -> None:
    # Three slots busy for 10, 20 and 30 s more; the line is a, b, c, d; tasks take 60 s.
    order = ["a", "b", "c", "d"]
    ends = [queued_finish([10.0, 20.0, 30.0], 3, order, job, 60.0) for job in order]
    assert ends == [70.0, 80.0, 90.0, 130.0]


def test_free_slots_start_queued_jobs_at_once() -> None:
    assert queued_finish([], 3, ["a", "b"], "b", 60.0) == 60.0
