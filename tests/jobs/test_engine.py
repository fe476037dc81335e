"""JobEngine against the simulator over loopback HTTP: slots, fairness, faults, outcomes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from job_helpers import WAIT, EngineFactory, credentials_for, sim_post, sim_stats, wait_for

from kling_ui.i18n import UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.callback import CallbackListener
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.simulator import SimulatorServer
from kling_ui.video import probe

SimFactory = Callable[..., SimulatorServer]


def spec_for(frames: tuple[Path, Path], **fields: object) -> JobSpec:
    """A first+last frame spec for kling-v2-6 pro 5 s."""
    return JobSpec(first_frame=frames[0], last_frame=frames[1], **fields)  # type: ignore[arg-type]


def run_all(engine: JobEngine, jobs: list[Job]) -> list[Job]:
    return [engine.wait(job.id, WAIT) for job in jobs]


def test_a_job_ends_done_with_a_playable_video_under_the_data_folder(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    job = engine.wait(engine.submit(spec_for(frames, label="Intro")).job.id, WAIT)
    assert job.status is JobStatus.DONE
    assert job.video_path is not None and job.video_path.parent == engine.videos_dir
    assert "intro" in job.video_path.name
    assert probe(job.video_path).frames > 0
    assert job.task_id and job.units and job.units > 0
    assert job.submitting_at and job.submitted_at and job.downloading_at and job.finished_at


def test_submit_returns_a_queued_job_at_once_and_stores_it_first(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    result = engine.submit(spec_for(frames))
    assert result.reused is False
    assert result.job.status is JobStatus.QUEUED
    assert engine.store.get(result.job.id).external_task_id == result.job.external_task_id
    assert sim_stats(simulator)["create_attempts"] == 0


def test_twelve_jobs_from_three_submitters_never_run_more_than_three_tasks(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.4, concurrency=3)
    engine = engine_factory(server)
    jobs = [
        engine.submit(spec_for(frames, prompt=f"take {n}", submitter=f"person-{n % 3}")).job
        for n in range(12)
    ]
    finished = run_all(engine, jobs)
    stats = sim_stats(server)
    assert {job.status for job in finished} == {JobStatus.DONE}
    assert stats["peak_concurrency"] == 3
    assert stats["rejected_concurrency"] == 0
    assert stats["created"] == {job.external_task_id: 1 for job in jobs}


def test_waiting_submitters_are_served_in_turn(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.2)
    engine = engine_factory(server, start=False, concurrency=1)
    plan = ["deck"] * 4 + ["bob"] * 2 + ["carol"]
    jobs = [
        engine.submit(spec_for(frames, prompt=f"{who} {n}", submitter=who)).job
        for n, who in enumerate(plan)
    ]
    engine.start()
    finished = sorted(run_all(engine, jobs), key=lambda job: job.submitting_at or 0)
    assert [job.spec.submitter for job in finished] == [
        "deck",
        "bob",
        "carol",
        "deck",
        "bob",
        "deck",
        "deck",
    ]


def test_a_teammate_does_not_wait_behind_a_whole_deck(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.8)
    engine = engine_factory(server)
    deck = [
        engine.submit(
            spec_for(frames, prompt=f"slide {n}", submitter="deck-1", kind="deck", deck_id="d1")
        ).job
        for n in range(9)
    ]
    wait_for(lambda: engine.store.get(deck[2].id).submitting_at is not None)
    teammate = engine.submit(spec_for(frames, prompt="one transition", submitter="bob")).job
    assert engine.queue_position(teammate.id) == 1
    done_teammate = engine.wait(teammate.id, WAIT)
    later_deck = run_all(engine, deck[3:])
    assert done_teammate.status is JobStatus.DONE
    # The teammate's job goes out with the first slots that free (alongside deck jobs 4 and
    # 5); deck job 6 onward waits for the next slot, which frees a whole task later.
    assert all(
        (done_teammate.submitting_at or 0) < (job.submitting_at or 0) for job in later_deck[2:]
    )


def test_a_1303_from_another_user_of_the_account_is_absorbed(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.3, concurrency=3)
    # Long enough that the engine's second create meets it even on a loaded machine.
    sim_post(server, "/debug/occupy", {"slots": 2, "seconds": 4.0})
    engine = engine_factory(server)
    jobs = [engine.submit(spec_for(frames, prompt=f"take {n}")).job for n in range(4)]
    finished = run_all(engine, jobs)
    stats = sim_stats(server)
    assert stats["rejected_concurrency"] >= 1
    assert {job.status for job in finished} == {JobStatus.DONE}
    assert stats["created"] == {job.external_task_id: 1 for job in jobs}
    assert stats["peak_concurrency"] <= 3


def test_transient_faults_never_fail_a_job_and_never_create_twice(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(
        latency=0.3, fault_5xx=0.15, fault_1302=0.15, fault_drop=0.15, fault_slow=0.05, seed=7
    )
    sim_post(server, "/debug/config", {"slow_seconds": 0.2})
    engine = engine_factory(server)
    jobs = [engine.submit(spec_for(frames, prompt=f"take {n}")).job for n in range(6)]
    finished = run_all(engine, jobs)
    stats = sim_stats(server)
    assert sum(stats["faults"].values()) > 0
    assert {job.status for job in finished} == {JobStatus.DONE}
    assert stats["created"] == {job.external_task_id: 1 for job in jobs}


def test_a_failed_task_keeps_klings_message_and_a_remedy(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(fail_rate=1.0)
    engine = engine_factory(server)
    job = engine.wait(engine.submit(spec_for(frames)).job.id, WAIT)
    assert job.status is JobStatus.FAILED
    assert job.error_stage == "task" and job.refused is False
    assert job.error_code == "kling.TaskFailed"
    assert job.error_message and job.error_message in (job.error_title_en or "")
    assert job.remedy_en and job.remedy_zh
    assert engine.snapshot().in_flight == 0


def test_wrong_keys_fail_the_job_at_create_with_the_keys_remedy(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    wrong = Credentials.of(simulator.config.access_key, "not-the-secret", simulator.base_url)
    engine = engine_factory(simulator, credentials=wrong)
    job = engine.wait(engine.submit(spec_for(frames)).job.id, WAIT)
    assert job.status is JobStatus.FAILED and job.refused
    assert job.error_code is not None and job.error_code.startswith("kling.10")
    assert "Kling_Secret_Key" in (job.remedy_en or "")
    assert sim_stats(simulator)["created"] == {}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"model": "kling-v2-master"}, "kling.UnsupportedRequest"),
        ({"mode": "std"}, "kling.UnsupportedRequest"),
        ({"prompt": "x" * 2501}, "kling.UnsupportedRequest"),
        ({"cfg_scale": 0.5}, "kling.UnsupportedRequest"),
    ],
)
def test_a_spec_kling_would_refuse_is_refused_at_submit(
    simulator: SimulatorServer,
    engine_factory: EngineFactory,
    frames: tuple[Path, Path],
    fields: dict[str, object],
    code: str,
) -> None:
    engine = engine_factory(simulator)
    with pytest.raises(UserError) as caught:
        engine.submit(spec_for(frames, **fields))
    assert caught.value.code == code
    assert engine.jobs() == []


def test_a_missing_frame_file_is_refused_at_submit(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    with pytest.raises(UserError) as caught:
        engine.submit(JobSpec(first_frame=frames[0].with_name("gone.png"), last_frame=frames[1]))
    assert caught.value.code == "job.frame_missing"


def test_a_cancelled_queued_job_never_reaches_kling(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.5)
    engine = engine_factory(server, concurrency=1)
    first = engine.submit(spec_for(frames, prompt="first")).job
    second = engine.submit(spec_for(frames, prompt="second")).job
    cancelled = engine.cancel(second.id)
    assert cancelled.status is JobStatus.CANCELLED and cancelled.watch is None
    assert engine.wait(first.id, WAIT).status is JobStatus.DONE
    assert second.external_task_id not in sim_stats(server)["created"]
    assert engine.get(second.id).status is JobStatus.CANCELLED


def test_a_job_cancelled_at_kling_still_keeps_its_paid_video(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.8)
    engine = engine_factory(server)
    job = engine.submit(spec_for(frames)).job
    wait_for(lambda: engine.get(job.id).task_id is not None)
    cancelled = engine.cancel(job.id)
    assert cancelled.status is JobStatus.CANCELLED
    assert engine.wait(job.id, WAIT).status is JobStatus.CANCELLED
    wait_for(lambda: engine.get(job.id).watch is None)
    kept = engine.get(job.id)
    assert kept.status is JobStatus.CANCELLED
    assert kept.video_path is not None and kept.video_path.is_file()


def test_an_identical_finished_job_answers_instead_of_paying_again(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    first = engine.wait(engine.submit(spec_for(frames, prompt="push in")).job.id, WAIT)
    again = engine.submit(spec_for(frames, prompt="push in", label="the same again"))
    assert again.reused is True
    assert again.job.status is JobStatus.DONE and again.job.reused_from == first.id
    assert again.job.video_path == first.video_path and again.job.units == 0
    assert len(sim_stats(simulator)["created"]) == 1


def test_a_new_take_pays_for_a_new_video(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    first = engine.wait(engine.submit(spec_for(frames, prompt="push in")).job.id, WAIT)
    take = engine.submit(spec_for(frames, prompt="push in", new_take=True))
    assert take.reused is False
    second = engine.wait(take.job.id, WAIT)
    assert second.status is JobStatus.DONE and second.video_path != first.video_path
    assert len(sim_stats(simulator)["created"]) == 2


def test_an_identical_job_in_flight_answers_a_second_submit(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    first = engine.submit(spec_for(frames, prompt="double click")).job
    second = engine.submit(spec_for(frames, prompt="double click"))
    assert second.reused is True and second.job.id == first.id


def test_a_task_past_the_timeout_is_timed_out_and_kept_when_it_ends(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=1.0)
    engine = engine_factory(server, task_timeout=0.3)
    job = engine.submit(spec_for(frames)).job
    timed_out = engine.wait(job.id, WAIT)
    assert timed_out.status is JobStatus.TIMED_OUT
    assert engine.snapshot().in_flight == 0  # its slot went back to the pool
    wait_for(lambda: engine.get(job.id).status is JobStatus.DONE)
    assert engine.get(job.id).video_path is not None


def test_a_callback_triggers_an_immediate_query(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.3)
    # Polling alone would first look after a minute; only the callback can finish this job.
    engine = engine_factory(server, poll_interval=60.0)
    with CallbackListener(engine) as listener:
        engine.set_callback_base(listener.base_url)
        job = engine.wait(engine.submit(spec_for(frames)).job.id, WAIT)
    assert job.status is JobStatus.DONE
    assert sim_stats(server)["callbacks_sent"] >= 1


def test_a_callback_is_only_a_hint(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=30.0)
    engine = engine_factory(server, poll_interval=60.0)
    job = engine.submit(spec_for(frames)).job
    wait_for(lambda: engine.get(job.id).task_id is not None)
    forged = {
        "task_id": engine.get(job.id).task_id,
        "task_status": "succeed",
        "task_result": {"videos": [{"url": "http://127.0.0.1:9/evil.mp4"}]},
    }
    engine.on_callback(forged)
    engine.on_callback({"unrelated": True})
    engine.on_callback({"data": "not an object"})
    wait_for(lambda: engine.snapshot().requests.get("query", 0) >= 1)
    checked = engine.get(job.id)
    assert checked.status in (JobStatus.SUBMITTED, JobStatus.PROCESSING)
    assert checked.video_url is None


def test_a_job_passes_each_step_in_order(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    job = engine.wait(engine.submit(spec_for(frames)).job.id, WAIT)
    assert job.status is JobStatus.DONE
    steps = [job.submitting_at, job.submitted_at, job.downloading_at, job.finished_at]
    assert all(at is not None for at in steps)
    assert [job.created_at, *steps] == sorted([job.created_at, *steps])  # type: ignore[type-var]


def test_queue_position_and_estimate_follow_the_line(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory(latency=0.5)
    engine = engine_factory(server, start=False, concurrency=1, typical_task_seconds=10.0)
    jobs = [engine.submit(spec_for(frames, prompt=f"take {n}")).job for n in range(3)]
    assert [engine.queue_position(job.id) for job in jobs] == [1, 2, 3]
    estimates = [engine.estimate(job.id) for job in jobs]
    assert estimates == sorted(estimates)  # type: ignore[type-var]
    assert estimates[0] is not None and estimates[2] is not None
    assert estimates[2] > estimates[0]
    engine.start()
    finished = run_all(engine, jobs)
    assert [engine.queue_position(job.id) for job in finished] == [None, None, None]
    assert [engine.estimate(job.id) for job in finished] == [None, None, None]


def test_snapshot_counts_jobs_and_kling_requests(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator)
    jobs = [engine.submit(spec_for(frames, prompt=f"take {n}")).job for n in range(2)]
    run_all(engine, jobs)
    snapshot = engine.snapshot()
    assert snapshot.counts == {"done": 2}
    assert snapshot.requests["create"] == 2 and snapshot.requests["download"] == 2
    assert snapshot.pools[0].limit == 3 and snapshot.in_flight == 0


def test_keys_given_per_browser_run_in_their_own_account_pool(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    ours, theirs = simulator_factory(latency=0.3), simulator_factory(latency=0.3)
    engine = engine_factory(ours)
    browser_keys = credentials_for(theirs)
    mine = [engine.submit(spec_for(frames, prompt=f"mine {n}")).job for n in range(2)]
    guest = [
        engine.submit(spec_for(frames, prompt=f"guest {n}"), credentials=browser_keys).job
        for n in range(2)
    ]
    run_all(engine, mine + guest)
    assert set(sim_stats(ours)["created"]) == {job.external_task_id for job in mine}
    assert set(sim_stats(theirs)["created"]) == {job.external_task_id for job in guest}
    assert {job.account for job in guest} == {browser_keys.account}
    assert {p.account for p in engine.snapshot().pools} == {
        credentials_for(ours).account,
        browser_keys.account,
    }


def test_two_engines_on_one_data_folder_share_the_accounts_slots(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    first = engine_factory(simulator)
    second = engine_factory(simulator)
    jobs = [
        engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1], prompt=f"p{n}")).job
        for n, engine in enumerate([first, second] * 4)
    ]
    for job in jobs:
        assert first.wait(job.id, WAIT).status is JobStatus.DONE
    stats = sim_stats(simulator)
    assert stats["peak_concurrency"] <= simulator.config.concurrency
    assert sorted(stats["created"].values()) == [1] * len(jobs)


def test_credentials_never_show_their_keys(simulator: SimulatorServer) -> None:
    credentials = credentials_for(simulator)
    shown = repr(credentials) + str(credentials) + credentials.account
    assert simulator.config.access_key not in shown
    assert simulator.config.secret_key not in shown
