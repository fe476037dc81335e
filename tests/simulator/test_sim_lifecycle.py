"""Tasks move submitted -> processing -> succeed (or failed) by wall time, answered in
Kling's envelope and shapes."""

from __future__ import annotations

import time

import httpx

from kling_ui.video import probe


def test_create_answers_in_klings_envelope(api):
    before = int(time.time() * 1000)
    body = api.create(external_task_id="kts-shape").json()
    after = int(time.time() * 1000)
    assert body["code"] == 0 and body["message"] == "SUCCEED" and body["request_id"]
    data = body["data"]
    assert set(data) == {"task_id", "task_info", "task_status", "created_at", "updated_at"}
    assert data["task_status"] == "submitted"
    assert data["task_info"] == {"external_task_id": "kts-shape"}
    assert before <= data["created_at"] <= after and isinstance(data["created_at"], int)


def test_task_passes_through_processing_before_it_succeeds(simulator_factory, api_for):
    api = api_for(simulator_factory(latency=3.0))
    task_id = api.create_ok()["task_id"]
    seen: list[str] = []
    deadline = time.monotonic() + 120
    while (not seen or seen[-1] not in ("succeed", "failed")) and time.monotonic() < deadline:
        status = api.get(task_id).json()["data"]["task_status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        time.sleep(0.05)
    assert seen[0] in ("submitted", "processing")
    assert seen[-2:] == ["processing", "succeed"]


def test_succeeded_task_has_a_video_and_string_figures(api):
    created = api.create_ok(external_task_id="kts-done")
    data = api.wait(created["task_id"])
    assert data["task_status"] == "succeed" and data["task_status_msg"] == ""
    assert data["task_info"]["external_task_id"] == "kts-done"
    (video,) = data["task_result"]["videos"]
    assert video["id"] and video["url"].startswith(api.server.base_url + "/videos/")
    assert isinstance(video["duration"], str) and abs(float(video["duration"]) - 5) < 0.2
    assert isinstance(data["final_unit_deduction"], str)
    assert float(data["final_unit_deduction"]) > 0
    assert data["updated_at"] >= data["created_at"]


def test_failed_task_answers_200_code_0_with_the_reason_in_status_msg(simulator_factory, api_for):
    api = api_for(simulator_factory(fail_rate=1.0))
    task_id = api.create_ok()["task_id"]
    api.wait(task_id)
    response = api.get(task_id)
    body = response.json()
    assert response.status_code == 200 and body["code"] == 0
    assert body["data"]["task_status"] == "failed"
    assert body["data"]["task_status_msg"]
    assert "task_result" not in body["data"]
    assert body["data"]["final_unit_deduction"] == "0"


def test_image_pixel_is_invalid_is_one_of_the_failure_reasons(simulator_factory, api_for):
    api = api_for(simulator_factory(fail_rate=1.0, seed=1, concurrency=10, latency=0.0))
    reasons = {api.wait(api.create_ok()["task_id"])["task_status_msg"] for _ in range(8)}
    assert "Image pixel is invalid" in reasons


def test_a_succeeded_task_always_has_its_complete_video(simulator_factory, api_for, tmp_path):
    # latency 0: the task may end as soon as its video exists, and not before.
    api = api_for(simulator_factory(latency=0.0, render_height=360))
    task_id = api.create_ok(duration="10")["task_id"]
    data = api.wait(task_id)
    path = tmp_path / "v.mp4"
    path.write_bytes(httpx.get(data["task_result"]["videos"][0]["url"]).content)
    assert abs(probe(path).duration - 10) < 0.2
