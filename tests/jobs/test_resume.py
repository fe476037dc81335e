"""Resume on start: each unfinished state in the store is taken up again, nothing paid twice."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from job_helpers import WAIT, EngineFactory, credentials_for, make_job, sim_stats, wait_for

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.kling.client import KlingClient
from kling_ui.kling.models import CreateTaskRequest, Task
from kling_ui.simulator import SimulatorServer

SimFactory = Callable[..., SimulatorServer]


@pytest.fixture
def server(simulator_factory: SimFactory) -> SimulatorServer:
    return simulator_factory(latency=0.4)


@pytest.fixture
def kling(server: SimulatorServer) -> Iterator[KlingClient]:
    """A plain client on the simulator, standing in for the process that crashed."""
    with KlingClient(server.base_url, server.config.access_key, server.config.secret_key) as c:
        yield c


def create_task(kling: KlingClient, frames: tuple[Path, Path], external_task_id: str) -> Task:
    """Create a task directly, as a crashed process would have done."""
    return kling.create(
        CreateTaskRequest(
            model_name="kling-v2-6",
            image=base64.b64encode(frames[0].read_bytes()).decode(),
            image_tail=base64.b64encode(frames[1].read_bytes()).decode(),
            mode="pro",
            duration="5",
            external_task_id=external_task_id,
        )
    )


def finished_task(kling: KlingClient, task_id: str) -> Task:
    wait_for(lambda: kling.get(task_id).task_status.finished)
    return kling.get(task_id)


def stored(engine: JobEngine, frames: tuple[Path, Path], **fields: Any) -> Job:
    """A job row as a crashed process left it, for the engine's default account."""
    fields.setdefault("account", engine.default_credentials.account)
    return engine.store.insert(make_job(frames, **fields))


def test_a_queued_job_goes_back_in_line_and_runs(
    server: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.QUEUED)
    engine.start()
    assert engine.wait(job.id, WAIT).status is JobStatus.DONE
    assert sim_stats(server)["created"] == {job.external_task_id: 1}


def test_a_submitting_job_whose_create_reached_kling_is_found_not_created_again(
    server: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    kling: KlingClient,
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.SUBMITTING, submitting_at=time.time())
    task = create_task(kling, frames, job.external_task_id)
    engine.start()
    done = engine.wait(job.id, WAIT)
    assert done.status is JobStatus.DONE and done.task_id == task.task_id
    assert sim_stats(server)["created"] == {job.external_task_id: 1}


def test_a_submitting_job_whose_create_never_left_is_created_once(
    server: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.SUBMITTING, submitting_at=time.time())
    engine.start()
    assert engine.wait(job.id, WAIT).status is JobStatus.DONE
    assert sim_stats(server)["created"] == {job.external_task_id: 1}


@pytest.mark.parametrize("status", [JobStatus.SUBMITTED, JobStatus.PROCESSING])
def test_a_job_at_kling_is_polled_and_downloaded(
    server: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    kling: KlingClient,
    status: JobStatus,
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=status, submitted_at=time.time())
    task = create_task(kling, frames, job.external_task_id)
    engine.store.update(job.id, task_id=task.task_id)
    engine.start()
    done = engine.wait(job.id, WAIT)
    assert done.status is JobStatus.DONE and done.video_path is not None
    assert sim_stats(server)["created"] == {job.external_task_id: 1}


def test_a_downloading_job_is_downloaded_without_asking_kling_again(
    server: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    kling: KlingClient,
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.DOWNLOADING)
    task = finished_task(kling, create_task(kling, frames, job.external_task_id).task_id)
    assert task.video is not None
    engine.store.update(job.id, task_id=task.task_id, video_url=task.video.url)
    engine.start()
    done = engine.wait(job.id, WAIT)
    assert done.status is JobStatus.DONE and done.video_path is not None
    assert engine.snapshot().requests.keys() == {"download"}


def test_a_timed_out_job_is_watched_again_and_finished(
    server: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    kling: KlingClient,
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.TIMED_OUT, submitted_at=time.time() - 900)
    task = create_task(kling, frames, job.external_task_id)
    engine.store.update(job.id, task_id=task.task_id)
    engine.start()
    wait_for(lambda: engine.get(job.id).status is JobStatus.DONE)
    assert sim_stats(server)["created"] == {job.external_task_id: 1}


def test_a_cancelled_job_whose_task_still_ran_keeps_its_video(
    server: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    kling: KlingClient,
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(
        engine, frames, status=JobStatus.CANCELLED, watch=JobStatus.PROCESSING, finished_at=1.0
    )
    task = create_task(kling, frames, job.external_task_id)
    engine.store.update(job.id, task_id=task.task_id)
    engine.start()
    wait_for(lambda: engine.get(job.id).watch is None)
    kept = engine.get(job.id)
    assert kept.status is JobStatus.CANCELLED and kept.finished_at == 1.0
    assert kept.video_path is not None and kept.video_path.is_file()


def test_a_task_unknown_to_a_restarted_demo_simulator_fails_with_a_plain_message(
    server: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(server, start=False, simulated=True)
    job = stored(engine, frames, status=JobStatus.SUBMITTED, task_id="sim-lost-in-restart")
    engine.start()
    failed = engine.wait(job.id, WAIT)
    assert failed.status is JobStatus.FAILED
    assert failed.error_code == "demo.simulator_restarted"
    assert failed.error_text("en") == (
        "The simulator was restarted and no longer knows this task. Run it again."
    )
    assert sim_stats(server)["created"] == {}  # never re-created: real Kling would bill twice


def test_a_task_kling_does_not_know_fails_with_klings_code_and_is_not_recreated(
    server: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.PROCESSING, task_id="no-such-task")
    engine.start()
    failed = engine.wait(job.id, WAIT)
    assert failed.status is JobStatus.FAILED and failed.error_code == "kling.1203"
    assert sim_stats(server)["created"] == {}


def test_a_job_of_another_account_waits_for_its_keys_then_resumes(
    server: SimulatorServer,
    simulator_factory: SimFactory,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
) -> None:
    other = simulator_factory(latency=0.3)
    their_keys = credentials_for(other)
    engine = engine_factory(server, start=False)
    job = stored(engine, frames, status=JobStatus.QUEUED, account=their_keys.account)
    engine.start()
    waiting = engine.get(job.id)
    assert waiting.status is JobStatus.QUEUED
    assert "keys" in waiting.status_message
    assert engine.provide_credentials(their_keys) == 1
    assert engine.wait(job.id, WAIT).status is JobStatus.DONE
    assert sim_stats(other)["created"] == {job.external_task_id: 1}
    assert sim_stats(server)["created"] == {}


def test_the_same_keys_entered_again_are_the_same_account(server: SimulatorServer) -> None:
    config = server.config
    again = Credentials.of(config.access_key, config.secret_key, server.base_url + "/")
    assert again.account == credentials_for(server).account
    other = Credentials.of("another-access-key", config.secret_key, server.base_url)
    assert other.account != again.account
