"""The strategy hint: similar slides evolve in place, different slides need the camera."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from kling_ui.frames import FrameError, prepare_frame
from kling_ui.prompts import IN_PLACE_THRESHOLD, build_prompt, load_library, strategy_hint


def chart_slide(bars: list[int], title: str = "Quarterly results") -> Image.Image:
    """A white slide with a blue title bar and a bar chart."""
    image = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 160), fill=(20, 40, 120))
    draw.text((80, 50), title, fill="white", font_size=60)
    for index, height in enumerate(bars):
        left = 200 + index * 250
        draw.rectangle((left, 1000 - height, left + 180, 1000), fill=(200, 80, 40))
    return image


def photo_slide(seed: int = 1) -> Image.Image:
    """A full-bleed photo: smooth colour fields with grain."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:1080, 0:1920]
    channels = [
        60 + 60 * np.sin(xx / 90),
        130 + 80 * np.cos(yy / 75),
        160 + 50 * np.sin((xx - yy) / 50),
    ]
    pixels = np.stack(channels, axis=-1) + rng.normal(0, 20, (1080, 1920, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_identical_slides_score_one():
    slide = chart_slide([300, 400, 500, 350])

    assert strategy_hint(slide, slide).similarity == 1.0


def test_near_identical_slides_suggest_in_place_evolution_with_little_camera_motion():
    hint = strategy_hint(chart_slide([300, 400, 500, 350]), chart_slide([320, 420, 560, 380]))

    assert hint.similarity >= IN_PLACE_THRESHOLD
    assert hint.strategy == "in_place"
    assert hint.camera in ("static", "gentle_drift")


def test_very_different_slides_suggest_a_camera_driven_transition():
    hint = strategy_hint(chart_slide([300, 400, 500, 350]), photo_slide())

    assert hint.similarity < IN_PLACE_THRESHOLD
    assert hint.strategy == "camera"
    assert hint.camera not in ("static", "gentle_drift")


def test_a_small_change_scores_higher_than_a_new_layout():
    base = chart_slide([300, 400, 500, 350])

    small = strategy_hint(base, chart_slide([300, 400, 520, 350])).similarity
    large = strategy_hint(base, photo_slide()).similarity

    assert small > large


def test_the_hint_shows_the_score_behind_it_in_both_languages():
    hint = strategy_hint(chart_slide([300, 400, 500, 350]), photo_slide())
    percent = f"{round(hint.similarity * 100)}%"

    assert percent in hint.explanation.en and percent in hint.explanation.zh
    assert 0.0 <= hint.structure <= 1.0 and 0.0 <= hint.colour <= 1.0


def test_the_suggested_parts_build_a_prompt_from_existing_presets():
    library = load_library(None)
    for slides in ((chart_slide([1]), chart_slide([2])), (chart_slide([1]), photo_slide())):
        hint = strategy_hint(*slides)

        assert build_prompt(hint.parts, library, "en").startswith("The camera")


def test_files_bytes_and_prepared_frames_are_accepted(tmp_path):
    path = tmp_path / "slide.png"
    path.write_bytes(png(chart_slide([300, 400])))
    prepared = prepare_frame(png(chart_slide([300, 410])))

    assert strategy_hint(path, prepared).strategy == "in_place"
    assert strategy_hint(png(photo_slide()), str(path)).strategy == "camera"


def test_a_broken_file_is_refused_like_in_frame_preparation():
    with pytest.raises(FrameError) as refused:
        strategy_hint(b"", chart_slide([1]))

    assert refused.value.code == "frame.empty"
