"""The simulated account: its tasks, their lifecycle by wall time, concurrency slots and stats.

A task holds a slot from create until it ends (succeed or failed). It is `submitted` at
create, `processing` after a fifth of its latency (at most 1 s), and ends at its latency:
`failed` if it was drawn to fail, else `succeed` once its video is rendered (never before).
Every method takes `now` (Unix seconds) so the rules do not depend on which thread asks.

Beside our own tasks the account may hold foreign ones (other apps of the same account, see
foreign.py): they are listed and can be queried, and the running ones hold slots, but the
per-task stats count only ours.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kling_ui.simulator.envelope import OVER_LIMIT_MESSAGE, ApiError, bad_request
from kling_ui.simulator.foreign import ForeignSpec, make_foreign
from kling_ui.simulator.simtask import (
    FAILED,
    FINISHED,
    PROCESSING,
    SUBMITTED,
    SUCCEED,
    SimTask,
    copy_task,
    new_numeric_task_id,
    new_task_id,
)
from kling_ui.simulator.stats import Stats, query_stats

__all__ = ["FAILED", "FINISHED", "PROCESSING", "SUBMITTED", "SUCCEED", "SimTask", "TaskStore"]

REALWORLD_DUPLICATE_MESSAGE = "Duplicate request: the task already exists"


@dataclass
class _Hold:
    slots: int
    until: float


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
        self._stats = Stats()
        self._rng = random.Random()
        self._own_count = 0
        self._foreign_count = 0
        self._foreign_target: int | None = None
        self._background: list[str] = []
        self.on_change = on_change

    def reseed(self, seed: int | None) -> None:
        """Restart the world's draws (list order, foreign tasks) from `seed` (None: fresh)."""
        with self._lock:
            self._rng = random.Random(None if seed is None else seed + 2)

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
        realworld: bool = False,
        aspect_ratio: str | None = None,
    ) -> SimTask:
        """A new `submitted` task holding a slot; 400/1201 for a used external id, 429/1303
        when every slot of the account is taken (foreign tasks' slots included).

        In realworld mode the id is all digits (every other task is answered as a number)
        and the duplicate refusal does not name the field.
        """
        with self._lock:
            changes = self._advance(now)
            if external_task_id is not None and external_task_id in self._by_external:
                raise bad_request(
                    REALWORLD_DUPLICATE_MESSAGE
                    if realworld
                    else f"external_task_id already exists: {external_task_id}"
                )
            if self._slots_in_use(now) >= concurrency:
                self._stats.rejected_concurrency += 1
                raise ApiError(429, 1303, OVER_LIMIT_MESSAGE)
            seq = self._own_count
            self._own_count += 1
            task = SimTask(
                task_id=new_numeric_task_id() if realworld else new_task_id(),
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
                seq=seq,
                numeric_id=realworld and seq % 2 == 0,
                order_key=self._rng.random(),
                aspect_ratio=aspect_ratio,
            )
            self._add(task)
            if external_task_id is not None:
                self._stats.created[external_task_id] += 1
            self._stats.peak_concurrency = max(
                self._stats.peak_concurrency, self._slots_in_use(now)
            )
            changes.append((task, task.data()))
        self._notify(changes)
        return task

    def lookup(
        self, task_or_external_id: str, now: float, *, external_only: bool = False
    ) -> SimTask | None:
        """A copy of the task with this task_id, else this external_task_id; None if none.

        With `external_only` only the external_task_id is matched. Each task found counts as
        a query of that task in the stats.
        """
        with self._lock:
            changes = self._advance(now)
            task = self._resolve(task_or_external_id, external_only=external_only)
            if task is not None:
                self._stats.queries[task.task_id] += 1
            found = copy_task(task) if task is not None else None
        self._notify(changes)
        return found

    def page(
        self, page_num: int, page_size: int, now: float, *, shuffled: bool = False
    ) -> list[SimTask]:
        """One page of the account's tasks (foreign ones too): newest first, or with
        `shuffled` in a fixed random order (drawn per task at its creation)."""
        with self._lock:
            changes = self._advance(now)
            tasks = list(self._tasks.values())
            if shuffled:
                tasks.sort(key=lambda t: t.order_key)
            else:
                tasks.sort(key=lambda t: t.created_at, reverse=True)
            start = (page_num - 1) * page_size
            found = [copy_task(t) for t in tasks[start : start + page_size]]
        self._notify(changes)
        return found

    def sync_foreign(
        self,
        *,
        finished: int,
        in_flight: int,
        latency: float,
        now: float,
        base_url: str,
        restart: bool = False,
    ) -> bool:
        """Match the foreign tasks to the config: `finished` old finished ones, and when
        `in_flight` changed (or `restart`), exactly `in_flight` running ones from `now`.
        True if anything changed."""
        idle = finished == in_flight == len(self._background) == 0
        if idle and not restart and self._foreign_target in (0, None):
            return False  # the common case (no foreign tasks), answered without the lock
        spec = ForeignSpec(now=now, latency=latency, base_url=base_url)
        with self._lock:
            restart = restart or in_flight != self._foreign_target
            if len(self._background) == finished and not restart:
                return False
            changes = self._advance(now)
            while len(self._background) < finished:
                self._background.append(self._add(self._foreign(spec, running=False)).task_id)
            while len(self._background) > finished:
                self._forget(self._background.pop())
            if restart:
                changes += self._set_foreign_running(in_flight, spec)
                self._foreign_target = in_flight
            self._stats.peak_concurrency = max(
                self._stats.peak_concurrency, self._slots_in_use(now)
            )
        self._notify(changes)
        return True

    def video_ready(self, task_id: str, video_name: str, duration_label: str, now: float) -> bool:
        """Record a task's rendered video; False if the task no longer exists (after reset)."""
        return self._update(task_id, now, video_name=video_name, video_duration=duration_label)

    def render_failed(self, task_id: str, message: str, now: float) -> bool:
        """Record that a task's video could not be made: it ends `failed` with `message`."""
        return self._update(task_id, now, render_error=message)

    def hurry(self, now: float) -> int:
        """End every unfinished task of this account now (or once its video is made), as if
        each had been given no more latency than it has already had; how many were hurried.
        Foreign tasks keep their own course."""
        with self._lock:
            hurried = [t for t in self._tasks.values() if not t.finished and not t.foreign]
            for task in hurried:
                task.latency = min(task.latency, max(0.0, now - task.created_at))
            changes = self._advance(now)
        self._notify(changes)
        return len(hurried)

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

    def count_request(self, kind: str = "other", target: str | None = None) -> None:
        """Count one API request of `kind`: "create", "query" (the path form, `target` is the
        id in the path), "lookup" (`?external_task_id=target`), "list" or "other"."""
        with self._lock:
            s = self._stats
            s.requests += 1
            if kind == "create":
                s.create_attempts += 1
            elif kind == "list":
                s.list_requests += 1
            elif kind == "query" and target is not None:
                s.query_requests += 1
                task = self._resolve(target)
                if task is None:
                    s.unknown_queries += 1
                else:
                    s.path_queries[task.task_id] += 1
            elif kind == "lookup" and target is not None:
                s.lookup_requests += 1
                task = self._resolve(target, external_only=True)
                if task is not None:
                    s.lookups[task.task_id] += 1

    def count_unreachable(self) -> None:
        """Count one API request dropped because the API was unreachable."""
        with self._lock:
            self._stats.unreachable_dropped += 1

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
            ours = [t for t in self._tasks.values() if not t.foreign]
            in_flight = sum(1 for t in ours if not t.finished)
            foreign_active = sum(1 for t in self._tasks.values() if t.foreign and not t.finished)
            occupied = self._held(now)
            s = self._stats
            result = {
                "created": dict(s.created),
                "create_attempts": s.create_attempts,
                "peak_concurrency": s.peak_concurrency,
                "active": in_flight + occupied + foreign_active,
                "in_flight": in_flight,
                "occupied": occupied,
                "foreign_active": foreign_active,
                "tasks": len(ours),
                "foreign_tasks": len(self._tasks) - len(ours),
                "queries": dict(s.queries),
                **query_stats(s, ours),
                "requests": s.requests,
                "rejected_concurrency": s.rejected_concurrency,
                "faults": dict(s.faults),
                "callbacks_sent": s.callbacks_sent,
                "callbacks_failed": s.callbacks_failed,
                "unreachable_dropped": s.unreachable_dropped,
            }
        self._notify(changes)
        return result

    def reset(self) -> None:
        """Forget every task, hold and counter."""
        with self._lock:
            self._tasks.clear()
            self._by_external.clear()
            self._holds.clear()
            self._stats = Stats()
            self._own_count = self._foreign_count = 0
            self._foreign_target = None
            self._background.clear()

    # ---- internals (call with the lock held) ------------------------------------------------

    def _advance(self, now: float) -> list[tuple[SimTask, dict[str, Any]]]:
        self._holds = [h for h in self._holds if h.until > now]
        return [(copy_task(t), t.data()) for t in self._tasks.values() if t.advance(now)]

    def _resolve(self, task_or_external_id: str, *, external_only: bool = False) -> SimTask | None:
        task = None if external_only else self._tasks.get(task_or_external_id)
        if task is None and task_or_external_id in self._by_external:
            task = self._tasks[self._by_external[task_or_external_id]]
        return task

    def _add(self, task: SimTask) -> SimTask:
        self._tasks[task.task_id] = task
        if task.external_task_id is not None:
            self._by_external[task.external_task_id] = task.task_id
        return task

    def _forget(self, task_id: str) -> None:
        task = self._tasks.pop(task_id, None)
        if task is not None and task.external_task_id is not None:
            self._by_external.pop(task.external_task_id, None)

    def _foreign(self, spec: ForeignSpec, *, running: bool) -> SimTask:
        task = make_foreign(self._rng, spec, seq=self._foreign_count, running=running)
        self._foreign_count += 1
        return task

    def _set_foreign_running(
        self, count: int, spec: ForeignSpec
    ) -> list[tuple[SimTask, dict[str, Any]]]:
        """Start or end foreign tasks now so that exactly `count` of them are running."""
        running = [t for t in self._tasks.values() if t.foreign and not t.finished]
        for _ in range(count - len(running)):
            self._add(self._foreign(spec, running=True))
        changes = []
        for task in running[count:]:
            task.latency = max(0.0, spec.now - task.created_at)  # it ends now
            if task.advance(spec.now):
                changes.append((copy_task(task), task.data()))
        return changes

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
