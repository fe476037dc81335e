"""How long Kling tasks take here: for the first query of a task and for estimates."""

from __future__ import annotations

import heapq
import statistics
from collections import deque
from collections.abc import Iterable, Sequence

from kling_ui.jobs.models import Job

RECENT = 20
FIRST_QUERY_SHARE = 0.8  # the first query of a task waits for this share of the shortest one


class TaskDurations:
    """Recent durations (submit to seen finished) of successful tasks, per account."""

    def __init__(self, default: float) -> None:
        self.default = default
        self._recent: dict[str, deque[float]] = {}

    def record(self, account: str, seconds: float) -> None:
        """Add one task's duration."""
        self._recent.setdefault(account, deque(maxlen=RECENT)).append(max(0.0, seconds))

    def load(self, done_jobs: Iterable[Job]) -> None:
        """Seed from finished jobs in the history (newest first), skipping reused ones."""
        for job in done_jobs:
            if job.reused_from or job.submitted_at is None or job.downloading_at is None:
                continue
            recent = self._recent.setdefault(job.account, deque(maxlen=RECENT))
            if len(recent) < RECENT:
                recent.appendleft(job.downloading_at - job.submitted_at)

    def first_query_delay(self, account: str, poll_interval: float) -> float:
        """Seconds from create to a task's first query: most of the shortest recent task,
        never less than the poll interval (no history: the poll interval)."""
        recent = self._recent.get(account)
        if not recent:
            return poll_interval
        return max(poll_interval, FIRST_QUERY_SHARE * min(recent))

    def typical(self, account: str) -> float:
        """The median recent duration, or the default before any is known."""
        recent = self._recent.get(account)
        return statistics.median(recent) if recent else self.default


def queued_finish(
    remaining: Sequence[float], slots: int, order: Sequence[str], job_id: str, typical: float
) -> float:
    """Seconds until a queued job's task would end: the tasks in flight end after
    `remaining` seconds, `slots` run at once, and the line in `order` is served as slots
    free, every task taking `typical` seconds."""
    ends = list(remaining) + [0.0] * max(0, slots - len(remaining))
    heapq.heapify(ends)
    if not ends:
        ends = [0.0]
    for queued in order:
        start = heapq.heappop(ends)
        if queued == job_id:
            return start + typical
        heapq.heappush(ends, start + typical)
    return typical
