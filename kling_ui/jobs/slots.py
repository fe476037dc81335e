"""SlotPool: how many Kling tasks one account may have in flight from this process.

A slot is taken when a create request is about to leave and given back when the task is
seen finished (or the create was refused). The account's limit is shared with every other
user of the same keys, so a 1303 ("over the concurrency limit") does three things:
- the refused job waits a short jittered back-off before it is sent again (`busy` returns
  it), starting at about 1 s (Kling advises exponential back-off of at least 1 s) and growing by
  half on each further 1303, whatever the poll interval;
- the ceiling drops to what is in flight here, never below 1, so nothing else leaves while
  the back-off runs, unless Kling shows there is room: an accepted create (the back-off resets)
  or one of our tasks ending (its freed slot gives one create);
- once the back-off has passed, the ceiling climbs back to the limit: each free slot may probe
  once, and if those are refused too, the next (longer) back-off starts.
So a busy account gets at most one probe per free slot per back-off, never a storm, and a slot
Kling has room for never idles while a refused job waits.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

BUSY_BACKOFF = 1.0
BUSY_BACKOFF_GROWTH = 1.5  # gentle: a busy account refuses at random, not only when full
BUSY_BACKOFF_MAX = 30.0
BUSY_JITTER = 0.1  # up to this share on top, so clients refused together do not retry together


class SlotPool:
    """The slots of one account. Not thread-safe by itself: the engine holds its lock.

    `ceiling` is how many tasks may be in flight here (the limit, or what was in flight when
    Kling last refused, never below 1); while a back-off runs, creates are held to what was
    in flight at the refusal, plus one per task of ours that ended since.
    """

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
        self._held_to: int | None = None  # creates allowed in flight while a back-off runs

    def available(self) -> bool:
        """True when a create may start now; once a back-off has passed the ceiling climbs
        back to the limit and each free slot may probe."""
        if self._held_to is not None:
            if self._clock() < self._hold_until:
                return self.in_flight < self._held_to
            self._held_to, self.ceiling = None, self.limit
        return self.in_flight < self.ceiling

    def acquire(self) -> None:
        """Take a slot for a create that is about to leave (or a task resumed in flight)."""
        self.in_flight += 1

    def release(self) -> None:
        """Give a slot back: its task was seen finished. The freed slot gives one create at
        once, even while a back-off runs."""
        self.in_flight = max(0, self.in_flight - 1)

    def created(self) -> None:
        """A create was accepted: the account had room, so the back-off resets and the ceiling
        climbs back to the limit at once."""
        self._backoff = self._backoff_initial
        self._held_to, self.ceiling = None, self.limit

    def busy(self, retry_after: float | None = None) -> float:
        """A create came back 1303: give its slot back, hold creates to what is in flight here
        until a jittered back-off passes, and lower the ceiling to that (never below 1);
        returns the back-off (the refused job waits it in any case)."""
        self.in_flight = max(0, self.in_flight - 1)
        held = self.in_flight if self._held_to is None else min(self._held_to, self.in_flight)
        self._held_to = held
        self.ceiling = max(1, min(self.ceiling, held))
        now = self._clock()
        if now < self._hold_until and not retry_after:
            # Refused in the same burst as the back-off already running: it waits that out,
            # and the next back-off is not made longer for it.
            return self._hold_until - now
        wait = max(self._backoff * (1.0 + BUSY_JITTER * self._jitter()), retry_after or 0.0)
        self._hold_until = max(self._hold_until, now + wait)
        self._backoff = min(self._backoff_max, self._backoff * BUSY_BACKOFF_GROWTH)
        return wait

    def next_change(self) -> float | None:
        """When (on the pool's clock) a back-off ends; None when none runs."""
        return self._hold_until if self._held_to is not None else None
