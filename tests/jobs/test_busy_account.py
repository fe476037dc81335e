"""A busy account (Kling refuses creates with 1303 whatever they carry): no create storm while
it refuses, and every job finishes once it has room again."""

from __future__ import annotations

from pathlib import Path

from job_helpers import WAIT, EngineFactory, sim_post, sim_stats, wait_for

from kling_ui.jobs import messages
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.simulator import SimulatorServer


def test_a_refusing_account_gets_no_create_storm_and_the_jobs_finish_later(
    simulator_factory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    sim: SimulatorServer = simulator_factory(fault_1303=1.0)
    engine = engine_factory(sim)
    ids = [
        engine.submit(
            JobSpec(first_frame=frames[0], last_frame=frames[1], prompt=f"take {n}")
        ).job.id
        for n in range(3)
    ]
    wait_for(lambda: engine.get(ids[0]).status_message == messages.ACCOUNT_BUSY.en)
    # Back-offs of 1, 1.5, 2.25... seconds between tries: a handful of creates while Kling
    # refuses every one of them for a few seconds, never a storm (a slow machine sends fewer).
    wait_for(lambda: engine.snapshot().requests.get("create", 0) >= 4)
    refused = engine.snapshot().requests["create"]
    assert refused <= 12
    sim_post(sim, "/debug/config", {"fault_1303": 0.0})
    finished = [engine.wait(job_id, WAIT) for job_id in ids]
    assert all(job.status is JobStatus.DONE for job in finished)
    assert sorted(sim_stats(sim)["created"].values()) == [1, 1, 1]


def test_the_ceiling_never_drops_below_one_on_a_refusing_account(
    simulator_factory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    sim: SimulatorServer = simulator_factory(fault_1303=1.0)
    engine = engine_factory(sim)
    engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1]))
    wait_for(lambda: engine.snapshot().requests.get("create", 0) >= 3)
    (pool,) = engine.snapshot().pools
    assert pool.ceiling >= 1
