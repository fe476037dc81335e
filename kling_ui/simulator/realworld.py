"""Realworld answer shapes: every shape Kling's docs leave open, none of them friendly.

In realworld mode a task object has `null` in its optional fields (task_status_msg while
empty, task_result until it succeeds, final_unit_deduction until it ends, task_info without
an external id, a video's id or duration for some tasks, the times of some list items), an
integer task_id for every other task, an undocumented status ("queueing") early in its life,
and fields no client knows. The choices per task follow its `seq`, so they are repeatable.
"""

from __future__ import annotations

from typing import Any

from kling_ui.simulator.simtask import FINISHED, SUCCEED, SimTask

QUEUEING = "queueing"
QUEUEING_SHARE = 0.15
TASK_TYPE = "image2video"


def task_id_value(task: SimTask) -> str | int:
    """The task_id as answered: a JSON number for the tasks chosen to have one."""
    if task.numeric_id and task.task_id.isdigit():
        return int(task.task_id)
    return task.task_id


def shown_status(task: SimTask, now: float) -> str:
    """The status as answered at `now`: "queueing" in the first QUEUEING_SHARE of the
    task's latency while it has not ended, else its real status."""
    if task.status not in FINISHED and now < task.created_at + task.latency * QUEUEING_SHARE:
        return QUEUEING
    return task.status


def query_data(
    task: SimTask, now: float, *, listed: bool = False, queueing: bool = True
) -> dict[str, Any]:
    """The task as a query (or, with `listed`, a list item) answers it in realworld mode.

    `queueing` False answers the real status even early on (callbacks report real changes).
    """
    body = task.data()
    body["task_id"] = task_id_value(task)
    if queueing:
        body["task_status"] = shown_status(task, now)
    body["task_status_msg"] = task.status_msg or None
    body["task_info"] = body["task_info"] or None
    if task.status not in FINISHED:
        body["final_unit_deduction"] = None
    body["task_result"] = _result(task, body.get("task_result"))
    if listed and task.seq % 4 == 3:
        body["created_at"] = body["updated_at"] = None
    body.update(_extras(task))
    return body


def created_data(task: SimTask) -> dict[str, Any]:
    """The task as the create endpoint answers it in realworld mode (status "submitted")."""
    body = task.created_data()
    body["task_id"] = task_id_value(task)
    body["task_info"] = body["task_info"] or None
    body.update(_extras(task))
    return body


def _result(task: SimTask, plain: dict[str, Any] | None) -> dict[str, Any] | None:
    if task.status != SUCCEED or not plain:
        return None
    videos = []
    for video in plain["videos"]:
        shown = dict(video)
        if task.seq % 3 == 1:
            shown["id"] = None
        if task.seq % 3 == 2:
            shown["duration"] = None
        shown["cover_image_url"] = None
        shown["watermark"] = {"enabled": False, "url": None}
        videos.append(shown)
    return {"videos": videos, "images": None, "audio": {"tracks": []}}


def _extras(task: SimTask) -> dict[str, Any]:
    """Fields the docs do not list: a client must ignore them."""
    return {
        "task_type": TASK_TYPE,
        "aspect_ratio": task.aspect_ratio,
        "model_name": task.model_name,
        "task_extra": {
            "queue": {"region": "cn-beijing", "position": None},
            "billing": {"unit": "credits", "package_id": None},
        },
    }
