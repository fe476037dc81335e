"""The simulated video is a real H.264 MP4 of the transition between the frames it received."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from kling_ui.simulator.catalog import output_height
from kling_ui.simulator.render import RenderedVideo, frame_count, output_size
from kling_ui.video import probe


def _download(api, tmp_path: Path, **overrides) -> tuple[Path, dict]:
    data = api.wait(api.create_ok(**overrides)["task_id"])
    assert data["task_status"] == "succeed"
    path = tmp_path / "video.mp4"
    response = httpx.get(data["task_result"]["videos"][0]["url"])  # no Authorization header
    assert response.status_code == 200
    path.write_bytes(response.content)
    return path, data


def _first_and_last_frames(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return frames[0].astype(float), frames[-1].astype(float)


def _as_frame(b64: str, shape: tuple[int, ...]) -> np.ndarray:
    image = Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")
    return np.asarray(image.resize((shape[1], shape[0]))).astype(float)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


def test_video_is_h264_yuv420p_at_24_fps_for_v2_models(api, tmp_path):
    path, _ = _download(api, tmp_path)
    info = probe(path)
    assert info.codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.fps == 24 and (info.width, info.height) == (320, 180)
    assert abs(info.duration - 5) < 0.2


def test_v1_models_render_at_30_fps(api, tmp_path):
    path, _ = _download(api, tmp_path, model_name="kling-v1", mode="std")
    assert probe(path).fps == 30


def test_ten_second_request_makes_a_ten_second_video(api, tmp_path):
    path, data = _download(api, tmp_path, duration="10")
    assert abs(probe(path).duration - 10) < 0.2
    assert abs(float(data["task_result"]["videos"][0]["duration"]) - 10) < 0.2


def test_video_takes_the_first_images_aspect(api, tmp_path):
    path, _ = _download(api, tmp_path, image=api.slide("Four by three", 600, 450))
    info = probe(path)
    assert (info.width, info.height) == (240, 180)


def test_first_and_last_frames_look_like_the_two_images(api, tmp_path):
    first_b64, last_b64 = api.slide("Slide 1"), api.slide("Slide 2")
    path, _ = _download(api, tmp_path, image=first_b64, image_tail=last_b64)
    first_frame, last_frame = _first_and_last_frames(path)
    first_image = _as_frame(first_b64, first_frame.shape)
    last_image = _as_frame(last_b64, last_frame.shape)
    assert _distance(first_frame, first_image) < 12
    assert _distance(last_frame, last_image) < 12
    assert _distance(first_frame, first_image) * 3 < _distance(first_frame, last_image)
    assert _distance(last_frame, last_image) * 3 < _distance(last_frame, first_image)


def test_single_image_video_starts_on_that_image(api, tmp_path):
    image_b64 = api.slide("Alone")
    path, _ = _download(api, tmp_path, image=image_b64, image_tail=None)
    first_frame, _ = _first_and_last_frames(path)
    assert _distance(first_frame, _as_frame(image_b64, first_frame.shape)) < 12


def test_simulated_badge_is_visible_in_the_top_right_corner(api, tmp_path):
    image_b64 = api.slide("Badge")
    path, _ = _download(api, tmp_path, image=image_b64)
    first_frame, _ = _first_and_last_frames(path)
    image = _as_frame(image_b64, first_frame.shape)
    height, width = first_frame.shape[:2]
    corner = (slice(0, height // 10), slice(width * 3 // 4, width))
    elsewhere = (slice(height // 2, height // 2 + height // 10), slice(0, width // 4))
    assert _distance(first_frame[corner], image[corner]) > 20
    assert _distance(first_frame[elsewhere], image[elsewhere]) < 12


def test_video_url_is_served_by_the_simulator_without_auth(api, tmp_path):
    _, data = _download(api, tmp_path)
    url = data["task_result"]["videos"][0]["url"]
    assert url.startswith(api.server.base_url)
    response = httpx.get(url)
    assert response.headers["content-type"] == "video/mp4"


def test_unknown_video_is_404(api):
    assert httpx.get(f"{api.server.base_url}/videos/nothing.mp4").status_code == 404


@pytest.mark.parametrize(
    "mode,render_height,expected", [("std", None, 720), ("pro", None, 1080), ("pro", 180, 180)]
)
def test_output_height_follows_the_mode_unless_set(mode, render_height, expected):
    assert output_height(mode, render_height) == expected


@pytest.mark.parametrize(
    "source,height,expected",
    [
        ((1920, 1080), 1080, (1920, 1080)),
        ((1000, 1000), 720, (720, 720)),
        ((333, 500), 181, (120, 180)),
    ],
)
def test_output_size_keeps_the_aspect_in_even_numbers(source, height, expected):
    assert output_size(*source, height) == expected


def test_duration_label_is_rounded_up_to_a_tenth():
    frames = frame_count(24, 5)
    video = RenderedVideo(Path("x.mp4"), 320, 180, 24, frames)
    assert frames == 121 and video.duration_label == "5.1"
