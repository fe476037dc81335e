"""A deck's progress in words (singular for one, both languages) and its time left (the time
its transitions spend waiting in line included); the workspace as the `deck` command uses it
(opened, run, followed and assembled under the deck's lock, the assembly noted for the page);
a reopened deck keeps its slides' own hold times."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from deck_engine import deck_runner
from deck_media import slide_image, write_pdf

from kling_ui.deck import fixed_prompt
from kling_ui.deck.run import ASSEMBLY_SECONDS, DeckProgress, DeckRunner, DeckSettings
from kling_ui.deck.session import CLI_SUBMITTER, DeckWorkspace

SETTINGS = DeckSettings(title="Progress", hold_seconds=0.5, target=(640, 360))
FIXED, PER_CLIP = ASSEMBLY_SECONDS


def progress(
    total: int, done: int = 0, estimate: float | None = None, waiting: int = 0, **more: object
) -> DeckProgress:
    """A deck's progress with `done` of `total` transitions made, the rest in flight."""
    statuses = ("done",) * done + ("processing",) * (total - done)
    return DeckProgress(
        total=total,
        done=done,
        failed=(),
        in_flight=total - done,
        pending=0,
        statuses=statuses,
        estimate=estimate,
        waiting=waiting,
        **more,  # type: ignore[arg-type]
    )


# ---- in words ------------------------------------------------------------------------------------


def test_one_transition_is_singular_in_english_and_counted_in_chinese() -> None:
    one = progress(1, estimate=4.0)
    left = round(4.0 + FIXED + PER_CLIP)
    assert one.text("en") == f"0 of 1 transition done; about {left} s left until the final video"
    assert one.text("zh-CN").startswith("已完成 0/1 个转场；约 ")
    assert progress(3, done=3).text("en") == "3 of 3 transitions done"
    assert progress(3, done=3).text("zh-CN") == "已完成 3/3 个转场"


def test_failed_and_waiting_transitions_are_said_in_both_languages() -> None:
    shown = replace(progress(4, done=1, waiting=1), failed=(1, 2))
    assert shown.text("en") == (
        "1 of 4 transitions done; failed: 2, 3; 1 waiting until your earlier jobs finish"
    )
    assert shown.text("zh-CN") == "已完成 1/4 个转场；失败：2, 3；1 个等待您之前的任务完成后开始"


# ---- the time left -------------------------------------------------------------------------------


def test_the_time_left_counts_the_clips_in_flight_and_the_final_assembly() -> None:
    assert progress(5, estimate=10.0).time_left() == pytest.approx(10.0 + FIXED + PER_CLIP * 5)
    assert progress(5, done=5, estimate=1.0).time_left() is None  # nothing left
    assert progress(5).time_left() is None  # nothing known yet


def test_transitions_waiting_for_room_add_a_whole_task_per_wave() -> None:
    running = progress(7, estimate=4.0, lanes=2, task_seconds=30.0)
    waiting = replace(running, waiting=5)  # three waves of at most two
    assert waiting.time_left() == pytest.approx(running.time_left() + 3 * 30.0)
    # Before any task's length is known, a wave takes as long as the clips in flight.
    unknown = replace(waiting, task_seconds=None)
    assert unknown.time_left() == pytest.approx(running.time_left() + 3 * 4.0)
    # The clips in flight nearly done leave the waves just as long.
    nearly = replace(waiting, estimate=0.5)
    assert nearly.time_left() == pytest.approx(0.5 + 3 * 30.0 + FIXED + PER_CLIP * 7)


# ---- against the engine --------------------------------------------------------------------------


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner(simulator_factory, data_dir: Path) -> Iterator[DeckRunner]:
    with deck_runner(simulator_factory(latency=1.0, render_height=180), data_dir) as runner:
        yield runner


def pdf_of(tmp_path: Path, pages: int, name: str = "talk.pdf") -> Path:
    return write_pdf(tmp_path / name, [slide_image(i, (640, 360)) for i in range(pages)])


def test_a_capped_decks_time_left_includes_the_transitions_waiting_in_line(
    runner: DeckRunner, tmp_path: Path
) -> None:
    runner.engine.max_queued = 1
    deck = runner.open([pdf_of(tmp_path, 4)], SETTINGS, fixed_prompt("one after the other"))
    runner.submit(deck, submitter="presenter")
    first = runner.sync(deck)
    assert first.waiting == 2 and first.lanes == 1 and first.estimate is not None
    left = first.time_left()
    assert left is not None
    per_wave = first.task_seconds or max(first.estimate, 1.0)
    assert left >= first.estimate + 2 * per_wave + FIXED

    assert runner.wait(deck, timeout=120).complete


def test_the_time_one_transition_takes_is_learnt_from_the_decks_jobs(
    runner: DeckRunner, tmp_path: Path
) -> None:
    runner.engine.max_queued = 1
    deck = runner.open([pdf_of(tmp_path, 3)], SETTINGS, fixed_prompt("learnt"))
    runner.submit(deck, submitter="presenter")
    seen: list[DeckProgress] = []
    runner.wait(deck, timeout=120, on_progress=seen.append)
    timed = [p.task_seconds for p in seen if p.task_seconds is not None]
    # The engine's default guess (100 s) until a task ended; then what this deck's took (the
    # simulator takes 1 s).
    assert timed and 0.5 <= timed[-1] <= 30


def test_a_reopened_deck_keeps_its_slides_own_hold_times(
    runner: DeckRunner, tmp_path: Path
) -> None:
    pdf = pdf_of(tmp_path, 3)
    deck = runner.open([pdf], SETTINGS, fixed_prompt("held"))
    deck.plan.set_hold(6.0, "s002")
    runner.save(deck)
    longer = SETTINGS.model_copy(update={"hold_seconds": 1.5})
    again = runner.open([pdf], longer, fixed_prompt("held"))
    assert again.deck_id == deck.deck_id
    assert again.plan.holds() == [1.5, 6.0, 1.5]


def test_the_command_lines_deck_runs_and_is_assembled_through_the_workspace(
    runner: DeckRunner, tmp_path: Path
) -> None:
    workspace = DeckWorkspace(runner)
    deck = workspace.open([pdf_of(tmp_path, 3)], SETTINGS, fixed_prompt("from the shell"))
    assert deck.plan.owner is None
    assert len(workspace.submit(deck.deck_id, submitter=None)) == 2
    jobs = runner.engine.jobs(deck_id=deck.deck_id)
    assert {job.spec.submitter for job in jobs} == {CLI_SUBMITTER}

    seen: list[DeckProgress] = []
    assert workspace.wait(deck.deck_id, timeout=120, on_progress=seen.append).complete
    assert seen and all(not p.complete for p in seen[:-1])
    outputs = workspace.assemble(deck.deck_id)
    assert outputs.video.is_file() and outputs.pptx.is_file()

    # What was assembled is noted: the page (even after a restart) shows it as it is.
    restarted = DeckWorkspace(DeckRunner(runner.engine, runner.decks_dir.parent))
    followed = restarted.follow(deck.deck_id)
    assert followed is not None and followed.assembly.state == "ready"
    assert followed.assembly.files is not None and followed.assembly.files.video == outputs.video
    # Nobody else's: a browser asking for the command line's deck finds none.
    assert workspace.load(deck.deck_id, "browser:someone") is None
