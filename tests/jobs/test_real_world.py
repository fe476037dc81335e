"""The engine against the simulator's "realworld" mode: every answer shape Kling's docs allow
(nulls, integer ids, unknown statuses, an unsorted list full of other apps' tasks, 400/1201 for
unknown ids, a duplicate-id refusal in other words, an unreachable phase) and jobs still end
done, each task created once."""

from __future__ import annotations

from job_helpers import WAIT, credentials_for, sim_post, sim_stats, wait_for

from kling_ui.jobs import messages
from kling_ui.jobs.models import JobSpec, JobStatus

BUSY_ACCOUNT = {"realworld": True, "foreign_tasks": 40, "latency": 1.0}


def submit_many(engine, frames, count: int) -> list[str]:
    return [
        engine.submit(
            JobSpec(
                first_frame=frames[0],
                last_frame=frames[1],
                prompt=f"take {n}",
                submitter=f"s{n % 2}",
            )
        ).job.id
        for n in range(count)
    ]


def test_jobs_finish_on_a_busy_account_with_an_unsorted_list_of_foreign_tasks(
    simulator_factory, engine_factory, frames
):
    sim = simulator_factory(**BUSY_ACCOUNT)
    engine = engine_factory(sim)
    ids = submit_many(engine, frames, 6)
    finished = [engine.wait(job_id, WAIT) for job_id in ids]
    assert [job.status for job in finished] == [JobStatus.DONE] * 6
    created = sim_stats(sim)["created"]
    assert sorted(created.values()) == [1] * 6


def test_other_apps_tasks_in_flight_share_the_accounts_limit(
    simulator_factory, engine_factory, frames
):
    sim = simulator_factory(**BUSY_ACCOUNT, foreign_in_flight=2)
    engine = engine_factory(sim)
    ids = submit_many(engine, frames, 3)
    assert all(engine.wait(job_id, WAIT).status is JobStatus.DONE for job_id in ids)
    stats = sim_stats(sim)
    assert stats["peak_concurrency"] <= sim.config.concurrency


def test_a_job_resumed_after_a_lost_create_is_found_although_the_path_form_says_400(
    simulator_factory, engine_factory, frames
):
    sim = simulator_factory(**BUSY_ACCOUNT, fault_drop=1.0)
    engine = engine_factory(sim)
    job_id = submit_many(engine, frames, 1)[0]
    # Every answer is dropped: the create reached the simulator but its answer never came.
    wait_for(lambda: sim_stats(sim)["created"])
    wait_for(lambda: engine.get(job_id).attempts >= 2)
    sim_post(sim, "/debug/config", {"fault_drop": 0.0})
    done = engine.wait(job_id, WAIT)
    assert done.status is JobStatus.DONE
    assert sim_stats(sim)["created"] == {done.external_task_id: 1}


def test_a_job_rides_out_an_unreachable_phase_and_says_so_meanwhile(
    simulator_factory, engine_factory, frames
):
    sim = simulator_factory(**BUSY_ACCOUNT)
    engine = engine_factory(sim)
    sim_post(sim, "/debug/unreachable", {"on": True})
    job_id = submit_many(engine, frames, 1)[0]
    wait_for(lambda: engine.get(job_id).unreachable_since is not None)
    assert engine.get(job_id).status_message.startswith("Kling is not answering")
    sim_post(sim, "/debug/unreachable", {"on": False})
    done = engine.wait(job_id, WAIT)
    assert done.status is JobStatus.DONE and done.unreachable_since is None
    assert sim_stats(sim)["created"] == {done.external_task_id: 1}


def test_a_job_cancelled_while_unreachable_is_checked_again_once_kling_answers(
    simulator_factory, engine_factory, frames
):
    sim = simulator_factory(**(BUSY_ACCOUNT | {"latency": 0.5}))
    engine = engine_factory(sim)
    first = submit_many(engine, frames, 1)[0]
    wait_for(lambda: engine.get(first).task_id is not None)
    sim_post(sim, "/debug/unreachable", {"on": True})
    wait_for(lambda: engine.get(first).unreachable_since is not None)
    engine.cancel(first)
    wait_for(lambda: engine.get(first).status_message == messages.CANCELLED_UNREACHABLE.en)
    sim_post(sim, "/debug/unreachable", {"on": False})
    # Another job's answer shows Kling is back: the cancelled job's paid task is kept.
    second = engine.submit(
        JobSpec(first_frame=frames[1], last_frame=frames[0], prompt="another")
    ).job.id
    assert engine.wait(second, WAIT).status is JobStatus.DONE
    wait_for(lambda: engine.get(first).watch is None)
    kept = engine.get(first)
    assert kept.status is JobStatus.CANCELLED and kept.video_path is not None


def test_engine_credentials_for_the_realworld_simulator_are_plain_keys(simulator_factory):
    sim = simulator_factory(**BUSY_ACCOUNT)
    assert credentials_for(sim).kind == "key_pair"
