"""The simulator's behaviour: keys, pace, account limit, fault rates and render size."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_ACCESS_KEY = "sim-access-key"
DEFAULT_SECRET_KEY = "sim-secret-key"

_RATE_FIELDS = ("fault_5xx", "fault_1302", "fault_drop", "fault_slow", "fail_rate")


@dataclass
class SimulatorConfig:
    """How the simulated Kling account behaves; mutable at runtime (see `apply`).

    `latency` is the wall time from create to a task's final status. The fault rates are the
    share of API requests answered with that fault, drawn per request; `fail_rate` is the
    share of tasks that end `failed`. `render_height` None renders 720 p for std and 1080 p
    for pro. `seed` makes every fault and failure draw repeatable.
    """

    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = DEFAULT_SECRET_KEY
    latency: float = 20.0
    concurrency: int = 3
    fault_5xx: float = 0.0
    fault_1302: float = 0.0
    fault_drop: float = 0.0
    fault_slow: float = 0.0
    slow_seconds: float = 3.0
    fail_rate: float = 0.0
    render_height: int | None = None
    seed: int | None = None

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise ValueError("; ".join(problems))

    def apply(self, changes: Mapping[str, Any]) -> None:
        """Change the named fields in place, all or none; ValueError names what is wrong."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        coerced = {name: _coerce(name, value) for name, value in changes.items()}
        candidate = dataclasses.replace(self, **coerced)  # runs __post_init__ checks
        for name in coerced:
            setattr(self, name, getattr(candidate, name))

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values, keys included (they are simulator keys)."""
        return dataclasses.asdict(self)

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.as_dict().items() if k not in ("access_key", "secret_key")}
        return f"SimulatorConfig({shown})"


def _coerce(name: str, value: Any) -> Any:
    """JSON values to the field's type: numbers for numeric fields, None where allowed."""
    if name in ("access_key", "secret_key"):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
        return value
    if name in ("render_height", "seed") and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if name in ("concurrency", "render_height", "seed"):
        if float(value) != int(value):
            raise ValueError(f"{name} must be a whole number")
        return int(value)
    return float(value)


def _problems(config: SimulatorConfig) -> list[str]:
    found = []
    for name in _RATE_FIELDS:
        if not 0.0 <= getattr(config, name) <= 1.0:
            found.append(f"{name} must be between 0 and 1")
    if config.latency < 0:
        found.append("latency must not be negative")
    if config.slow_seconds < 0:
        found.append("slow_seconds must not be negative")
    if config.concurrency < 1:
        found.append("concurrency must be at least 1")
    if config.render_height is not None and not 64 <= config.render_height <= 2160:
        found.append("render_height must be between 64 and 2160")
    if not config.access_key or not config.secret_key:
        found.append("access_key and secret_key must not be empty")
    return found
