"""The Studio's draft: the frames and prompt choices a browser is working on, kept across a
page reload, and the frames already prepared for Generate.

The page keeps two small records in the browser's storage (`gr.BrowserState`): the frames
(the uploaded files and their prepared copies) and the prompt builder's choices with the
settings. Both come back from the browser, so nothing in them is trusted: a frame is given
back only when it is a file under one of the folders the Studio serves frames from, and a
preset only when the person's menus still offer it.

`PreparedFrames` remembers, per process, the frames prepared when they were uploaded, so
Generate hands the job to the engine at once instead of preparing them a second time.
Pure helpers, no Gradio.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kling_ui.kling.capabilities import MODELS
from kling_ui.ui.prompting import PART_FIELDS, PromptChoice

FRAME_KEYS = ("first", "last")
FIT_VALUES = ("fit", "cover", "stretch")
PROMPT_LANG_VALUES = ("en", "zh-CN")
MODES = ("std", "pro")
DURATIONS = ("5", "10")
MAX_TEXT = 5000  # longer stored words are not given back (the prompt limit is 2500)
REMEMBERED_PAIRS = 64

T = TypeVar("T")


# ---- frames -----------------------------------------------------------------------------


def frames_record(
    first: str | None,
    last: str | None,
    *,
    fit: str,
    prepared: tuple[Path, Path | None] | None,
) -> dict[str, Any]:
    """What the browser keeps of its frames: each upload's path and, once prepared, the
    prepared copy's path (given back when the upload itself is gone)."""
    first_ready, last_ready = prepared if prepared is not None else (None, None)
    return {
        "first": first or None,
        "last": last or None,
        "first_ready": str(first_ready) if first_ready else None,
        "last_ready": str(last_ready) if last_ready else None,
        "fit": fit if fit in FIT_VALUES else "fit",
    }


def restored_frame(record: Any, key: str, roots: Sequence[Path]) -> str | None:
    """The file to put back as the `key` frame ("first" or "last"): the upload when it is
    still there, else its prepared copy; only a file under one of `roots`. None otherwise."""
    if key not in FRAME_KEYS or not isinstance(record, Mapping):
        return None
    for name in (key, f"{key}_ready"):
        found = _file_under(record.get(name), roots)
        if found is not None:
            return found
    return None


def _file_under(value: Any, roots: Sequence[Path]) -> str | None:
    if not isinstance(value, str) or not value or len(value) > 1000:
        return None
    try:
        path = Path(value).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    for root in roots:
        try:
            inside = path.is_relative_to(root.resolve())
        except (OSError, RuntimeError):
            continue
        if inside and path.is_file():
            return str(path)
    return None


# ---- prompt builder and settings ----------------------------------------------------------


@dataclass(frozen=True)
class PromptDraft:
    """The prompt builder's choices and the settings, as restored from the browser."""

    choice: PromptChoice
    negative: str | None = None
    model: str | None = None
    mode: str | None = None
    duration: str | None = None
    fit: str | None = None
    unknown: tuple[str, ...] = field(default_factory=tuple)  # presets no longer offered


def prompt_record(
    choice: PromptChoice,
    *,
    negative: str,
    model: str,
    mode: str,
    duration: str,
    fit: str,
) -> dict[str, Any]:
    """What the browser keeps of the prompt builder and the settings."""
    return {
        "choice": choice.record(),
        "negative": negative or "",
        "model": model,
        "mode": mode,
        "duration": duration,
        "fit": fit,
    }


def restored_prompt(
    record: Any, offered: Callable[[str, str], bool], lang_fallback: str
) -> PromptDraft | None:
    """The draft in `record` (None when there is none), keeping only what can be shown:
    presets and templates `offered(part, id)` says the menus have, known models, modes,
    durations and fits, and words of a sane length."""
    if not isinstance(record, Mapping) or not isinstance(record.get("choice"), Mapping):
        return None
    stored = {str(k): v for k, v in record["choice"].items() if isinstance(v, str)}
    lang = stored.get("lang") if stored.get("lang") in PROMPT_LANG_VALUES else lang_fallback
    unknown: list[str] = []
    template = _short(stored.get("template"))
    if template and not offered("template", template):
        unknown.append(template)
        template = ""
    presets: dict[str, str] = {}
    for name in PART_FIELDS:
        value = _short(stored.get(name))
        if value and not offered(name, value):
            unknown.append(value)
            value = ""
        presets[name] = value
    free = {name: _short(stored.get(f"{name}_free")) for name in PART_FIELDS}
    choice = PromptChoice(
        template=template or None,
        presets=presets,
        free=free,
        extra=_short(stored.get("extra")),
        lang=lang or "en",
    )
    negative = record.get("negative")
    return PromptDraft(
        choice=choice,
        negative=_short(negative) if isinstance(negative, str) else None,
        model=_one_of(record.get("model"), MODELS),
        mode=_one_of(record.get("mode"), MODES),
        duration=_one_of(record.get("duration"), DURATIONS),
        fit=_one_of(record.get("fit"), FIT_VALUES),
        unknown=tuple(unknown),
    )


def _short(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= MAX_TEXT else ""


def _one_of(value: Any, allowed: Iterable[str]) -> str | None:
    return value if isinstance(value, str) and value in set(allowed) else None


# ---- frames prepared at upload ------------------------------------------------------------


class PreparedFrames:
    """The frames prepared per (first upload, last upload, fit), newest `capacity` kept, so
    Generate reuses what the upload already prepared (each still checked to be on disk)."""

    def __init__(self, capacity: int = REMEMBERED_PAIRS) -> None:
        self._pairs: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity

    @staticmethod
    def key(first: str | None, last: str | None, fit: str | None) -> tuple[str, str, str]:
        """The lookup key for these uploads and fit."""
        return (first or "", last or "", fit or "fit")

    def put(self, key: tuple[str, str, str], pair: T) -> T:
        """Remember `pair` (a `submitting.StoredPair`) for `key`; returns it."""
        with self._lock:
            self._pairs.pop(key, None)
            self._pairs[key] = pair
            while len(self._pairs) > self._capacity:
                self._pairs.popitem(last=False)
        return pair

    def get(self, key: tuple[str, str, str]) -> Any:
        """The pair remembered for `key` whose prepared files are all still there, or None."""
        with self._lock:
            pair = self._pairs.get(key)
        if pair is None:
            return None
        files = [pair.first, *([pair.last] if pair.last is not None else [])]
        if not all(Path(f).is_file() for f in files):
            with self._lock:
                self._pairs.pop(key, None)
            return None
        return pair

    def get_or_put(self, key: tuple[str, str, str], make: Callable[[], T]) -> T:
        """The pair remembered for `key` (`get`), else the one `make()` prepares, kept."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())
