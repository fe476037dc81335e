"""SlotPool: how many Kling tasks one account may have in flight from this process.

A slot is taken when a create request is about to leave and given back when the task is
seen finished (or the create was refused). The account's limit is shared with every other
user of the same keys, so a 1303 ("over the concurrency limit") lowers this pool's ceiling
to what is in flight here: the next job starts when one of ours frees a slot. While the
ceiling is lowered, it is raised by one slot at a time after a back-off (doubling on each
further 1303, reset by a successful create) to find out whether the others are done.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class SlotPool:
    """The slots of one account. Not thread-safe by itself: the engine holds its lock."""

    def __init__(
        self,
        limit: int,
        *,
        backoff_initial: float = 2.0,
        backoff_max: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.ceiling = limit
        self.in_flight = 0
        self._clock = clock
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._backoff = backoff_initial
        self._probe_at = 0.0

    def available(self) -> bool:
        """True when a create may start now. Raises a lowered ceiling by one once its
        back-off has passed and every slot under it is taken."""
        now = self._clock()
        if self.ceiling < self.limit and self.in_flight >= self.ceiling and now >= self._probe_at:
            self.ceiling += 1
            self._probe_at = now + self._backoff
        return self.in_flight < self.ceiling

    def acquire(self) -> None:
        """Take a slot for a create that is about to leave (or a task resumed in flight)."""
        self.in_flight += 1

    def release(self) -> None:
        """Give a slot back: its task was seen finished, or its create was refused."""
        self.in_flight = max(0, self.in_flight - 1)

    def created(self) -> None:
        """A create succeeded: the account had room, so a lowered ceiling may rise at once."""
        self._backoff = self._backoff_initial
        if self.ceiling < self.limit:
            self._probe_at = self._clock()

    def busy(self, retry_after: float | None = None) -> None:
        """A create came back 1303: give its slot back and lower the ceiling to what is in
        flight here until one of ours finishes or the back-off passes."""
        self.release()
        self.ceiling = self.in_flight
        self._probe_at = self._clock() + max(self._backoff, retry_after or 0.0)
        self._backoff = min(self._backoff_max, self._backoff * 2)

    def next_change(self) -> float | None:
        """When (on the pool's clock) a lowered ceiling may next rise; None when not lowered."""
        return self._probe_at if self.ceiling < self.limit else None
