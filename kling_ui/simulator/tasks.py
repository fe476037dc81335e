"""The simulated account: its tasks, their lifecycle by wall time, concurrency slots and stats.

A task holds a slot from create until it ends (succeed or failed). It is `submitted` at
create, `processing` after a fifth of its latency (at most 1 s), and ends at its latency:
`failed` if it was drawn to fail, else `succeed` once its video is rendered (never before).
Every method takes `now` (Unix seconds) so the rules do not depend on which thread asks.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kling_ui.simulator.catalog import units
from kling_ui.simulator.envelope import ApiError, bad_request

SUBMITTED, PROCESSING, SUCCEED, FAILED = "submitted", "processing", "succeed", "failed"
FINISHED = (SUCCEED, FAILED)
PROCESSING_AFTER_MAX = 1.0
OVER_LIMIT_MESSAGE = "parallel task over resource pack limit"


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


@dataclass
class _Hold:
    slots: int
    until: float


@dataclass
class _Stats:
    created: Counter[str] = field(default_factory=Counter)
    create_attempts: int = 0
    peak_concurrency: int = 0
    queries: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    rejected_concurrency: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    callbacks_sent: int = 0
    callbacks_failed: int = 0


StatusListener = Callable[[SimTask, dict[str, Any]], None]


class TaskStore:
    """All tasks of the simulated account; thread-safe.

    `on_change(task, data)` is called (outside the lock) each time a task's status changes,
    with the query `data` of that moment: it drives the callbacks.
    """

    def __init__(self, on_change: StatusListener | None = None) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, SimTask] = {}
        self._by_external: dict[str, str] = {}
        self._holds: list[_Hold] = []
        self._stats = _Stats()
        self.on_change = on_change

    # ---- tasks -----------------------------------------------------------------------------

    def create(
        self,
        *,
        now: float,
        concurrency: int,
        external_task_id: str | None,
        model_name: str,
        mode: str,
        duration: str,
        latency: float,
        fail_message: str | None,
        callback_url: str | None,
        base_url: str,
    ) -> SimTask:
        """A new `submitted` task holding a slot; 400/1201 for a used external id, 429/1303
        when every slot of the account is taken."""
        with self._lock:
            changes = self._advance(now)
            if external_task_id is not None and external_task_id in self._by_external:
                raise bad_request(f"external_task_id already exists: {external_task_id}")
            if self._slots_in_use(now) >= concurrency:
                self._stats.rejected_concurrency += 1
                raise ApiError(429, 1303, OVER_LIMIT_MESSAGE)
            task = SimTask(
                task_id=_new_task_id(),
                external_task_id=external_task_id,
                model_name=model_name,
                mode=mode,
                duration=duration,
                created_at=now,
                updated_at=now,
                latency=latency,
                fail_message=fail_message,
                callback_url=callback_url,
                base_url=base_url,
            )
            self._tasks[task.task_id] = task
            if external_task_id is not None:
                self._by_external[external_task_id] = task.task_id
                self._stats.created[external_task_id] += 1
            self._stats.peak_concurrency = max(
                self._stats.peak_concurrency, self._slots_in_use(now)
            )
            changes.append((task, task.data()))
        self._notify(changes)
        return task

    def find(self, task_or_external_id: str, now: float, *, external_only: bool = False) -> SimTask:
        """The task with this task_id, else this external_task_id; 404/1203 if none.

        With `external_only` only the external_task_id is matched. Each find counts as a query
        of that task in the stats.
        """
        with self._lock:
            changes = self._advance(now)
            task = None if external_only else self._tasks.get(task_or_external_id)
            if task is None and task_or_external_id in self._by_external:
                task = self._tasks[self._by_external[task_or_external_id]]
            if task is not None:
                self._stats.queries[task.task_id] += 1
            found = _copy(task) if task is not None else None
        self._notify(changes)
        if found is None:
            raise ApiError(404, 1203, f"task not found: {task_or_external_id}")
        return found

    def page(self, page_num: int, page_size: int, now: float) -> list[SimTask]:
        """One page of tasks, newest first."""
        with self._lock:
            changes = self._advance(now)
            newest_first = sorted(self._tasks.values(), key=lambda t: t.created_at, reverse=True)
            start = (page_num - 1) * page_size
            found = [_copy(t) for t in newest_first[start : start + page_size]]
        self._notify(changes)
        return found

    def video_ready(self, task_id: str, video_name: str, duration_label: str, now: float) -> bool:
        """Record a task's rendered video; False if the task no longer exists (after reset)."""
        return self._update(task_id, now, video_name=video_name, video_duration=duration_label)

    def render_failed(self, task_id: str, message: str, now: float) -> bool:
        """Record that a task's video could not be made: it ends `failed` with `message`."""
        return self._update(task_id, now, render_error=message)

    def advance(self, now: float) -> None:
        """Move every task to the status `now` implies and report the changes."""
        with self._lock:
            changes = self._advance(now)
        self._notify(changes)

    def next_event_in(self, now: float) -> float | None:
        """Seconds until the next planned status change or hold expiry, None if none is due."""
        with self._lock:
            moments = [h.until for h in self._holds]
            for task in self._tasks.values():
                if task.status == SUBMITTED:
                    moments.append(task.processing_at)
                elif task.status == PROCESSING:
                    moments.append(task.finish_at)
        future = [m - now for m in moments if m > now]
        return min(future) if future else None

    # ---- slots and stats -------------------------------------------------------------------

    def occupy(self, slots: int, seconds: float, now: float) -> None:
        """Hold `slots` slots for `seconds`, as another client of the same account would."""
        with self._lock:
            self._holds.append(_Hold(slots, now + seconds))
            self._stats.peak_concurrency = max(
                self._stats.peak_concurrency, self._slots_in_use(now)
            )

    def count_request(self, *, create: bool = False) -> None:
        """Count one API request (and one create attempt)."""
        with self._lock:
            self._stats.requests += 1
            if create:
                self._stats.create_attempts += 1

    def count_fault(self, kind: str) -> None:
        """Count one injected fault of `kind`."""
        with self._lock:
            self._stats.faults[kind] += 1

    def count_callback(self, *, delivered: bool) -> None:
        """Count one callback POST, delivered or not."""
        with self._lock:
            if delivered:
                self._stats.callbacks_sent += 1
            else:
                self._stats.callbacks_failed += 1

    def stats(self, now: float) -> dict[str, Any]:
        """The counters served at /debug/stats."""
        with self._lock:
            changes = self._advance(now)
            in_flight = sum(1 for t in self._tasks.values() if not t.finished)
            occupied = self._held(now)
            s = self._stats
            result = {
                "created": dict(s.created),
                "create_attempts": s.create_attempts,
                "peak_concurrency": s.peak_concurrency,
                "active": in_flight + occupied,
                "in_flight": in_flight,
                "occupied": occupied,
                "tasks": len(self._tasks),
                "queries": dict(s.queries),
                "requests": s.requests,
                "rejected_concurrency": s.rejected_concurrency,
                "faults": dict(s.faults),
                "callbacks_sent": s.callbacks_sent,
                "callbacks_failed": s.callbacks_failed,
            }
        self._notify(changes)
        return result

    def reset(self) -> None:
        """Forget every task, hold and counter."""
        with self._lock:
            self._tasks.clear()
            self._by_external.clear()
            self._holds.clear()
            self._stats = _Stats()

    # ---- internals (call with the lock held) ------------------------------------------------

    def _advance(self, now: float) -> list[tuple[SimTask, dict[str, Any]]]:
        self._holds = [h for h in self._holds if h.until > now]
        return [(_copy(t), t.data()) for t in self._tasks.values() if t.advance(now)]

    def _held(self, now: float) -> int:
        return sum(h.slots for h in self._holds if h.until > now)

    def _slots_in_use(self, now: float) -> int:
        return sum(1 for t in self._tasks.values() if not t.finished) + self._held(now)

    def _update(self, task_id: str, now: float, **fields: Any) -> bool:
        with self._lock:
            task = self._tasks.get(task_id)
            if task is not None:
                for name, value in fields.items():
                    setattr(task, name, value)
            changes = self._advance(now)
        self._notify(changes)
        return task is not None

    def _notify(self, changes: list[tuple[SimTask, dict[str, Any]]]) -> None:
        listener = self.on_change
        if listener is None:
            return
        for task, data in changes:
            listener(task, data)


def _copy(task: SimTask) -> SimTask:
    return SimTask(**{name: getattr(task, name) for name in SimTask.__dataclass_fields__})


def _new_task_id() -> str:
    return f"sim{uuid.uuid4().int % 10**18:018d}"


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
