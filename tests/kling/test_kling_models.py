"""Kling's answers are read with their quirks."""

import pytest

from kling_ui.kling.client import KlingClient
from kling_ui.kling.errors import EmptyResult
from kling_ui.kling.models import CreateTaskRequest, Task, TaskStatus


def test_duration_arrives_as_a_string_and_is_read_as_seconds():
    task = Task.model_validate(
        {
            "task_id": "t1",
            "task_status": "succeed",
            "task_result": {"videos": [{"id": "v", "url": "http://x/v.mp4", "duration": "5.1"}]},
        }
    )
    assert task.video is not None and task.video.duration == 5.1


def test_unknown_fields_are_accepted():
    task = Task.model_validate({"task_id": "t", "task_status": "processing", "new_field": 1})
    assert task.task_status is TaskStatus.PROCESSING


def test_null_task_info_and_unit_string_are_tolerated():
    task = Task.model_validate(
        {"task_id": "t", "task_status": "failed", "task_info": None, "final_unit_deduction": "2.5"}
    )
    assert task.external_task_id is None and task.final_unit_deduction == 2.5


def test_a_succeeded_task_without_videos_has_no_video():
    assert Task.model_validate({"task_id": "t", "task_status": "succeed"}).video is None


def test_request_body_omits_unset_fields_and_repr_omits_images():
    req = CreateTaskRequest(model_name="kling-v2-6", image="A" * 1000, prompt="p")
    assert req.body() == {
        "model_name": "kling-v2-6",
        "image": "A" * 1000,
        "prompt": "p",
        "mode": "pro",
        "duration": "5",
    }
    assert "AAAA" not in repr(req)


def test_outcome_of_a_success_without_video_is_an_empty_result_error():
    with pytest.raises(EmptyResult):
        KlingClient.outcome(Task.model_validate({"task_id": "t", "task_status": "succeed"}))
