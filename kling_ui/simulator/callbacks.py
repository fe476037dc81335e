"""Kling-style callbacks: POST the query's `data` to a task's callback_url on each status
change, best effort, from one background thread so the server never waits for a receiver."""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx

from kling_ui.simulator.tasks import SimTask, TaskStore

log = logging.getLogger("kling_ui.simulator.callbacks")

CALLBACK_TIMEOUT = 5.0


class CallbackSender:
    """Delivers queued callbacks in order; failures are counted and logged, never retried."""

    def __init__(self, store: TaskStore) -> None:
        self._store = store
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="sim-callbacks", daemon=True)

    def start(self) -> None:
        """Start the sender thread."""
        self._thread.start()

    def on_status_change(self, task: SimTask, data: dict[str, Any]) -> None:
        """Queue a callback for `task` if it asked for one (a TaskStore listener)."""
        if task.callback_url:
            self._queue.put((task.callback_url, data))

    def stop(self, timeout: float = CALLBACK_TIMEOUT + 1) -> None:
        """Send what is queued, then stop."""
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        with httpx.Client(timeout=CALLBACK_TIMEOUT) as client:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                url, data = item
                try:
                    response = client.post(url, json=data)
                    delivered = response.status_code < 400
                except httpx.HTTPError as exc:
                    delivered = False
                    log.info("callback to %s failed: %s", urlsplit(url).netloc, type(exc).__name__)
                self._store.count_callback(delivered=delivered)
