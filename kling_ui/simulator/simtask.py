"""One simulated task: its lifecycle by wall time and its plain (documented) answer shapes.

A task is `submitted` at create, `processing` after a fifth of its latency (at most 1 s),
and ends at its latency: `failed` if it was drawn to fail, else `succeed` once its video is
rendered (never before).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kling_ui.simulator.catalog import units

SUBMITTED, PROCESSING, SUCCEED, FAILED = "submitted", "processing", "succeed", "failed"
FINISHED = (SUCCEED, FAILED)
PROCESSING_AFTER_MAX = 1.0


@dataclass
class SimTask:
    """One task as the server keeps it."""

    task_id: str
    external_task_id: str | None
    model_name: str
    mode: str
    duration: str
    created_at: float
    latency: float
    fail_message: str | None
    callback_url: str | None
    base_url: str
    status: str = SUBMITTED
    status_msg: str = ""
    updated_at: float = 0.0
    video_name: str | None = None
    video_duration: str | None = None
    render_error: str | None = None
    seq: int = 0
    foreign: bool = False
    numeric_id: bool = False
    order_key: float = 0.0
    aspect_ratio: str | None = None

    @property
    def processing_at(self) -> float:
        """When the task turns `processing`."""
        return self.created_at + min(self.latency * 0.2, PROCESSING_AFTER_MAX)

    @property
    def finish_at(self) -> float:
        """The earliest moment the task may end."""
        return self.created_at + self.latency

    @property
    def finished(self) -> bool:
        """Whether the task has ended (and so released its slot)."""
        return self.status in FINISHED

    def advance(self, now: float) -> bool:
        """Move the status forward to what `now` implies; True if it changed."""
        before = self.status
        if self.status == SUBMITTED and now >= self.processing_at:
            self._set(PROCESSING, min(now, self.processing_at))
        if self.status == PROCESSING and now >= self.finish_at:
            if self.fail_message is not None:
                self._set(FAILED, self.finish_at, self.fail_message)
            elif self.render_error is not None:
                self._set(FAILED, now, self.render_error)
            elif self.video_name is not None:
                self._set(SUCCEED, now)
        return self.status != before

    def _set(self, status: str, at: float, message: str = "") -> None:
        self.status, self.status_msg, self.updated_at = status, message, at

    def data(self) -> dict[str, Any]:
        """The task as the query endpoint's `data` object (times in Unix milliseconds)."""
        info = {"external_task_id": self.external_task_id} if self.external_task_id else {}
        body: dict[str, Any] = {
            "task_id": self.task_id,
            "task_status": self.status,
            "task_status_msg": self.status_msg,
            "task_info": info,
            "final_unit_deduction": (
                units(self.model_name, self.mode, self.duration) if self.status == SUCCEED else "0"
            ),
            "created_at": _ms(self.created_at),
            "updated_at": _ms(self.updated_at),
        }
        if self.status == SUCCEED and self.video_name is not None:
            body["task_result"] = {
                "videos": [
                    {
                        "id": f"{self.task_id}-v0",
                        "url": f"{self.base_url}/videos/{self.video_name}",
                        "duration": self.video_duration,
                    }
                ]
            }
        return body

    def created_data(self) -> dict[str, Any]:
        """The task as the create endpoint answers it."""
        info = {"external_task_id": self.external_task_id} if self.external_task_id else {}
        return {
            "task_id": self.task_id,
            "task_info": info,
            "task_status": self.status,
            "created_at": _ms(self.created_at),
            "updated_at": _ms(self.updated_at),
        }


def copy_task(task: SimTask) -> SimTask:
    """A snapshot of `task` that later changes to the original do not reach."""
    return SimTask(**{name: getattr(task, name) for name in SimTask.__dataclass_fields__})


def new_task_id() -> str:
    """A plain-mode task id ("sim" and 18 digits)."""
    return f"sim{uuid.uuid4().int % 10**18:018d}"


def new_numeric_task_id() -> str:
    """An all-digit task id below 2**53, so it survives being sent as a JSON number."""
    return str(10**15 + uuid.uuid4().int % (8 * 10**15))


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
