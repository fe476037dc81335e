"""The load run: N gradio_client sessions submit /generate at the same moment and follow their
jobs to the end, while the page is fetched again and again.

Shared by tests/reliability/test_load.py (8 sessions) and bench/load.py (20 sessions). What
each session sees is kept: the Gradio queue's rank for its event, the engine's queue position
in every answer, how its job ended, and any error an event raised.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from gradio_client import Client, handle_file
from gradio_client.utils import Status

FOLLOW_TICK = 0.25
PAGE_TICK = 0.2
STATUS_TICK = 0.01


@dataclass
class SessionLog:
    """What one session saw."""

    number: int
    gradio_ranks: list[int] = field(default_factory=list)
    positions: list[int | None] = field(default_factory=list)  # engine position while queued
    statuses: list[str] = field(default_factory=list)
    final: dict[str, Any] | None = None
    video: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def saw_position(self) -> bool:
        """The session was told its place in the engine's line at least once."""
        return any(p is not None for p in self.positions)


@dataclass
class LoadResult:
    """Every session's log, the page's answers during the load, and the wall time."""

    sessions: list[SessionLog]
    page_seconds: list[float]
    page_statuses: list[int]
    wall_seconds: float

    @property
    def errors(self) -> list[str]:
        """Every event error any session met."""
        return [e for s in self.sessions for e in s.errors]

    def page_percentile(self, share: float) -> float:
        """The page fetch time below which `share` of the fetches fell."""
        if not self.page_seconds:
            return float("nan")
        if len(self.page_seconds) == 1:
            return self.page_seconds[0]
        cuts = statistics.quantiles(self.page_seconds, n=100, method="inclusive")
        return cuts[max(0, min(98, round(share * 100) - 1))]


def run_load(
    url: str, sessions: int, slides: tuple[Path, Path], *, round_: int = 1, timeout: float = 300.0
) -> LoadResult:
    """Connect `sessions` clients, submit at one moment, follow every job to its end. Prompts
    name the round and the session, so no job is answered by an identical earlier one."""
    # Patient HTTP (httpx's default is 5 s): a loaded machine answers slowly, not wrongly.
    clients = [Client(url, verbose=False, httpx_kwargs={"timeout": 120.0}) for _ in range(sessions)]
    logs = [SessionLog(number) for number in range(sessions)]
    start = threading.Barrier(sessions + 1)
    stop_page = threading.Event()
    page_seconds: list[float] = []
    page_statuses: list[int] = []
    deadline = time.monotonic() + timeout

    def session(client: Client, log: SessionLog) -> None:
        try:
            start.wait()
            _one_session(client, log, slides, f"Round {round_}, session {log.number}", deadline)
        except Exception as exc:
            log.errors.append(f"{type(exc).__name__}: {exc}")

    def page() -> None:
        with httpx.Client(timeout=30) as http:
            while not stop_page.is_set():
                began = time.perf_counter()
                answer = http.get(f"{url}/")
                page_seconds.append(time.perf_counter() - began)
                page_statuses.append(answer.status_code)
                stop_page.wait(PAGE_TICK)

    threads = [
        threading.Thread(target=session, args=(c, log), daemon=True)
        for c, log in zip(clients, logs, strict=True)
    ]
    pager = threading.Thread(target=page, daemon=True)
    for thread in threads:
        thread.start()
    began = time.monotonic()
    pager.start()
    start.wait()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic()))
    wall = time.monotonic() - began
    stop_page.set()
    pager.join(30)
    _close_all(clients)
    return LoadResult(logs, page_seconds, page_statuses, wall)


def _close_all(clients: list[Client]) -> None:
    """Close every client at once (each close waits about a second for its threads)."""
    closers = [threading.Thread(target=c.close, daemon=True) for c in clients]
    for closer in closers:
        closer.start()
    for closer in closers:
        closer.join(30)


def _one_session(
    client: Client, log: SessionLog, slides: tuple[Path, Path], name: str, deadline: float
) -> None:
    """Submit one job at once, then follow it through /job_status until it has finished."""
    event = client.submit(
        handle_file(str(slides[0])),
        handle_file(str(slides[1])),
        f"{name}: the camera slowly pushes in",
        api_name="/generate",
    )
    while not event.done():
        update = event.status()
        if update.code == Status.IN_QUEUE and update.rank is not None:
            log.gradio_ranks.append(int(update.rank))
        time.sleep(STATUS_TICK)
    job = event.result()
    _note(log, job)
    while not job["finished"]:
        if time.monotonic() > deadline:
            log.errors.append(f"job {job['id']} not finished in time (last: {job['status']})")
            return
        time.sleep(FOLLOW_TICK)
        job, log.video = client.predict(job["id"], api_name="/job_status")
        _note(log, job)
    log.final = job


def _note(log: SessionLog, job: dict[str, Any]) -> None:
    log.statuses.append(job["status"])
    if job["status"] == "queued":
        log.positions.append(job["queue_position"])
