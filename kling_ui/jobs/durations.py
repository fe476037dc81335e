"""How long Kling tasks take here: for the first query of a task and for estimates."""

from __future__ import annotations

import heapq
import statistics
from collections import deque
from collections.abc import Iterable, Sequence

from kling_ui.jobs.models import Job

RECENT = 20
FIRST_QUERY_MARGIN = 0.02  # the first query aims this share after the expected end...
MIN_MARGIN = 0.1  # ...and at least this many seconds after it
FOLLOW_UP_SHARE = 0.05  # follow-ups past the expected end: this share of it...
MIN_FOLLOW_UP = 0.25  # ...never more often than this
UNKNOWN_FOLLOW_UP_SHARE = 0.2  # before any task is known: follow-ups at this share of the poll


def kind_of(model: str, mode: str, duration: str) -> str:
    """The name tasks are grouped by for their durations: model, mode and video length."""
    return f"{model}/{mode}/{duration}"


class TaskDurations:
    """Recent durations (create to end) of successful tasks, per account and per kind of task
    (model/mode/duration); the account's own list answers for a kind not seen yet."""

    def __init__(self, default: float) -> None:
        self.default = default
        self._recent: dict[str, deque[float]] = {}

    def record(self, account: str, seconds: float, kind: str | None = None) -> None:
        """Add one task's duration."""
        for key in self._keys(account, kind):
            self._recent.setdefault(key, deque(maxlen=RECENT)).append(max(0.0, seconds))

    def load(self, done_jobs: Iterable[Job]) -> None:
        """Seed from finished jobs in the history (newest first), skipping reused ones."""
        for job in done_jobs:
            if job.reused_from or job.submitted_at is None or job.downloading_at is None:
                continue
            kind = kind_of(job.spec.model, job.spec.mode, job.spec.duration)
            for key in self._keys(job.account, kind):
                recent = self._recent.setdefault(key, deque(maxlen=RECENT))
                if len(recent) < RECENT:
                    recent.appendleft(job.downloading_at - job.submitted_at)

    def expected(self, account: str, kind: str | None = None) -> float | None:
        """When a task of this kind may end, in seconds after its create: the shortest
        recent one; None before any is known."""
        for key in reversed(self._keys(account, kind)):
            recent = self._recent.get(key)
            if recent:
                return min(recent)
        return None

    def first_query_delay(
        self, account: str, poll_interval: float, kind: str | None = None
    ) -> float:
        """Seconds from create to a task's first query: just after the expected end (no
        history: the poll interval)."""
        expected = self.expected(account, kind)
        if expected is None:
            return poll_interval
        return expected + max(MIN_MARGIN, FIRST_QUERY_MARGIN * expected)

    def next_query_delay(
        self, account: str, poll_interval: float, ran: float, kind: str | None = None
    ) -> float:
        """Seconds until the next query of a task still running after `ran` seconds: at its
        expected end if that is still ahead, short follow-ups once it is past, the poll
        interval without history."""
        expected = self.expected(account, kind)
        if expected is None:
            # The first tasks teach how long tasks take: watch them a little closer (one list
            # call covers every task of the account).
            return max(MIN_FOLLOW_UP, UNKNOWN_FOLLOW_UP_SHARE * poll_interval)
        if ran < expected:
            return expected - ran + max(MIN_MARGIN, FIRST_QUERY_MARGIN * expected)
        return min(poll_interval, max(MIN_FOLLOW_UP, FOLLOW_UP_SHARE * expected))

    def typical(self, account: str, kind: str | None = None) -> float:
        """The median recent duration, or the default before any is known."""
        for key in reversed(self._keys(account, kind)):
            recent = self._recent.get(key)
            if recent:
                return statistics.median(recent)
        return self.default

    @staticmethod
    def _keys(account: str, kind: str | None) -> list[str]:
        return [account] if kind is None else [account, f"{account}|{kind}"]


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
