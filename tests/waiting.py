"""Waiting on a state in tests: poll a predicate until it holds, with a generous ceiling that
only a broken run reaches (tests never assert on speed). The reliability helpers keep their
own copy: benchmark scripts import them outside pytest, where this folder is not on the path."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

POLL_SECONDS = 0.02


def wait_until(predicate: Callable[[], bool], timeout: float, what: str = "condition") -> None:
    """Return once `predicate()` holds; fail the test naming `what` if it never does within
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not reached within {timeout:.0f} s")
        time.sleep(POLL_SECONDS)
