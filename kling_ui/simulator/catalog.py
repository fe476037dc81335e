"""What the simulated Kling knows about each model: last-frame combos, options, fps, price.

The simulator keeps its own copy of KLING_API.md's table (rather than importing the client's)
so that a mistake in the client's table shows up as a refusal in the contract tests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SimModel:
    """One model as the server sees it."""

    name: str
    tail_combos: frozenset[tuple[str, str]]
    fps: int
    cfg_scale: bool
    sound: bool
    tail_silent_only: bool = False


_PRO_BOTH = frozenset({("pro", "5"), ("pro", "10")})

MODELS: dict[str, SimModel] = {
    m.name: m
    for m in (
        SimModel("kling-v1", frozenset({("std", "5"), ("pro", "5")}), 30, True, False),
        SimModel("kling-v1-5", _PRO_BOTH, 30, True, False),
        SimModel("kling-v1-6", _PRO_BOTH, 30, True, False),
        SimModel("kling-v2-master", frozenset(), 24, False, False),
        SimModel("kling-v2-1", _PRO_BOTH, 24, False, False),
        SimModel("kling-v2-1-master", frozenset(), 24, False, False),
        SimModel("kling-v2-5-turbo", _PRO_BOTH, 24, False, False),
        SimModel("kling-v2-6", _PRO_BOTH, 24, False, True, tail_silent_only=True),
    )
}

DEFAULT_MODEL = "kling-v1"  # the API's own default when model_name is absent

_UNITS = {("std", "5"): 1.5, ("std", "10"): 3.0, ("pro", "5"): 2.5, ("pro", "10"): 5.0}
_UNITS_V1 = {("std", "5"): 1.0, ("std", "10"): 2.0, ("pro", "5"): 3.5, ("pro", "10"): 7.0}


def units(model: str, mode: str, duration: str) -> str:
    """The units a succeeded task deducts, as the string Kling reports (e.g. "2.5")."""
    table = _UNITS_V1 if model.startswith("kling-v1") else _UNITS
    return f"{table[(mode, duration)]:g}"


def output_height(mode: str, render_height: int | None) -> int:
    """The video height: `render_height` when set, else 720 for std and 1080 for pro."""
    if render_height is not None:
        return render_height
    return 1080 if mode == "pro" else 720
