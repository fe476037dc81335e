"""The simulator's background threads: the renderer (one clip at a time) and the lifecycle
clock that moves tasks on at the right moments even when nobody is asking."""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from PIL import UnidentifiedImageError

from kling_ui.simulator.render import RenderCancelled, RenderJob, render
from kling_ui.simulator.tasks import TaskStore

log = logging.getLogger("kling_ui.simulator.workers")

IDLE_TICK = 0.5
MIN_TICK = 0.005
BAD_PIXELS_MESSAGE = "Image pixel is invalid"
RENDER_FAILED_MESSAGE = "Task generation failed, please try again later"


class RenderWorker:
    """Renders queued clips one after another (the machine is small) and reports each result
    to the store."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[str, RenderJob] | None] = queue.Queue()
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-render", daemon=True)
        self.render_seconds: list[float] = []

    def start(self) -> None:
        """Start the worker thread."""
        self._thread.start()

    def submit(self, task_id: str, job: RenderJob) -> None:
        """Queue the video of `task_id`."""
        self._queue.put((task_id, job))

    def stop(self, timeout: float = 10.0) -> None:
        """Abandon queued work, stop the clip in progress, and wait for the thread."""
        self._cancel.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._cancel.is_set():
            item = self._queue.get()
            if item is None or self._cancel.is_set():
                return
            task_id, job = item
            self._render_one(task_id, job)

    def _render_one(self, task_id: str, job: RenderJob) -> None:
        started = time.perf_counter()
        try:
            video = render(job, self._cancel)
        except RenderCancelled:
            return
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            log.warning("render of %s failed: %s", task_id, type(exc).__name__)
            self._store.render_failed(task_id, BAD_PIXELS_MESSAGE, time.time())
            return
        except Exception:
            log.exception("render of %s failed", task_id)
            self._store.render_failed(task_id, RENDER_FAILED_MESSAGE, time.time())
            return
        elapsed = time.perf_counter() - started
        self.render_seconds.append(elapsed)
        log.debug("rendered %s (%dx%d) in %.2fs", task_id, video.width, video.height, elapsed)
        if not self._store.video_ready(task_id, video.path.name, video.duration_label, time.time()):
            _remove(video.path)  # the task was cleared by a reset while rendering


class LifecycleClock:
    """Advances the store at each planned status change, so callbacks fire on time."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-clock", daemon=True)

    def start(self) -> None:
        """Start the clock thread."""
        self._thread.start()

    def wake(self) -> None:
        """Recompute the next moment now (a task was created or a slot hold added)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            now = time.time()
            try:
                self._store.advance(now)
                due = self._store.next_event_in(now)
            except Exception:
                log.exception("lifecycle tick failed")
                due = None
            wait = IDLE_TICK if due is None else min(IDLE_TICK, max(MIN_TICK, due))
            self._wake.wait(wait)
            self._wake.clear()


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.debug("could not remove %s", path.name)
