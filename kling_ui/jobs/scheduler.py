"""FairQueue: the line of queued jobs of one account, served round-robin between submitters.

Each submitter has its own first-in-first-out line. The next job comes from the submitter
served longest ago (one never served goes first; ties go to the earliest queued job), so a
30-slide deck and a teammate's single transition take turns instead of queueing end to end.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

NEVER = -1  # the turn number of a submitter never served


@dataclass(frozen=True, slots=True)
class Ticket:
    """A job taken from the line, with what is needed to put it back as if never taken."""

    submitter: str
    job_id: str
    arrival: int
    previous_turn: int


class FairQueue:
    """Job ids per submitter; `pop` serves submitters in turn. Not thread-safe by itself."""

    def __init__(self) -> None:
        self._lines: dict[str, deque[tuple[int, str]]] = {}
        self._last_turn: dict[str, int] = {}
        self._arrivals = itertools.count()
        self._turns = itertools.count()
        self._where: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._where

    def push(self, submitter: str, job_id: str) -> None:
        """Put a job at the back of its submitter's line."""
        if job_id in self._where:
            return
        self._lines.setdefault(submitter, deque()).append((next(self._arrivals), job_id))
        self._where[job_id] = submitter

    def pop(self, ready: Callable[[str], bool] | None = None) -> Ticket | None:
        """Take the next job in fair order, or None when the line is empty. With `ready`,
        jobs it says are not ready yet (a refused create waiting its back-off) are passed
        over: the submitters' first ready job, in turn."""
        order = sorted(
            self._lines, key=lambda s: (self._last_turn.get(s, NEVER), self._lines[s][0][0])
        )
        for submitter in order:
            line = self._lines[submitter]
            entry = next((e for e in line if ready is None or ready(e[1])), None)
            if entry is not None:
                break
        else:
            return None
        arrival, job_id = entry
        line.remove(entry)
        if not line:
            del self._lines[submitter]
        del self._where[job_id]
        previous = self._last_turn.get(submitter, NEVER)
        self._last_turn[submitter] = next(self._turns)
        return Ticket(submitter, job_id, arrival, previous)

    def requeue(self, ticket: Ticket) -> None:
        """Put a taken job back at the front of its submitter's line and give the submitter
        its turn back (used when Kling answered 1303 and nothing was created)."""
        line = self._lines.setdefault(ticket.submitter, deque())
        line.appendleft((ticket.arrival, ticket.job_id))
        self._where[ticket.job_id] = ticket.submitter
        self._last_turn[ticket.submitter] = min(
            self._last_turn.get(ticket.submitter, NEVER), ticket.previous_turn
        )

    def remove(self, job_id: str) -> bool:
        """Take a job out of the line (it was cancelled); False if it was not queued."""
        submitter = self._where.pop(job_id, None)
        if submitter is None:
            return False
        line = self._lines[submitter]
        for entry in line:
            if entry[1] == job_id:
                line.remove(entry)
                break
        if not line:
            del self._lines[submitter]
        return True

    def order(self) -> list[str]:
        """Every queued job id in the order `pop` would hand them out from now on."""
        lines = {s: deque(line) for s, line in self._lines.items()}
        last_turn = dict(self._last_turn)
        turns = itertools.count(10**15)
        out: list[str] = []
        while (submitter := self._next_submitter(lines, last_turn)) is not None:
            out.append(lines[submitter].popleft()[1])
            if not lines[submitter]:
                del lines[submitter]
            last_turn[submitter] = next(turns)
        return out

    @staticmethod
    def _next_submitter(
        lines: dict[str, deque[tuple[int, str]]], last_turn: dict[str, int]
    ) -> str | None:
        if not lines:
            return None
        return min(lines, key=lambda s: (last_turn.get(s, NEVER), lines[s][0][0]))
