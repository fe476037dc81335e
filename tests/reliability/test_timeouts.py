"""Kling task timeouts: a task that outlives `task_timeout` is marked timed out, stays
resumable, and is finished (video downloaded) if Kling completes it later, also after a
restart of the engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import sim_stats, wait_for

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.kling.client import RetryPolicy
from kling_ui.simulator import SimulatorServer, slide_png
from kling_ui.video import probe

TASK_SECONDS = 2.5  # how long the simulated Kling takes
TIMEOUT = 0.5  # the engine's patience: far shorter than the task
POLL = 0.05
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.02, max_wait=0.1)

EngineFactory = Callable[[], JobEngine]


class RecordingStore(JobStore):
    """A JobStore that remembers every status written to each job, in order, so a test can
    tell a job went through a state however briefly it held it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.statuses: dict[str, list[JobStatus]] = {}

    def update(self, job_id: str, **fields: Any) -> Job:
        """Write as JobStore does, and note the status written (if any)."""
        job = super().update(job_id, **fields)
        if "status" in fields:
            self.statuses.setdefault(job_id, []).append(job.status)
        return job


@pytest.fixture
def slow_kling(simulator_factory: Callable[..., SimulatorServer]) -> SimulatorServer:
    """A simulated Kling whose tasks take TASK_SECONDS."""
    return simulator_factory(latency=TASK_SECONDS)


@pytest.fixture
def engines(tmp_path: Path, slow_kling: SimulatorServer) -> Iterator[EngineFactory]:
    """`engines()`: a started engine with a TIMEOUT task timeout on tmp_path/data; each call
    is a fresh process's engine on the same store file (the previous one must be stopped)."""
    made: list[tuple[JobEngine, JobStore]] = []
    config = slow_kling.config
    credentials = Credentials.of(config.access_key, config.secret_key, slow_kling.base_url)

    def make() -> JobEngine:
        data_dir = tmp_path / "data"
        store = RecordingStore(data_dir / "jobs.sqlite3")
        engine = JobEngine(
            store,
            credentials,
            data_dir=data_dir,
            poll_interval=POLL,
            task_timeout=TIMEOUT,
            retry=FAST_RETRY,
        )
        made.append((engine, store))
        engine.start()
        return engine

    yield make
    for engine, store in made:
        engine.stop()
        store.close()


def submit_one(engine: JobEngine) -> Job:
    """One first+last frame job, handed to the engine."""
    first = engine.save_frame(slide_png(480, 320, "Before"), "png")
    last = engine.save_frame(slide_png(480, 320, "After"), "png")
    return engine.submit(JobSpec(first_frame=first, last_frame=last, prompt="push in")).job


def status_is(engine: JobEngine, job_id: str, status: JobStatus) -> Callable[[], bool]:
    """A predicate: the stored job has `status`."""
    return lambda: engine.get(job_id).status is status


def test_a_task_that_outlives_the_timeout_is_marked_timed_out_and_stays_resumable(
    engines: EngineFactory, slow_kling: SimulatorServer
) -> None:
    # This task outlasts the test: the timed-out state holds however late it is looked at.
    slow_kling.config.apply({"latency": 120.0})
    engine = engines()
    job = submit_one(engine)
    wait_for(status_is(engine, job.id, JobStatus.TIMED_OUT), what="timed_out")
    timed_out = engine.get(job.id)
    assert timed_out.status.active and not timed_out.status.finished
    assert timed_out.id in {j.id for j in engine.store.unfinished()}
    assert "still watching" in timed_out.status_text("en")
    assert timed_out.task_id is not None and timed_out.error_code is None


def test_a_timed_out_task_that_completes_later_ends_done_with_its_video(
    engines: EngineFactory, slow_kling: SimulatorServer
) -> None:
    engine = engines()
    job = submit_one(engine)
    # Timed out at TIMEOUT, done at TASK_SECONDS: every status written is recorded, so a test
    # slowed down by a loaded machine cannot miss the timed-out one in between.
    wait_for(status_is(engine, job.id, JobStatus.DONE), what="done after the timeout")
    store = engine.store
    assert isinstance(store, RecordingStore)
    written = store.statuses[job.id]
    assert JobStatus.TIMED_OUT in written
    assert written.index(JobStatus.TIMED_OUT) < written.index(JobStatus.DONE)
    done = engine.get(job.id)
    assert done.video_path is not None and probe(done.video_path).frames > 0
    assert sim_stats(slow_kling)["created"] == {done.external_task_id: 1}


def test_after_a_restart_a_timed_out_job_resumes_and_finishes(
    engines: EngineFactory, slow_kling: SimulatorServer
) -> None:
    first_run = engines()
    job = submit_one(first_run)
    wait_for(status_is(first_run, job.id, JobStatus.TIMED_OUT), what="timed_out")
    first_run.stop()
    assert first_run.store.get(job.id).status is JobStatus.TIMED_OUT

    second_run = engines()
    wait_for(status_is(second_run, job.id, JobStatus.DONE), what="done after the restart")
    done = second_run.get(job.id)
    assert done.video_path is not None and probe(done.video_path).frames > 0
    assert sim_stats(slow_kling)["created"] == {done.external_task_id: 1}
