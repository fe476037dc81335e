"""Handing a frame pair to the engine: prepare the frames, store them, submit the job.

Shared by the Studio's Generate, the prompt lab's variants and the named API endpoint, so
every door prepares frames and builds a `JobSpec` the same way. It only queues work and
returns at once: the engine's threads do the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kling_ui.frames import PreparedPair, prepare_pair
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine, SubmitResult
from kling_ui.jobs.models import JobSpec
from kling_ui.ui.texts import text


@dataclass(frozen=True)
class StoredPair:
    """Prepared frames saved in the engine's data folder, and the preparation report."""

    first: Path
    last: Path | None
    prepared: PreparedPair


def store_pair(
    engine: JobEngine, first: str | Path, last: str | Path | None, fit: str
) -> StoredPair:
    """Prepare both frames for Kling (FrameError on refusal) and save them for the engine."""
    pair = prepare_pair(first, last, fit=fit or "fit")
    first_path = engine.save_frame(pair.first.data, _suffix(pair.first.format))
    last_path = (
        None if pair.last is None else engine.save_frame(pair.last.data, _suffix(pair.last.format))
    )
    return StoredPair(first_path, last_path, pair)


def _suffix(frame_format: str) -> str:
    return "png" if frame_format.upper() == "PNG" else "jpg"


@dataclass(frozen=True)
class JobRequest:
    """What a person asked for, in the terms of the page (before validation)."""

    prompt: str
    negative_prompt: str
    model: str
    mode: str
    duration: str
    submitter: str
    prompt_parts: Mapping[str, str] = field(default_factory=dict)
    new_take: bool = False
    kind: str = "single"
    lab_group: str | None = None
    label: str | None = None


def submit(
    engine: JobEngine,
    frames: StoredPair,
    request: JobRequest,
    credentials: Credentials | None,
) -> SubmitResult:
    """Queue one job for `frames`; UserError for anything the rules forbid."""
    try:
        spec = JobSpec(
            first_frame=frames.first,
            last_frame=frames.last,
            prompt=request.prompt.strip(),
            negative_prompt=request.negative_prompt.strip(),
            prompt_parts=dict(request.prompt_parts),
            model=request.model,
            mode=request.mode,  # type: ignore[arg-type]
            duration=str(request.duration),  # type: ignore[arg-type]
            submitter=request.submitter,
            kind=request.kind,  # type: ignore[arg-type]
            lab_group=request.lab_group,
            label=request.label,
            new_take=bool(request.new_take),
        )
    except ValidationError as exc:
        raise invalid_request(exc) from None
    return engine.submit(spec, credentials=credentials)


def invalid_request(exc: ValidationError) -> UserError:
    """A request whose fields do not validate, naming the fields (never their values)."""
    names = ", ".join(sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})) or "?"
    return UserError(
        "request.invalid",
        Text(f"These settings are not valid: {names}.", f"以下参数无效：{names}。"),
        remedy=Text(
            'Use mode "std" or "pro" and duration "5" or "10".',
            "模式请用 std 或 pro，时长请用 5 或 10。",
        ),
    )


def no_first_frame() -> UserError:
    """Generate was asked for without a first frame."""
    return UserError(
        "frame.missing_first", text("no_first_frame"), remedy=text("no_first_frame_remedy")
    )
