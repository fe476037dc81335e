"""`python -m kling_ui deck`: a PDF or a PowerPoint file in, one presentation video (and a
PowerPoint with the transitions inside) out; a second run resumes."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import av
import pytest
from cli_helpers import base_env, run_cli
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, MSO_SHAPE_TYPE
from pptx.util import Emu

from kling_ui.deck import DeckPlan
from kling_ui.simulator import slide_png
from kling_ui.video import probe

NOTES = ["Good morning.", "Zoom into the chart.", "Transition: a slow orbit\nThank you."]


def three_slide_pdf(folder: Path) -> Path:
    pages = [Image.open(io.BytesIO(slide_png(640, 360, f"Slide {i}"))) for i in (1, 2, 3)]
    path = folder / "talk.pdf"
    pages[0].convert("RGB").save(
        path,
        format="PDF",
        save_all=True,
        append_images=[p.convert("RGB") for p in pages[1:]],
        resolution=72,
    )
    return path


def three_slide_pptx(folder: Path) -> Path:
    """A 16:9 presentation: three coloured slides with a title, a bar and speaker notes."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Emu(12_192_000), Emu(6_858_000)
    for index, (colour, notes) in enumerate(
        zip([(200, 50, 40), (40, 150, 70), (40, 70, 200)], NOTES, strict=True)
    ):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = RGBColor(*colour)
        slide.shapes.title.text = f"Slide {index + 1}"
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(3_000_000), Emu(3_000_000), Emu(1_000_000), Emu(3_000_000)
        )
        bar.fill.solid()
        bar.fill.fore_color.rgb = RGBColor(255, 255, 255)
        slide.notes_slide.notes_text_frame.text = notes
    path = folder / "talk.pptx"
    presentation.save(str(path))
    return path


def job_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]


def test_deck_command_writes_the_stitched_video_and_reports_json(tmp_path):
    pdf = three_slide_pdf(tmp_path)
    env = base_env(tmp_path / "data")
    args = ["deck", str(pdf), "--hold", "1", "--json", "--out", "final.mp4"]
    run = run_cli(args, env, tmp_path)
    assert run.code == 0, run.err
    summary = run.last_json()
    assert summary["status"] == "done" and summary["transitions"] == 2
    assert Path(summary["video"]) == tmp_path / "final.mp4"
    assert probe(summary["video"]).duration > 3
    assert Path(summary["presenter"]).is_file() and Path(summary["bundle"]).is_file()
    assert "simulator" in run.err.lower()


def test_running_the_same_deck_again_pays_for_nothing_new(tmp_path):
    pdf = three_slide_pdf(tmp_path)
    env = base_env(tmp_path / "data")
    first = run_cli(["deck", str(pdf), "--hold", "1", "--json"], env, tmp_path)
    assert first.code == 0, first.err
    second = run_cli(["deck", str(pdf), "--hold", "1", "--json"], env, tmp_path)
    assert second.code == 0, second.err
    assert "2 of 2" in second.err
    assert job_count(tmp_path / "data") == 2
    assert second.last_json()["deck_id"] == first.last_json()["deck_id"]


def test_a_missing_input_is_one_clear_line_and_exit_2(tmp_path):
    run = run_cli(["deck", "nope.pdf", "--json"], base_env(tmp_path / "data"), tmp_path)
    assert run.code == 2
    assert "No such file" in run.err and "Traceback" not in run.err
    assert run.last_json()["error"]["code"] == "deck.missing_input"


def test_an_encrypted_or_broken_pdf_is_refused_in_chinese_too(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")
    run = run_cli(["deck", "broken.pdf", "--lang", "zh-CN"], base_env(tmp_path / "data"), tmp_path)
    assert run.code == 2 and "Traceback" not in run.err
    assert "deck." in run.err and any("\u4e00" <= ch <= "\u9fff" for ch in run.err)


def test_a_failing_transition_exits_4_and_says_how_to_retry(tmp_path, simulator_factory):
    server = simulator_factory(fail_rate=1.0)
    pdf = three_slide_pdf(tmp_path)
    env = base_env(
        tmp_path / "data",
        KLING_BASE_URL=server.base_url,
        KLING_ACCESS_KEY=server.config.access_key,
        KLING_SECRET_KEY=server.config.secret_key,
    )
    run = run_cli(["deck", str(pdf), "--json"], env, tmp_path)
    assert run.code == 4, run.err
    assert run.last_json()["status"] == "failed"
    assert "again" in run.err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_pptx_deck_writes_the_video_and_a_pptx_with_the_transitions_inside(tmp_path):
    talk = three_slide_pptx(tmp_path)
    env = base_env(tmp_path / "data")
    args = ["deck", talk.name, "--out", "talk.mp4", "--pptx", "talk-with-transitions.pptx"]
    run = run_cli([*args, "--hold", "1", "--json"], env, tmp_path)
    assert run.code == 0, run.err
    summary = run.last_json()
    assert Path(summary["video"]) == tmp_path / "talk.mp4"
    assert Path(summary["pptx"]) == tmp_path / "talk-with-transitions.pptx"
    assert summary["pptx_slides"] == 5 and summary["pptx_keeps_original_slides"] is True
    assert "talk-with-transitions.pptx (5 slides" in run.err

    video = probe(tmp_path / "talk.mp4")
    (plan_file,) = (tmp_path / "data" / "deck-state").glob("*/plan.json")
    clips = DeckPlan.load(plan_file).clip_paths()
    expected = 3 * 1.0 + sum(probe(clip).duration for clip in clips)
    assert len(clips) == 2 and abs(video.duration - expected) <= 1 / float(video.fps)
    with av.open(str(tmp_path / "talk.mp4")) as container:
        opening = next(container.decode(video=0)).to_ndarray(format="rgb24")
    assert abs(opening[opening.shape[0] // 2, 2].astype(int) - (200, 50, 40)).max() <= 12

    shown = Presentation(str(tmp_path / "talk-with-transitions.pptx"))
    slides = list(shown.slides)
    assert len(slides) == 5
    assert [s.shapes.title.text for s in slides[::2]] == ["Slide 1", "Slide 2", "Slide 3"]
    notes = [s.notes_slide.notes_text_frame.text.replace("\x0b", "\n") for s in slides[::2]]
    assert notes == NOTES
    movies = [
        [shape for shape in s.shapes if shape.shape_type == MSO_SHAPE_TYPE.MEDIA]
        for s in slides[1::2]
    ]
    assert [len(m) for m in movies] == [1, 1]
