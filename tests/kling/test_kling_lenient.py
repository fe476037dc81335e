"""Kling's answers read leniently: every optional field may be null, ids may be numbers,
unknown fields and statuses are accepted."""

from __future__ import annotations

import logging

import pytest

from kling_ui.kling.models import Envelope, Task, TaskStatus


def test_a_task_with_every_optional_field_null_is_read():
    task = Task.model_validate(
        {
            "task_id": "1",
            "task_status": "processing",
            "task_status_msg": None,
            "task_result": None,
            "final_unit_deduction": None,
            "created_at": None,
            "updated_at": None,
            "task_info": None,
        }
    )
    assert task.task_status_msg == "" and task.video is None and task.external_task_id is None


def test_null_videos_and_null_video_fields_are_read():
    task = Task.model_validate(
        {
            "task_id": "1",
            "task_status": "succeed",
            "task_result": {
                "videos": [None, {"id": None, "url": "https://v/1.mp4", "duration": None}]
            },
        }
    )
    assert task.video is not None and task.video.id == "" and task.video.duration is None
    empty = Task.model_validate(
        {"task_id": "2", "task_status": "succeed", "task_result": {"videos": None}}
    )
    assert empty.video is None


def test_an_integer_task_id_is_read_as_text():
    assert Task.model_validate({"task_id": 820934, "task_status": "submitted"}).task_id == "820934"


def test_unknown_extra_fields_are_kept_and_ignored():
    task = Task.model_validate(
        {"task_id": "1", "task_status": "submitted", "task_type": "i2v", "extra": {"a": [1]}}
    )
    assert task.task_status is TaskStatus.SUBMITTED


def test_an_unknown_status_reads_as_still_running_and_is_logged_once(caplog):
    caplog.set_level(logging.WARNING, logger="kling_ui.kling.models")
    first = Task.model_validate({"task_id": "1", "task_status": "queueing-zz"})
    Task.model_validate({"task_id": "2", "task_status": "queueing-zz"})
    assert first.task_status is TaskStatus.UNKNOWN and not first.task_status.finished
    assert sum("queueing-zz" in r.getMessage() for r in caplog.records) == 1


def test_times_and_units_as_strings_are_read():
    task = Task.model_validate(
        {
            "task_id": "1",
            "task_status": "succeed",
            "created_at": "1722769557708",
            "final_unit_deduction": "5",
        }
    )
    assert task.created_at == 1722769557708 and task.final_unit_deduction == 5.0


@pytest.mark.parametrize("missing", ["task_id", "task_status"])
def test_a_task_without_id_or_status_is_refused(missing):
    data = {"task_id": "1", "task_status": "submitted"}
    del data[missing]
    with pytest.raises(ValueError):
        Task.model_validate(data)


def test_an_envelope_with_null_message_and_numeric_request_id_is_read():
    env = Envelope.model_validate({"code": 0, "message": None, "request_id": 123, "data": None})
    assert env.message == "" and env.request_id == "123"
