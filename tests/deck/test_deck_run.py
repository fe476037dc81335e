"""A whole deck in demo mode: PDF in, transitions through the engine, one stitched video out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from deck_engine import deck_runner
from deck_media import decoded_frames, mean_difference, packets, slide_image, write_pdf
from PIL import Image

from kling_ui.deck import fixed_prompt
from kling_ui.deck.run import DeckRunner, DeckSettings
from kling_ui.video import probe

SETTINGS = DeckSettings(title="Quarterly review", hold_seconds=1.0, target=(640, 360))


@pytest.fixture
def sim(simulator_factory):
    return simulator_factory(latency=0.4, render_height=180)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runner(sim, data_dir) -> Iterator[DeckRunner]:
    with deck_runner(sim, data_dir) as runner:
        yield runner


@pytest.fixture
def six_page_pdf(tmp_path: Path) -> Path:
    return write_pdf(tmp_path / "talk.pdf", [slide_image(i, (640, 360)) for i in range(6)])


def created(sim) -> dict[str, int]:
    return httpx.get(f"{sim.base_url}/debug/stats").json()["created"]


def run_to_the_end(runner: DeckRunner, pdf: Path):
    deck = runner.open([pdf], SETTINGS, fixed_prompt("slow push in, text stays sharp"))
    runner.submit(deck, submitter="presenter")
    progress = runner.wait(deck, timeout=120)
    assert progress.complete, progress
    return deck, runner.assemble(deck)


def test_six_page_pdf_becomes_video_of_holds_plus_transitions(runner, six_page_pdf):
    deck, outputs = run_to_the_end(runner, six_page_pdf)
    clips = deck.plan.clip_paths()
    info = probe(outputs.video)
    expected = 6 * SETTINGS.hold_seconds + sum(probe(c).duration for c in clips)
    assert len(clips) == 5
    assert abs(info.duration - expected) <= 1 / float(info.fps)


def test_frames_at_hold_midpoints_match_the_slides(runner, six_page_pdf):
    deck, outputs = run_to_the_end(runner, six_page_pdf)
    frames = decoded_frames(outputs.video)
    size = (frames[0].shape[1], frames[0].shape[0])
    holds = [s for s in outputs.report.segments if s.kind == "hold"]
    assert len(holds) == 6
    for hold, slide in zip(holds, deck.plan.slides, strict=True):
        midpoint = frames[round((hold.start + hold.duration / 2) * float(probe(outputs.video).fps))]
        expected = Image.open(slide.path).convert("RGB").resize(size)
        assert mean_difference(midpoint, expected) < 6


def test_transition_clips_are_byte_identical_inside_the_video(runner, six_page_pdf):
    deck, outputs = run_to_the_end(runner, six_page_pdf)
    stitched = [bytes(p) for p in packets(outputs.video)]
    joined = b"".join(stitched)
    for clip in deck.plan.clip_paths():
        clip_packets = [bytes(p) for p in packets(clip)]
        run = b"".join(clip_packets)
        assert run in joined
        assert not outputs.report.normalized


def test_presenter_page_and_bundle_are_written(runner, six_page_pdf):
    _, outputs = run_to_the_end(runner, six_page_pdf)
    assert outputs.presenter.name == "index.html" and outputs.presenter.is_file()
    assert outputs.bundle.suffix == ".zip" and outputs.bundle.stat().st_size > 0


def test_rerunning_a_half_finished_deck_creates_only_the_missing_transitions(
    runner, sim, six_page_pdf
):
    deck = runner.open([six_page_pdf], SETTINGS, fixed_prompt("slow push in"))
    runner.submit(deck, submitter="presenter", indexes=[0, 1])
    runner.wait(deck, timeout=60)
    assert len(created(sim)) == 2

    again = runner.open([six_page_pdf], SETTINGS, fixed_prompt("slow push in"))
    assert again.deck_id == deck.deck_id
    new_jobs = runner.submit(again, submitter="presenter")
    assert len(new_jobs) == 3
    assert runner.wait(again, timeout=60).complete
    assert len(created(sim)) == 5 and set(created(sim).values()) == {1}


def test_a_lost_plan_still_pays_for_nothing_twice(runner, sim, six_page_pdf, data_dir):
    deck, _ = run_to_the_end(runner, six_page_pdf)
    (deck.folder / "plan.json").unlink()
    again = runner.open([six_page_pdf], SETTINGS, fixed_prompt("slow push in, text stays sharp"))
    runner.submit(again, submitter="presenter")
    assert runner.wait(again, timeout=30).complete
    assert len(created(sim)) == 5


def test_a_failed_transition_is_retried_alone(runner, sim, six_page_pdf):
    httpx.post(f"{sim.base_url}/debug/config", json={"fail_rate": 1.0})
    deck = runner.open([six_page_pdf], SETTINGS, fixed_prompt("slow push in"))
    runner.submit(deck, submitter="presenter", indexes=[2])
    progress = runner.wait(deck, timeout=60)
    assert progress.failed == (2,)
    assert "Kling" in (deck.plan.transition(2).error or "")

    httpx.post(f"{sim.base_url}/debug/config", json={"fail_rate": 0.0})
    assert len(runner.submit(deck, submitter="presenter", indexes=[2])) == 1
    progress = runner.wait(deck, timeout=60)
    assert progress.done == 1 and progress.failed == ()
    assert progress.text("en").startswith("1 of 5 transitions done")
    assert progress.text("zh-CN").startswith("已完成 1/5")
