"""The simulator's behaviour: keys, pace, account limit, fault rates, render size, and how
true to the real world its answers are (`realworld`, foreign tasks, unknown-id answers)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_ACCESS_KEY = "sim-access-key"
DEFAULT_SECRET_KEY = "sim-secret-key"
DEFAULT_API_KEY = "sim-api-key"

REALWORLD_ENV = "KLING_SIM_REALWORLD"
UNKNOWN_ID_ANSWERS = ("404", "400", "null")
HIDDEN_FIELDS = ("access_key", "secret_key", "api_key")
MAX_FOREIGN_TASKS = 10_000
MAX_FOREIGN_IN_FLIGHT = 1_000

_RATE_FIELDS = ("fault_5xx", "fault_1302", "fault_1303", "fault_drop", "fault_slow", "fail_rate")
_WHOLE_FIELDS = ("concurrency", "render_height", "seed", "foreign_tasks", "foreign_in_flight")
_NULLABLE_FIELDS = ("render_height", "seed", "unknown_id_answer")
_TRUE_WORDS = ("1", "true", "yes", "on")
_FALSE_WORDS = ("", "0", "false", "no", "off")


@dataclass
class SimulatorConfig:
    """How the simulated Kling account behaves; mutable at runtime (see `apply`).

    `latency` is the wall time from create to a task's final status. The fault rates are the
    share of API requests answered with that fault, drawn per request; `fail_rate` is the
    share of tasks that end `failed`. `render_height` None renders 720 p for std and 1080 p
    for pro. `seed` makes every fault, failure and list order draw repeatable.

    `realworld` makes every answer take the shapes the docs allow (nulls, integer task ids,
    an unknown early status, unknown fields, an unordered list, a terse duplicate refusal).
    `foreign_tasks` finished tasks of other apps share the account and its list;
    `foreign_in_flight` of them are running now and hold the account's slots for `latency`.
    `unknown_id_answer` picks the answer to an unknown id in the path form: "404" (404/1203),
    "400" (400/1201) or "null" (200, data null); None means "400" in realworld, else "404".
    `api_key` is accepted as a bearer value as it is, beside JWTs signed with the key pair.
    """

    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = DEFAULT_SECRET_KEY
    api_key: str = DEFAULT_API_KEY
    latency: float = 20.0
    concurrency: int = 3
    fault_5xx: float = 0.0
    fault_1302: float = 0.0
    fault_1303: float = 0.0  # share of creates refused 429/1303 whatever the account holds
    fault_drop: float = 0.0
    fault_slow: float = 0.0
    slow_seconds: float = 3.0
    fail_rate: float = 0.0
    render_height: int | None = None
    seed: int | None = None
    realworld: bool = False
    foreign_tasks: int = 0
    foreign_in_flight: int = 0
    unknown_id_answer: str | None = None

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

    @property
    def unknown_id_mode(self) -> str:
        """The answer to an unknown id in effect: `unknown_id_answer`, else the mode's own."""
        if self.unknown_id_answer is not None:
            return self.unknown_id_answer
        return "400" if self.realworld else "404"

    def as_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready values, keys included (they are simulator keys)."""
        return dataclasses.asdict(self)

    def public_dict(self) -> dict[str, Any]:
        """The settings without the keys, as the debug endpoint and repr show them."""
        return {k: v for k, v in self.as_dict().items() if k not in HIDDEN_FIELDS}

    def __repr__(self) -> str:
        return f"SimulatorConfig({self.public_dict()})"


def realworld_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Whether KLING_SIM_REALWORLD asks for realworld mode ("1", "true", "yes", "on")."""
    raw = (os.environ if environ is None else environ).get(REALWORLD_ENV, "")
    return raw.strip().lower() in _TRUE_WORDS


def _coerce(name: str, value: Any) -> Any:
    """JSON values to the field's type: numbers for numeric fields, None where allowed."""
    if name in HIDDEN_FIELDS:
        if not isinstance(value, str) or not value:
            raise ValueError(f"{name} must be a non-empty string")
        return value
    if name == "realworld":
        return _coerce_flag(value)
    if name in _NULLABLE_FIELDS and value is None:
        return None
    if name == "unknown_id_answer":
        text = str(value).strip().lower() if isinstance(value, str | int) else None
        if isinstance(value, bool) or text not in UNKNOWN_ID_ANSWERS:
            raise ValueError(f"unknown_id_answer must be one of {', '.join(UNKNOWN_ID_ANSWERS)}")
        return text
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    if name in _WHOLE_FIELDS:
        if float(value) != int(value):
            raise ValueError(f"{name} must be a whole number")
        return int(value)
    return float(value)


def _coerce_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE_WORDS + _FALSE_WORDS:
        return value.strip().lower() in _TRUE_WORDS
    raise ValueError("realworld must be true or false")


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
    if not config.api_key:
        found.append("api_key must not be empty")
    if not isinstance(config.realworld, bool):
        found.append("realworld must be true or false")
    if not 0 <= config.foreign_tasks <= MAX_FOREIGN_TASKS:
        found.append(f"foreign_tasks must be between 0 and {MAX_FOREIGN_TASKS}")
    if not 0 <= config.foreign_in_flight <= MAX_FOREIGN_IN_FLIGHT:
        found.append(f"foreign_in_flight must be between 0 and {MAX_FOREIGN_IN_FLIGHT}")
    if config.unknown_id_answer not in (None, *UNKNOWN_ID_ANSWERS):
        found.append(f"unknown_id_answer must be one of {', '.join(UNKNOWN_ID_ANSWERS)}")
    return found
