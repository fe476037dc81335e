"""The Studio and the command line work on one data folder at once: no "busy" refusal, each
finishes its own work, and the Studio keeps serving meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ui_helpers import fast_settings, launch, wait_finished

from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.simulator import slide_png

REPO = Path(__file__).resolve().parents[2]


def test_the_cli_runs_a_deck_on_the_folder_the_studio_serves(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    studio = launch(fast_settings(data_dir))
    try:
        slides = []
        for n in (1, 2, 3):
            path = tmp_path / f"slide-{n}.png"
            path.write_bytes(slide_png(640, 360, f"Slide {n}"))
            slides.append(str(path))
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KLING")}
        env.update(
            PYTHONPATH=str(REPO),
            KLING_UI_DATA_DIR=str(data_dir),
            KLING_UI_DEMO_LATENCY="0.5",
            KLING_UI_DEMO_RENDER_HEIGHT="180",
            KLING_UI_POLL_INTERVAL="0.1",
        )
        deck = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kling_ui",
                "deck",
                *slides,
                "--hold",
                "1",
                "--json",
                "--out",
                str(tmp_path / "talk.mp4"),
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        frames = [Path(slides[0]), Path(slides[2])]
        job = studio.runtime.engine.submit(
            JobSpec(first_frame=frames[0], last_frame=frames[1], prompt="while a deck runs")
        ).job
        assert wait_finished(studio.runtime, job.id).status is JobStatus.DONE
        _out, err = deck.communicate(timeout=240)
        assert deck.returncode == 0, err
        assert (tmp_path / "talk.mp4").is_file()
    finally:
        studio.close()
