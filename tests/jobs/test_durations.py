"""Task durations: when a task's first query goes out, and how long a queued job waits."""

from __future__ import annotations

import pytest

from kling_ui.jobs.durations import TaskDurations, queued_finish


def test_without_history_the_first_query_waits_one_poll_interval() -> None:
    assert TaskDurations(default=100.0).first_query_delay("acct", 5.0) == 5.0


def test_the_first_query_waits_for_most_of_the_shortest_recent_task() -> None:
    durations = TaskDurations(default=100.0)
    for seconds in (120.0, 95.0, 150.0):
        durations.record("acct", seconds)
    assert durations.first_query_delay("acct", 5.0) == pytest.approx(76.0)
    assert durations.first_query_delay("other", 5.0) == 5.0


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
