"""Fault injection: which request gets a 5xx, a 1302, a dropped connection or a late answer,
which task fails, and when the whole API is unreachable. Draws are per request, repeatable
when the config has a seed."""

from __future__ import annotations

import contextvars
import json
import logging
import math
import random
import threading
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from kling_ui.simulator.config import SimulatorConfig
from kling_ui.simulator.envelope import OVER_LIMIT_MESSAGE, ApiError

SERVER_ERROR, TOO_FAST, DROP, SLOW = "5xx", "1302", "drop", "slow"

_SERVER_ERRORS = (
    (500, 5000, "Internal server error"),
    (503, 5001, "Service temporarily unavailable, under maintenance"),
    (504, 5002, "Server internal timeout"),
)
FAILURE_MESSAGES = (
    "Image pixel is invalid",
    "Failure to pass the risk control system",
    "Task generation failed, please try again later",
)
_FAILURE_MESSAGES = FAILURE_MESSAGES  # the older private name, kept for its importers

# Set while answering a deliberately dropped request, so uvicorn's complaint about the
# unfinished response is not logged as an error (the drop is the point).
_dropping: contextvars.ContextVar[bool] = contextvars.ContextVar("sim_dropping", default=False)


class FaultInjector:
    """Draws faults and failures from the config's rates; thread-safe."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._unreachable_until: float | None = None
        self.reseed()

    def reseed(self) -> None:
        """Restart the draws from the config's seed (fresh randomness when it is None)."""
        with self._lock:
            self._faults = random.Random(self.config.seed)
            self._failures = random.Random(
                None if self.config.seed is None else self.config.seed + 1
            )

    def draw(self) -> str | None:
        """The fault for one API request, or None. One draw picks among the kinds by rate."""
        c = self.config
        with self._lock:
            roll = self._faults.random()
        threshold = 0.0
        for kind, rate in (
            (SERVER_ERROR, c.fault_5xx),
            (TOO_FAST, c.fault_1302),
            (DROP, c.fault_drop),
            (SLOW, c.fault_slow),
        ):
            threshold += rate
            if roll < threshold:
                return kind
        return None

    def server_error(self) -> ApiError:
        """One of 500/5000, 503/5001, 504/5002."""
        with self._lock:
            status, code, message = self._faults.choice(_SERVER_ERRORS)
        return ApiError(status, code, message)

    def busy_account(self) -> ApiError | None:
        """429 / 1303 for a create, drawn by fault_1303 (a busy account refuses creates
        whatever they carry); None for most creates."""
        if self.config.fault_1303 <= 0:
            return None
        with self._lock:
            refused = self._faults.random() < self.config.fault_1303
        return ApiError(429, 1303, OVER_LIMIT_MESSAGE) if refused else None

    @staticmethod
    def too_fast() -> ApiError:
        """429 / 1302."""
        return ApiError(429, 1302, "The API request is too fast, please slow down")

    def failure_message(self) -> str | None:
        """The reason a new task will fail, drawn by fail_rate; None if it will succeed."""
        with self._lock:
            if self._failures.random() >= self.config.fail_rate:
                return None
            return self._failures.choice(FAILURE_MESSAGES)

    def set_unreachable(self, until: float | None) -> None:
        """Drop every API request until the Unix time `until` (math.inf: until turned off);
        None ends the unreachable phase now."""
        with self._lock:
            self._unreachable_until = until

    def unreachable(self, now: float) -> bool:
        """Whether the API is unreachable at `now` (an expired phase is forgotten)."""
        with self._lock:
            until = self._unreachable_until
            if until is not None and now >= until:
                self._unreachable_until = until = None
            return until is not None

    def unreachable_state(self, now: float) -> dict[str, Any]:
        """`{unreachable, seconds_left}`; seconds_left is None when off or until turned off."""
        on = self.unreachable(now)
        with self._lock:
            until = self._unreachable_until
        left = None if not on or until is None or math.isinf(until) else round(until - now, 3)
        return {"unreachable": on, "seconds_left": left}


class DroppedResponse(Response):
    """A response that announces its body and closes the connection without sending it.

    The client sees a transport error (httpx.RemoteProtocolError), never a complete answer,
    while everything the request asked for has already happened.
    """

    def __init__(self, content: Any = None) -> None:
        super().__init__(json.dumps(content), media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _dropping.set(True)
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        # Returning now leaves the response incomplete; uvicorn closes the connection.


class _DropNoiseFilter(logging.Filter):
    """Hides uvicorn's "returned without completing response" line for deliberate drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropping.get()


_filter_installed = threading.Lock()


def install_drop_log_filter() -> None:
    """Attach the filter to uvicorn's error logger once per process."""
    with _filter_installed:
        logger = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _DropNoiseFilter) for f in logger.filters):
            logger.addFilter(_DropNoiseFilter())
