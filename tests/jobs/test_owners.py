"""Owners in the engine: every job has one; reads, cancels and reuse are checked against it;
one owner may have only so many jobs waiting or running (KLING_UI_MAX_QUEUED)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from job_helpers import WAIT, EngineFactory, credentials_for, make_job

from kling_ui.config import Settings
from kling_ui.i18n import UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.owners import JobNotFound, may_read, owner_of, owns, shares
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import SimulatorServer

SimFactory = Callable[..., SimulatorServer]
ALICE, BOB = "user:alice", "user:bob"
BROWSER_A, BROWSER_B = "browser:aaaa", "browser:bbbb"


def spec_for(frames: tuple[Path, Path], owner: str, **fields: object) -> JobSpec:
    """A first+last frame spec submitted by `owner`."""
    return JobSpec(
        first_frame=frames[0],
        last_frame=frames[1],
        submitter=owner,
        **fields,  # type: ignore[arg-type]
    )


def refusal_text(error: UserError, job_id: str) -> tuple[str, str]:
    """What a refusal says in both languages, with the asked-for id taken out."""
    return error.text("en").replace(job_id, "<id>"), error.text("zh-CN").replace(job_id, "<id>")


# ---- the rules, on rows ---------------------------------------------------------------------


def test_a_logged_in_person_reads_teammates_jobs_but_a_browser_reads_only_its_own(
    frames: tuple[Path, Path],
) -> None:
    alices = make_job(frames, spec={"submitter": ALICE}, owner=ALICE)
    browsers = make_job(frames, spec={"submitter": BROWSER_A}, owner=BROWSER_A)
    assert may_read(alices, ALICE) and may_read(alices, BOB)
    assert owns(alices, ALICE) and not owns(alices, BOB)
    assert may_read(browsers, BROWSER_A)
    assert not may_read(browsers, BROWSER_B) and not may_read(browsers, ALICE)
    assert not shares(BROWSER_A, BROWSER_B) and not may_read(alices, BROWSER_A)


def test_a_row_stored_before_owners_belongs_to_its_submitter(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    old = store.insert(make_job(frames, spec={"submitter": BROWSER_A}))
    assert old.owner is None and owner_of(store.get(old.id)) == BROWSER_A
    assert [j.id for j in store.list(owner=BROWSER_A)] == [old.id]
    assert store.list(owner=BROWSER_B) == []
    assert store.count_unfinished(BROWSER_A) == 1


def test_the_team_listing_holds_only_logged_in_peoples_jobs(
    store: JobStore, frames: tuple[Path, Path]
) -> None:
    team = [
        store.insert(make_job(frames, spec={"submitter": who}, owner=who)) for who in (ALICE, BOB)
    ]
    store.insert(make_job(frames, spec={"submitter": BROWSER_A}, owner=BROWSER_A))
    store.insert(make_job(frames, spec={"submitter": "cli"}, owner="cli"))
    assert {j.id for j in store.list(team=True)} == {j.id for j in team}


# ---- the engine's doors ---------------------------------------------------------------------


def test_a_submitted_job_is_owned_by_its_submitter(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    job = engine.submit(spec_for(frames, BROWSER_A)).job
    assert job.owner == BROWSER_A and engine.store.get(job.id).owner == BROWSER_A


def test_another_owners_job_is_refused_exactly_like_an_unknown_id(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    job = engine.submit(spec_for(frames, BROWSER_A)).job
    unknown = "0" * 32
    for door in (engine.get_for, engine.owned):
        with pytest.raises(JobNotFound) as theirs:
            door(job.id, BROWSER_B)
        with pytest.raises(JobNotFound) as nobodys:
            door(unknown, BROWSER_B)
        assert theirs.value.code == nobodys.value.code == "job.unknown"
        assert refusal_text(theirs.value, job.id) == refusal_text(nobodys.value, unknown)
    assert engine.get_for(job.id, BROWSER_A).id == job.id
    with pytest.raises(KeyError):  # callers that catch an unknown id keep working
        engine.get_for(job.id, BROWSER_B)


def test_cancel_refuses_another_owners_job_and_it_keeps_running(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    job = engine.submit(spec_for(frames, ALICE)).job
    with pytest.raises(JobNotFound):
        engine.cancel(job.id, owner=BOB)  # a teammate reads it but may not cancel it
    assert engine.get_for(job.id, BOB).status is JobStatus.QUEUED
    assert engine.cancel(job.id, owner=ALICE).status is JobStatus.CANCELLED


def test_a_finished_video_is_reused_only_by_its_owner_or_a_teammate_on_the_same_account(
    simulator_factory: SimFactory, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    server = simulator_factory()
    engine = engine_factory(server)
    made = engine.wait(engine.submit(spec_for(frames, ALICE, prompt="reuse me")).job.id, WAIT)
    assert made.status is JobStatus.DONE

    again = engine.submit(spec_for(frames, ALICE, prompt="reuse me"))
    teammate = engine.submit(spec_for(frames, BOB, prompt="reuse me"))
    assert again.reused and teammate.reused
    assert teammate.job.video_path == made.video_path and teammate.job.owner == BOB
    assert engine.owned(teammate.job.id, BOB).status is JobStatus.DONE

    stranger = engine.submit(spec_for(frames, BROWSER_A, prompt="reuse me"))
    assert not stranger.reused and stranger.job.reused_from is None
    other_keys = Credentials.of("AKotherAccount0001", "SKotherAccount0001", server.base_url)
    elsewhere = engine.submit(spec_for(frames, BOB, prompt="reuse me"), credentials=other_keys)
    assert not elsewhere.reused and elsewhere.job.account != made.account
    for job in (stranger.job, elsewhere.job):
        engine.cancel(job.id)


def test_an_identical_job_in_flight_is_followed_only_by_its_own_owner(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)
    first = engine.submit(spec_for(frames, BROWSER_A, prompt="twin")).job
    twin = engine.submit(spec_for(frames, BROWSER_A, prompt="twin"))
    other = engine.submit(spec_for(frames, BROWSER_B, prompt="twin"))
    assert twin.reused and twin.job.id == first.id
    assert not other.reused and other.job.owner == BROWSER_B


# ---- the cap ------------------------------------------------------------------------------


def test_the_cap_refuses_one_job_too_many_in_both_languages_and_only_for_that_owner(
    simulator: SimulatorServer, engine_factory: EngineFactory, frames: tuple[Path, Path]
) -> None:
    engine = engine_factory(simulator, start=False)  # nothing runs: every job stays queued
    assert engine.max_queued == 12
    mine = [engine.submit(spec_for(frames, ALICE, prompt=f"take {n}")).job for n in range(12)]
    with pytest.raises(UserError) as refused:
        engine.submit(spec_for(frames, ALICE, prompt="one too many"))
    assert refused.value.code == "jobs.queue_full"
    assert refused.value.text("en") == (
        "You already have 12 jobs waiting or running; wait for some to finish or cancel some."
    )
    assert "您已有 12 个任务在排队或进行中" in refused.value.text("zh-CN")
    assert engine.unfinished_of(ALICE) == 12 and len(engine.jobs(owner=ALICE)) == 12

    assert engine.submit(spec_for(frames, BOB, prompt="someone else")).job.owner == BOB
    twin = engine.submit(spec_for(frames, ALICE, prompt="take 3"))  # follows, costs nothing
    assert twin.reused and twin.job.id == mine[3].id

    engine.cancel(mine[0].id, owner=ALICE)
    assert engine.submit(spec_for(frames, ALICE, prompt="room again")).job.owner == ALICE


def test_the_cap_comes_from_kling_ui_max_queued(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path, kling_ui_max_queued="3")  # type: ignore[call-arg]
    assert settings.max_queued == 3
    assert Settings(_env_file=None, data_dir=tmp_path).max_queued == 12  # type: ignore[call-arg]


def test_an_engine_without_a_cap_takes_any_number(
    simulator: SimulatorServer, tmp_path: Path, frames: tuple[Path, Path]
) -> None:
    with JobStore(tmp_path / "uncapped" / "jobs.sqlite3") as store:
        engine = JobEngine(store, credentials_for(simulator), data_dir=tmp_path / "uncapped")
        engine.max_queued = None
        jobs = [engine.submit(spec_for(frames, ALICE, prompt=f"n{n}")).job for n in range(14)]
        assert len({job.id for job in jobs}) == 14
