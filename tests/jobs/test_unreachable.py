"""Honest failure when Kling cannot be reached: the row says since when and when the next try
is, the estimate stops, Cancel stops every request at once, and a create that never got a clear
answer ends "timed out", resumable, without ever being sent twice."""

from __future__ import annotations

import time

import pytest
from job_helpers import WAIT, credentials_for, sim_stats, wait_for

from kling_ui.jobs import messages
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.kling.client import RetryPolicy

ONE_TRY = RetryPolicy(attempts=1, initial_wait=0.01, max_wait=0.01)


@pytest.fixture
def unreachable(dead_url: str) -> Credentials:
    """Keys for a Kling that never answers (every connection refused)."""
    return Credentials.of("ak-unreachable", "sk-unreachable", dead_url)


def total_requests(engine) -> int:
    return sum(engine.snapshot().requests.values())


def test_a_job_says_since_when_kling_has_not_answered_and_when_it_tries_next(
    simulator, engine_factory, frames, unreachable
):
    engine = engine_factory(simulator, credentials=unreachable, retry=ONE_TRY)
    job = engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1])).job
    seen = []

    def says_not_answering() -> bool:
        # The row says so between tries; a try in progress says "checking" meanwhile.
        seen.append(engine.get(job.id))
        return seen[-1].status_message.startswith("Kling is not answering")

    wait_for(says_not_answering)
    stuck = seen[-1]
    assert stuck.status is JobStatus.SUBMITTING and stuck.unreachable_since is not None
    assert stuck.retry_at is not None and stuck.retry_at >= stuck.unreachable_since
    assert engine.estimate(job.id) is None


def test_cancel_while_kling_is_unreachable_stops_every_request_for_the_job(
    simulator, engine_factory, frames, unreachable
):
    engine = engine_factory(simulator, credentials=unreachable, retry=ONE_TRY)
    job = engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1])).job
    wait_for(lambda: engine.get(job.id).unreachable_since is not None)
    engine.cancel(job.id)
    wait_for(lambda: engine.get(job.id).status_message == messages.CANCELLED_UNREACHABLE.en)
    sent = total_requests(engine)
    # A window in which the back-off (0.05 s doubling) would have retried several times.
    time.sleep(1.0)
    assert total_requests(engine) == sent
    cancelled = engine.get(job.id)
    assert cancelled.status is JobStatus.CANCELLED and cancelled.watch is JobStatus.SUBMITTING


def test_a_create_without_a_clear_answer_times_out_resumable_and_asks_nothing_more(
    simulator, engine_factory, frames, unreachable
):
    engine = engine_factory(simulator, credentials=unreachable, retry=ONE_TRY, task_timeout=0.5)
    job = engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1])).job
    timed_out = engine.wait(job.id, WAIT)
    assert timed_out.status is JobStatus.TIMED_OUT and timed_out.watch is JobStatus.SUBMITTING
    assert engine.snapshot().pools[0].in_flight == 0
    sent = total_requests(engine)
    time.sleep(0.5)
    assert total_requests(engine) == sent


def test_a_timed_out_create_resumes_by_looking_up_first_and_is_made_once(
    simulator, engine_factory, frames, tmp_path, unreachable
):
    engine = engine_factory(simulator, credentials=unreachable, retry=ONE_TRY, task_timeout=0.5)
    job = engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1])).job
    assert engine.wait(job.id, WAIT).status is JobStatus.TIMED_OUT
    engine.stop()
    # The same stored job, now with an account Kling answers for.
    engine.store.update(job.id, account=credentials_for(simulator).account)
    again = engine_factory(simulator)
    wait_for(lambda: again.get(job.id).status is JobStatus.DONE)
    done = again.get(job.id)
    assert done.unreachable_since is None and done.retry_at is None
    # Nothing is left to follow: the job no longer counts as unfinished.
    assert done.watch is None and job.id not in {j.id for j in again.store.unfinished()}
    stats = sim_stats(simulator)
    assert stats["created"] == {job.external_task_id: 1}
