"""The named API endpoints, driven by gradio_client against a Studio served in demo mode."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from ui_helpers import WAIT, Launched, api_client

from kling_ui.video import probe


@pytest.fixture(scope="module")
def client(studio: Launched) -> Iterator[Client]:
    """A gradio_client connected to the module's Studio."""
    connected = api_client(studio.url)
    yield connected
    connected.close()


def generate(client: Client, slides: tuple[Path, Path], **fields: Any) -> dict[str, Any]:
    """Call /generate with both slides; `fields` override the other parameters."""
    values: dict[str, Any] = {
        "first_frame": handle_file(str(slides[0])),
        "last_frame": handle_file(str(slides[1])),
        "prompt": "The camera slowly pushes in",
    }
    values.update(fields)
    return client.predict(**values, api_name="/generate")


def follow(client: Client, job_id: str) -> tuple[dict[str, Any], Any]:
    """Poll /job_status until the job has finished; its last answer and video."""
    deadline = time.monotonic() + WAIT
    while True:
        job, video = client.predict(job_id, api_name="/job_status")
        if job["finished"] or time.monotonic() > deadline:
            return job, video
        time.sleep(0.3)


def test_the_api_offers_generate_and_job_status_and_nothing_else(client: Client) -> None:
    info = client.view_api(print_info=False, return_format="dict")
    assert set(info["named_endpoints"]) == {"/generate", "/job_status"}
    names = [p["parameter_name"] for p in info["named_endpoints"]["/generate"]["parameters"]]
    assert names[:4] == ["first_frame", "last_frame", "prompt", "negative_prompt"]
    assert not any("key" in name or "secret" in name for name in names)


def test_generate_returns_a_job_at_once(client: Client, slide_files: tuple[Path, Path]) -> None:
    job = generate(client, slide_files, prompt="A quick push-in", new_take=True)
    assert len(job["id"]) == 32 and not job["finished"]
    assert job["prompt"] == "A quick push-in" and job["last_frame"] is True
    assert (job["model"], job["mode"], job["duration"]) == ("kling-v2-6", "pro", "5")


def test_the_job_reaches_done_and_its_video_plays(
    client: Client, slide_files: tuple[Path, Path]
) -> None:
    job, video = follow(client, generate(client, slide_files, new_take=True)["id"])
    assert job["status"] == "done" and job["video_ready"] and job["error"] is None
    info = probe(video)
    assert info.codec == "h264" and info.frames > 0 and info.height == 180


def test_an_empty_prompt_uses_the_default_prompt(
    client: Client, slide_files: tuple[Path, Path]
) -> None:
    job = generate(client, slide_files, prompt="")
    assert job["prompt"].startswith("The camera slowly pushes in;")


def test_a_model_without_last_frame_support_is_refused_with_the_remedy(
    client: Client, slide_files: tuple[Path, Path]
) -> None:
    with pytest.raises(AppError) as refused:
        generate(client, slide_files, model="kling-v2-master")
    assert "cannot use a last frame" in str(refused.value)
    assert "kling-v2-6" in str(refused.value)


def test_refusals_follow_the_callers_language(
    studio: Launched, slide_files: tuple[Path, Path]
) -> None:
    zh = api_client(studio.url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    try:
        with pytest.raises(AppError) as refused:
            generate(zh, slide_files, model="kling-v2-master")
    finally:
        zh.close()
    assert "不支持尾帧" in str(refused.value)


def test_a_broken_image_is_refused_as_a_frame_problem(client: Client, tmp_path: Path) -> None:
    broken = tmp_path / "slide.png"
    broken.write_bytes(b"not an image at all")
    with pytest.raises(AppError) as refused:
        client.predict(handle_file(str(broken)), api_name="/generate")
    assert "not an image" in str(refused.value)
    assert "Export the slide as PNG or JPEG" in str(refused.value)


def test_an_unknown_job_id_is_refused(client: Client) -> None:
    with pytest.raises(AppError) as refused:
        client.predict("no-such-job", api_name="/job_status")
    assert "There is no job no-such-job" in str(refused.value)


def test_the_same_request_twice_reuses_the_finished_video(
    client: Client, slide_files: tuple[Path, Path]
) -> None:
    first, _ = follow(client, generate(client, slide_files, prompt="Reuse me")["id"])
    again = generate(client, slide_files, prompt="Reuse me")
    assert first["status"] == "done"
    assert again["status"] == "done" and again["reused_from"] == first["id"]
