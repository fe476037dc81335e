"""The engine's working state for a job it is busy with (kept in memory, never stored), and
the stages such a job goes through, named by JobStatus members."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.scheduler import Ticket

# The stages of a job the engine works on, named by the JobStatus that starts each one:
# QUEUED (waiting in its account's FairQueue), SUBMITTING (holds a slot; create, or look-up
# by external id, pending or running), PROCESSING (Kling has the task: polled until it ends)
# and DOWNLOADING (the task succeeded: fetching its video). A cancelled job's paid-for task is
# still followed: its row's `watch` keeps the stage left (one of WATCHED).
STAGES = (JobStatus.QUEUED, JobStatus.SUBMITTING, JobStatus.PROCESSING, JobStatus.DOWNLOADING)
WATCHED = STAGES[1:]


def stage_of(status: JobStatus) -> JobStatus | None:
    """The stage a job in this status is at (one of STAGES); None once it has finished.
    Submitted and timed-out tasks are followed like processing ones."""
    if status in (JobStatus.SUBMITTED, JobStatus.TIMED_OUT):
        return JobStatus.PROCESSING
    return None if status.finished else status


@dataclass(eq=False)
class Live:
    """One job the engine still works on; changed only with the engine's lock held."""

    job_id: str
    external_task_id: str
    account: str
    submitter: str
    fingerprint: str
    phase: JobStatus  # the stage it is at: one of STAGES
    task_id: str | None = None
    task_status: str | None = None
    due: float = 0.0  # monotonic time its next step may run
    deadline: float | None = None  # monotonic time it times out (PROCESSING only)
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
