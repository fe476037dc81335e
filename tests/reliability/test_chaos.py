"""Chaos, scaled down for the normal test run: 12 jobs (8 singles and a 5-slide deck) against
a simulated Kling with faults on 20 % of requests (5xx, 1302, dropped connections, slow
answers), 1303 bursts from another client of the account, 15 % of tasks failed by Kling,
and one SIGKILL of the Studio process mid-run followed by a restart.

The full 30-job run is bench/chaos.py; the scenario itself is chaos_run.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from chaos_run import ChaosPlan, ChaosResult, run_chaos

from kling_ui.cli import EXIT_FAILED, EXIT_OK
from kling_ui.jobs.models import JobStatus
from kling_ui.simulator.faults import _FAILURE_MESSAGES
from kling_ui.video import probe

pytestmark = pytest.mark.slow

ENGINE_LIMIT = 3


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> ChaosResult:
    """One scaled-down chaos run, shared by every check in this module."""
    return run_chaos(ChaosPlan(), tmp_path_factory.mktemp("chaos"))


def test_the_run_met_every_kind_of_fault_and_a_kill_mid_run(chaos: ChaosResult) -> None:
    faults = chaos.stats["faults"]
    assert {"5xx", "1302", "drop", "slow"} <= set(faults), faults
    assert chaos.stats["rejected_concurrency"] > 0  # 1303 answers
    assert chaos.failed_by_kling, "no task was failed by Kling"
    assert chaos.in_flight_at_kill > 0
    assert chaos.statuses_at_kill["queued"] > 0


def test_every_job_kling_did_not_fail_ends_done_with_a_playable_video(chaos: ChaosResult) -> None:
    assert len(chaos.rows) >= chaos.plan.jobs
    for row in chaos.rows:
        if row["status"] == "failed":
            assert row["error_stage"] == "task", row["error_code"]
            assert row["error_message"] in _FAILURE_MESSAGES
            continue
        assert row["status"] == "done", (row["id"], row["status"], row["status_message"])
        info = probe(chaos.data_dir / row["video_path"])
        assert info.codec == "h264" and info.frames > 0 and info.height == 180


def test_the_restart_resumed_every_unfinished_job(chaos: ChaosResult) -> None:
    assert chaos.resume_code in (EXIT_OK, EXIT_FAILED), chaos.logs["resume"]
    resumed = {summary["job_id"] for summary in chaos.resume_summaries}
    unfinished_at_kill = sum(
        count for status, count in chaos.statuses_at_kill.items() if JobStatus(status).active
    )
    assert len(resumed) == unfinished_at_kill
    assert {summary["status"] for summary in chaos.resume_summaries} <= {"done", "failed"}


def test_every_external_task_id_was_created_exactly_once(chaos: ChaosResult) -> None:
    created = chaos.created
    assert set(created.values()) == {1}, created
    sent = {row["external_task_id"] for row in chaos.rows if row["task_id"]}
    assert set(created) == sent
    assert len(chaos.spans) == len(created)


def test_the_account_never_had_more_than_three_tasks_in_flight(chaos: ChaosResult) -> None:
    assert chaos.plan.account_limit > ENGINE_LIMIT  # so the cap measured is the engine's
    assert chaos.peak_concurrency <= ENGINE_LIMIT
    assert chaos.peak_concurrency == ENGINE_LIMIT  # the pool was used to the full


def test_running_the_deck_again_retries_what_kling_failed_and_stitches_it(
    chaos: ChaosResult,
) -> None:
    assert chaos.deck_code == EXIT_OK, chaos.logs["deck"]
    summary = chaos.deck_summary
    assert summary["status"] == "done"
    video = probe(Path(summary["video"]))
    assert video.codec == "h264" and video.frames > 0
    deck_jobs = [row for row in chaos.rows if row["kind"] == "deck"]
    positions = {row["deck_position"] for row in deck_jobs if row["status"] == "done"}
    assert positions == set(range(chaos.plan.deck_slides - 1))
