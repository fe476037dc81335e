"""What a job is: its status, what to make (JobSpec), and one stored row as read (Job)."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kling_ui.i18n import Text
from kling_ui.prompts.builder import without_control_characters


class JobStatus(StrEnum):
    """Where a job is in its life, from the queue to a saved video."""

    QUEUED = "queued"
    SUBMITTING = "submitting"
    SUBMITTED = "submitted"
    PROCESSING = "processing"
    DOWNLOADING = "downloading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"

    @property
    def finished(self) -> bool:
        """True for the end states: done, failed, cancelled."""
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)

    @property
    def active(self) -> bool:
        """True while the engine still works on it (timed_out included: it is resumable)."""
        return not self.finished

    @property
    def settled(self) -> bool:
        """True once a person waiting on the job should stop waiting: finished or timed out."""
        return self.finished or self is JobStatus.TIMED_OUT


STATUS_LABELS: dict[JobStatus, Text] = {
    JobStatus.QUEUED: Text("Waiting in line", "排队中"),
    JobStatus.SUBMITTING: Text("Sending to Kling", "正在提交给可灵"),
    JobStatus.SUBMITTED: Text("Accepted by Kling", "可灵已接收"),
    JobStatus.PROCESSING: Text("Kling is making the video", "可灵正在生成视频"),
    JobStatus.DOWNLOADING: Text("Downloading the video", "正在下载视频"),
    JobStatus.DONE: Text("Done", "已完成"),
    JobStatus.FAILED: Text("Failed", "失败"),
    JobStatus.CANCELLED: Text("Cancelled", "已取消"),
    JobStatus.TIMED_OUT: Text("Taking too long", "超时"),
}

Kind = Literal["single", "lab", "deck"]
# Whose keys a job runs on, for the page to say so.
KEYS_DEMO, KEYS_OWN, KEYS_SHARED = "demo", "own", "shared"
ErrorStage = Literal["create", "task", "download", "engine"]


class JobSpec(BaseModel):
    """What to make: prepared frames, the prompt, Kling settings, and who asked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_frame: Path
    last_frame: Path | None = None
    prompt: str = ""
    negative_prompt: str = ""
    prompt_parts: dict[str, str] = Field(default_factory=dict)
    model: str = "kling-v2-6"
    mode: Literal["std", "pro"] = "pro"
    duration: Literal["5", "10"] = "5"
    cfg_scale: float | None = Field(default=None, ge=0, le=1)
    submitter: str = Field(default="cli", min_length=1, max_length=200)
    kind: Kind = "single"
    deck_id: str | None = None
    deck_position: int | None = None
    lab_group: str | None = None
    label: str | None = None
    new_take: bool = False

    @field_validator("prompt", "negative_prompt")
    @classmethod
    def _no_control_characters(cls, value: str) -> str:
        # Every door builds a JobSpec: this is the one place no control character gets past.
        return without_control_characters(value)

    def fingerprint(self, first_hash: str, last_hash: str | None, origin: str) -> str:
        """A hash of everything that decides the video: frames, prompt, settings, and where it
        is made (`origin`: the simulator or a Kling endpoint). Identical fingerprints mean a
        finished video can be offered again instead of paying for a new one."""
        decisive = {
            "first": first_hash,
            "last": last_hash,
            "prompt": self.prompt,
            "negative": self.negative_prompt,
            "model": self.model,
            "mode": self.mode,
            "duration": self.duration,
            "cfg_scale": self.cfg_scale,
            "origin": origin,
        }
        encoded = json.dumps(decisive, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(encoded).hexdigest()


@dataclass
class Job:
    """One job as stored: identity, what was asked, and everything that happened to it."""

    id: str
    external_task_id: str
    task_id: str | None
    account: str
    spec: JobSpec
    first_hash: str
    last_hash: str | None
    fingerprint: str
    status: JobStatus
    status_message: str = ""
    status_message_zh: str = ""
    task_status: str | None = None
    # Cancelled while its task was paid for: the stage still followed (SUBMITTING: look the
    # task up, PROCESSING: poll it, DOWNLOADING: fetch its video); None when nothing is.
    watch: JobStatus | None = None
    error_code: str | None = None
    error_message: str | None = None
    error_title_en: str | None = None
    error_title_zh: str | None = None
    error_stage: ErrorStage | None = None
    remedy_en: str | None = None
    remedy_zh: str | None = None
    video_path: Path | None = None
    video_url: str | None = None
    units: float | None = None
    created_at: float = field(default_factory=time.time)
    submitting_at: float | None = None
    submitted_at: float | None = None
    processing_at: float | None = None
    downloading_at: float | None = None
    finished_at: float | None = None
    updated_at: float = field(default_factory=time.time)
    attempts: int = 0
    reused_from: str | None = None
    best: bool = False
    runs_on: str | None = None  # whose keys it runs on: KEYS_DEMO, KEYS_OWN or KEYS_SHARED
    owner: str | None = None
    unreachable_since: float | None = None  # Kling has not answered for it since then
    retry_at: float | None = None  # when the engine next tries while Kling does not answer

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the job was created, up to its end if it has ended."""
        end = self.finished_at if self.finished_at and self.status.finished else None
        return max(0.0, (end or (now if now is not None else time.time())) - self.created_at)

    @property
    def status_message_text(self) -> Text:
        """The stored status message in both languages (Chinese falls back to English)."""
        return Text(self.status_message, self.status_message_zh or self.status_message)

    @property
    def error_title(self) -> Text:
        """The stored error title in both languages ("" where one was not stored)."""
        return Text(self.error_title_en or "", self.error_title_zh or "")

    @property
    def remedy(self) -> Text:
        """The stored remedy in both languages ("" where one was not stored)."""
        return Text(self.remedy_en or "", self.remedy_zh or "")

    def status_text(self, lang: str | None = None) -> str:
        """The current status message in the chosen language, else the status label."""
        return self.status_message_text.get(lang) or STATUS_LABELS[self.status].get(lang)

    def error_text(self, lang: str | None = None) -> str | None:
        """What went wrong and what to do about it, in the chosen language; None if nothing."""
        if not self.error_code:
            return None
        title = self.error_title.get(lang) or self.error_message or ""
        remedy = self.remedy.get(lang)
        return " ".join(part for part in (title, remedy) if part)

    @property
    def refused(self) -> bool:
        """True when Kling refused to create the task (auth, quota, parameters, policy)."""
        return self.status is JobStatus.FAILED and self.error_stage == "create"

    def to_public_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of the job (paths as strings, status as its value); no secrets."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, JobSpec):
                value = value.model_dump(mode="json")
            elif isinstance(value, Path):
                value = str(value)
            elif isinstance(value, JobStatus):
                value = value.value
            out[f.name] = value
        return out


@dataclass(frozen=True)
class PoolSnapshot:
    """One account's slots: its limit, the current ceiling (lowered after a 1303), in use."""

    account: str
    limit: int
    ceiling: int
    in_flight: int
    queued: int


@dataclass(frozen=True)
class EngineSnapshot:
    """Counts per status, each account's pool, and the Kling requests sent so far."""

    counts: dict[str, int]
    pools: list[PoolSnapshot]
    requests: dict[str, int]

    @property
    def in_flight(self) -> int:
        """Kling tasks in flight across all accounts."""
        return sum(p.in_flight for p in self.pools)
