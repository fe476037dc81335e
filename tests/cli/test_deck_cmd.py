"""`python -m kling_ui deck`: a PDF in, one presentation video out; a second run resumes."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from cli_helpers import base_env, run_cli
from PIL import Image

from kling_ui.simulator import slide_png
from kling_ui.video import probe


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


def job_count(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]


def test_deck_command_writes_the_stitched_video_and_reports_json(tmp_path):
    pdf = three_slide_pdf(tmp_path)
    env = base_env(tmp_path / "data")
    run = run_cli(["deck", str(pdf), "--hold", "1", "--json", "--out", "final.mp4"], env, tmp_path)
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
