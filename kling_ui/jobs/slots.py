"""SlotPool: how many Kling tasks one account may have in flight from this process.

A slot is taken when a create request is about to leave and given back when the task is
seen finished (or the create was refused). The account's limit is shared with every other
user of the same keys, so a 1303 ("over the concurrency limit") does three things:
- the refused job waits a short jittered back-off before it is sent again (`busy` returns
  it), starting at about 1 s (Kling advises exponential back-off of at least 1 s) and growing by
  half on each further 1303, whatever the poll interval;
- the ceiling drops to what is in flight here, never below 1, and after each back-off rises by
  one to probe;
- no other create leaves either until the back-off passes or Kling shows there is room: an
  accepted create (the back-off resets and the ceiling climbs by one at once) or one of our
  tasks ending (its freed slot gives exactly one create). So a busy account gets no storm, and
  a slot Kling has room for never idles while a refused job waits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

BUSY_BACKOFF = 1.0
BUSY_BACKOFF_GROWTH = 1.5  # gentle: a busy account refuses at random, not only when full
BUSY_BACKOFF_MAX = 30.0


class SlotPool:
    """The slots of one account. Not thread-safe by itself: the engine holds its lock."""

    def __init__(
        self,
        limit: int,
        *,
        backoff_initial: float = BUSY_BACKOFF,
        backoff_max: float = BUSY_BACKOFF_MAX,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.ceiling = limit
        self.in_flight = 0
        self._clock = clock
        self._jitter = jitter
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._backoff = backoff_initial
        self._hold_until = 0.0
        self._probe_at = 0.0

    def available(self) -> bool:
        """True when a create may start now. After a back-off, a lowered ceiling whose slots
        are all taken rises by one (one probe per back-off)."""
        now = self._clock()
        if now < self._hold_until:
            return False
        if self.ceiling < self.limit and self.in_flight >= self.ceiling and now >= self._probe_at:
            self.ceiling += 1
            self._probe_at = now + self._backoff
        return self.in_flight < self.ceiling

    def acquire(self) -> None:
        """Take a slot for a create that is about to leave (or a task resumed in flight)."""
        self.in_flight += 1

    def release(self) -> None:
        """Give a slot back: its task was seen finished. The freed slot gives one create at
        once; while the ceiling is lowered it is itself the next probe: the timed probe waits."""
        self.in_flight = max(0, self.in_flight - 1)
        self._hold_until = 0.0
        if self.ceiling < self.limit:
            self._probe_at = max(self._probe_at, self._clock() + self._backoff)

    def created(self) -> None:
        """A create was accepted: the account had room, so the back-off resets and a lowered
        ceiling climbs by one at once."""
        self._backoff = self._backoff_initial
        self._hold_until = 0.0
        if self.ceiling < self.limit:
            self.ceiling += 1

    def busy(self, retry_after: float | None = None) -> float:
        """A create came back 1303: give its slot back, lower the ceiling to what is in flight
        here (at least 1), and hold creates for a jittered back-off; returns that back-off
        (the refused job waits it in any case)."""
        self.in_flight = max(0, self.in_flight - 1)
        self.ceiling = max(1, min(self.ceiling, self.in_flight))
        wait = max(self._backoff * (1.0 + 0.25 * self._jitter()), retry_after or 0.0)
        now = self._clock()
        self._hold_until = now + wait
        self._probe_at = now + wait
        self._backoff = min(self._backoff_max, self._backoff * BUSY_BACKOFF_GROWTH)
        return wait

    def next_change(self) -> float | None:
        """When (on the pool's clock) a create held back may next start; None when nothing
        is held back."""
        now = self._clock()
        if now < self._hold_until:
            return self._hold_until
        return self._probe_at if self.ceiling < self.limit else None
