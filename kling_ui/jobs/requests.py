"""The one door for every job: frames prepared and saved, a JobSpec, then the engine.

Every door submits through here: the Studio's Generate, the prompt lab's variants, the named
API endpoint (and the MCP tool on it), the command line's `generate` and the deck runner
(`deck` on the command line, the Deck tab). The steps are always the same:

    store_pair(engine, first, last, fit=..., target=...)   # prepare_pair, then save both
    submit(engine, frames, JobRequest(...), credentials)   # JobSpec, then engine.submit

`store_frames` saves a pair prepared earlier (the command line prepares before it starts the
engine, so a bad file is refused before anything runs). One set of stored frames may serve
several requests (the prompt lab's variants). Frames are saved under their sha256 with one
suffix rule (`frame_suffix`). The engine checks the rest: capabilities, the owner's cap
(`KLING_UI_MAX_QUEUED`) and reuse of an identical job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kling_ui.frames import FrameSource, PreparedFrame, PreparedPair, prepare_pair
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine, SubmitResult
from kling_ui.jobs.models import Job, JobSpec

__all__ = [
    "JobRequest",
    "StoredPair",
    "Submitted",
    "frame_suffix",
    "store_frames",
    "store_pair",
    "submit",
]


def frame_suffix(frame: PreparedFrame) -> str:
    """The file suffix a prepared frame is saved with: "png" for PNG, "jpg" for JPEG."""
    return "png" if frame.format.upper() == "PNG" else "jpg"


@dataclass(frozen=True)
class StoredPair:
    """Prepared frames saved in the engine's data folder, and what preparation did to them."""

    first: Path
    last: Path | None
    prepared: PreparedPair

    def report_text(self, lang: str | None = None) -> str:
        """What frame preparation changed (resized, padded, re-encoded...), one line each."""
        return self.prepared.report_text(lang)


def store_frames(engine: JobEngine, pair: PreparedPair) -> StoredPair:
    """Save a prepared pair in the engine's frame folder (named by content, written once)."""
    first = engine.save_frame(pair.first.data, frame_suffix(pair.first))
    last = None if pair.last is None else engine.save_frame(pair.last.data, frame_suffix(pair.last))
    return StoredPair(first, last, pair)


def store_pair(
    engine: JobEngine,
    first: FrameSource,
    last: FrameSource | None,
    fit: str = "fit",
    *,
    target: tuple[int, int] | None = None,
) -> StoredPair:
    """Prepare both frames for Kling (FrameError, a UserError, on refusal) and save them."""
    return store_frames(engine, prepare_pair(first, last, fit=fit or "fit", target=target))


@dataclass(frozen=True)
class JobRequest:
    """What a door asks for besides the frames, before validation (see `JobSpec`)."""

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
    deck_id: str | None = None
    deck_position: int | None = None

    def spec(self, frames: StoredPair) -> JobSpec:
        """The JobSpec for `frames`; UserError request.invalid naming the bad fields."""
        try:
            return JobSpec(
                first_frame=frames.first,
                last_frame=frames.last,
                prompt=self.prompt.strip(),
                negative_prompt=self.negative_prompt.strip(),
                prompt_parts=dict(self.prompt_parts),
                model=self.model,
                mode=self.mode,  # type: ignore[arg-type]
                duration=str(self.duration),  # type: ignore[arg-type]
                submitter=self.submitter,
                kind=self.kind,  # type: ignore[arg-type]
                deck_id=self.deck_id,
                deck_position=self.deck_position,
                lab_group=self.lab_group,
                label=self.label,
                new_take=bool(self.new_take),
            )
        except ValidationError as exc:
            raise _invalid_request(exc) from None


@dataclass(frozen=True)
class Submitted:
    """What a submit produced: the engine's answer and the frames it was made from."""

    result: SubmitResult
    frames: StoredPair

    @property
    def job(self) -> Job:
        """The job (a new one, or the identical one that answered)."""
        return self.result.job

    @property
    def reused(self) -> bool:
        """True when an identical job (done or in flight) answered instead of a new one."""
        return self.result.reused


def submit(
    engine: JobEngine,
    frames: StoredPair,
    request: JobRequest,
    credentials: Credentials | None = None,
) -> Submitted:
    """Queue one job for `frames` and return at once (`credentials` None: the engine's own
    account). UserError for anything the rules forbid, the owner's cap included."""
    result = engine.submit(request.spec(frames), credentials=credentials)
    return Submitted(result, frames)


def _invalid_request(exc: ValidationError) -> UserError:
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
