"""Natural ordering of file names: slide2 before slide10, case ignored."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders runs of digits by value and the rest case-insensitively.

    The full name closes the key, so names that differ only in case or leading zeros still
    sort in one stable order.
    """
    parts = _DIGITS.split(name.casefold())
    key = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)
    return (*key, (2, 0, name))
