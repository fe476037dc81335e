"""The engine's working state for a job it is busy with (kept in memory, never stored)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum

from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.scheduler import Ticket


class Phase(StrEnum):
    """Which step a live job waits for."""

    QUEUE = "queue"  # waiting in its account's FairQueue
    CREATE = "create"  # holds a slot; create (or look-up by external id) pending or running
    WATCH = "watch"  # Kling has the task; polled until it ends
    FETCH = "fetch"  # the task succeeded; downloading its video


# What a cancelled job still needs, by where it was: its task is paid for and kept.
WATCH_BY_PHASE = {Phase.CREATE: "lookup", Phase.WATCH: "poll", Phase.FETCH: "download"}
WATCH_BY_STATUS = {
    JobStatus.SUBMITTING: "lookup",
    JobStatus.SUBMITTED: "poll",
    JobStatus.PROCESSING: "poll",
    JobStatus.TIMED_OUT: "poll",
    JobStatus.DOWNLOADING: "download",
}


@dataclass(eq=False)
class Live:
    """One job the engine still works on; changed only with the engine's lock held."""

    job_id: str
    external_task_id: str
    account: str
    submitter: str
    fingerprint: str
    phase: Phase
    task_id: str | None = None
    task_status: str | None = None
    due: float = 0.0  # monotonic time its next step may run
    deadline: float | None = None  # monotonic time it times out (WATCH only)
    busy: bool = False  # a step for it is running on a worker
    holds_slot: bool = False
    lookup_first: bool = False  # the last create's fate is unknown: look it up before creating
    ticket: Ticket | None = None
    slow: bool = False  # timed out: watched at a slower pace, no slot
    cancelled: bool = False
    failures: int = 0
    url_refreshed: bool = False
    seen_running: bool = False  # this process saw the task unfinished: its duration is real
    polled_at: float = 0.0  # monotonic time its latest poll was planned
    hinted_at: float = 0.0  # monotonic time of the latest callback about it
    # Set on cancel to cut short every request and wait of this job's running step.
    abort: threading.Event = field(default_factory=threading.Event)
    parked_at: float | None = None  # cancelled while Kling was unreachable: no requests
    unreachable_since: float | None = None  # wall time Kling stopped answering for it
    trouble_since: float | None = None  # monotonic time its current step started failing
    unreadable: int = 0  # answers about its task in a row that could not be read
    kind: str | None = None  # model/mode/duration: tasks alike take alike long
    submitted_mono: float | None = None  # monotonic time Kling accepted its task
    not_before: float = 0.0  # monotonic: a refused create is not sent again before this
