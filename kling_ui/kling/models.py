"""Typed shapes of Kling's image-to-video requests and answers.

Answers accept unknown fields (Kling adds fields without notice) and the real quirks:
`duration` arrives as a string such as "5.1", times are Unix milliseconds, and a failed task
answers HTTP 200 with code 0 and its reason only in `task_status_msg`, any optional field
may be null, a task id may be a number, and a status may be one this client does not know.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

log = logging.getLogger("kling_ui.kling.models")

Mode = Literal["std", "pro"]
Duration = Literal["5", "10"]


class TaskStatus(StrEnum):
    """Kling's task states."""

    SUBMITTED = "submitted"
    PROCESSING = "processing"
    SUCCEED = "succeed"
    FAILED = "failed"
    UNKNOWN = "unknown"  # a status Kling added that this client does not know: still running

    @property
    def finished(self) -> bool:
        """True once the task will not change any more."""
        return self in (TaskStatus.SUCCEED, TaskStatus.FAILED)


class CreateTaskRequest(BaseModel):
    """The body of `POST /v1/videos/image2video`. Unset optional fields are not sent."""

    model_config = ConfigDict(extra="forbid")

    model_name: str
    image: str
    image_tail: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = Field(default=None, ge=0, le=1)
    mode: Mode = "pro"
    duration: Duration = "5"
    sound: Literal["on", "off"] | None = None
    callback_url: str | None = None
    external_task_id: str | None = None

    def body(self) -> dict[str, Any]:
        """The JSON body: only the fields that are set."""
        return self.model_dump(exclude_none=True)

    def __repr__(self) -> str:
        # Images are megabytes of base64: keep them out of reprs and logs.
        shown = self.model_dump(exclude={"image", "image_tail"}, exclude_none=True)
        return f"CreateTaskRequest({shown}, image_tail={'yes' if self.image_tail else 'no'})"

    __str__ = __repr__


def _float_or_none(value: Any) -> float | None:
    """Kling sends numbers as strings ("5.1", "2.5"); anything unreadable counts as unknown."""
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int_or_none(value: Any) -> int | None:
    """Times in Unix ms, as a number or a string; anything unreadable counts as unknown."""
    number = _float_or_none(value)
    return None if number is None else int(number)


def _text(value: Any) -> str:
    """A string field that may be null or a number: never None."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


_unknown_statuses_seen: set[str] = set()


def _status_of(value: Any) -> Any:
    """Kling's status, or UNKNOWN for one this client does not know (logged once each)."""
    if isinstance(value, TaskStatus):
        return value
    text = _text(value).strip().lower()
    try:
        return TaskStatus(text)
    except ValueError:
        if text not in _unknown_statuses_seen:
            _unknown_statuses_seen.add(text)
            log.warning("Kling reported an unknown task status %r; treated as still running", text)
        return TaskStatus.UNKNOWN


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TaskVideo(_Lenient):
    """One generated video: its id, a URL valid for 30 days, and its length in seconds.
    Every field may come as null."""

    id: str = ""
    url: str = ""
    duration: float | None = None

    _texts = field_validator("id", "url", mode="before")(lambda value: _text(value))
    _duration_from_string = field_validator("duration", mode="before")(
        lambda value: _float_or_none(value)
    )


class TaskResult(_Lenient):
    """What a finished task produced."""

    videos: list[TaskVideo] = Field(default_factory=list)

    @field_validator("videos", mode="before")
    @classmethod
    def _videos_may_be_null(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, dict)]


class TaskInfo(_Lenient):
    """What the caller attached to a task."""

    external_task_id: str | None = None

    @field_validator("external_task_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return _text(value) or None


class Task(_Lenient):
    """A task as Kling reports it from create, query or list.

    Only `task_id` and `task_status` are required; every other field may be null or missing,
    the id may come as a number, and a status this client does not know reads UNKNOWN
    (still running).
    """

    task_id: str
    task_status: TaskStatus
    task_status_msg: str = ""
    task_info: TaskInfo = Field(default_factory=TaskInfo)
    task_result: TaskResult | None = None
    final_unit_deduction: float | None = None
    created_at: int | None = None
    updated_at: int | None = None

    _units_from_string = field_validator("final_unit_deduction", mode="before")(
        lambda value: _float_or_none(value)
    )
    _times = field_validator("created_at", "updated_at", mode="before")(
        lambda value: _int_or_none(value)
    )
    _message = field_validator("task_status_msg", mode="before")(lambda value: _text(value))
    _status = field_validator("task_status", mode="before")(lambda value: _status_of(value))

    @field_validator("task_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value  # refused: a task without an id cannot be followed
        return _text(value)

    @field_validator("task_info", mode="before")
    @classmethod
    def _info_may_be_null(cls, value: Any) -> Any:
        return value if isinstance(value, dict | TaskInfo) else {}

    @field_validator("task_result", mode="before")
    @classmethod
    def _result_may_be_odd(cls, value: Any) -> Any:
        return value if isinstance(value, dict | TaskResult) else None

    @property
    def external_task_id(self) -> str | None:
        """The id this client gave the task at create time."""
        return self.task_info.external_task_id

    @property
    def video(self) -> TaskVideo | None:
        """The first video with a URL, if the task has one."""
        if self.task_result is None:
            return None
        return next((v for v in self.task_result.videos if v.url), None)


class Envelope(_Lenient):
    """Kling's outer answer: a business code (0 is success), a message, a request id, data."""

    code: int
    message: str = ""
    request_id: str | None = None
    data: Any = None

    _message = field_validator("message", mode="before")(lambda value: _text(value))

    @field_validator("request_id", mode="before")
    @classmethod
    def _request_id_as_text(cls, value: Any) -> Any:
        return _text(value) or None
