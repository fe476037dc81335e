"""The deck plan: ordered slides, the transitions between neighbours, and hold times.

A plan is plain data (pydantic) saved as JSON in the deck's work folder, so a deck can be
reopened and run again. Reordering or dropping slides recomputes the transitions from the new
neighbours; a pair that stays neighbours keeps its prompt, its job and its clip, and a pair
that stops being neighbours is kept aside, so it comes back as it was if the slides are put
back next to each other (a clip already paid for is never forgotten).

Prompts are defaulted by a `PromptDefaulter` the caller supplies (the chosen presets plus the
pair's strategy hint, see kling_ui.prompts); the plan only remembers which prompts the person
edited, so new presets can refresh the others.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from kling_ui.deck import errors
from kling_ui.deck.slides import Slide
from kling_ui.jobs.models import JobStatus

Duration = Literal["5", "10"]
TransitionStatus = Literal[
    "pending",
    "queued",
    "submitting",
    "submitted",
    "processing",
    "downloading",
    "done",
    "failed",
    "cancelled",
]
"""`pending` = not handed to the engine yet; the rest are the JobStatus values of its job
(a timed-out job stays "processing": the engine keeps following it)."""
IN_FLIGHT: frozenset[str] = frozenset(s.value for s in JobStatus if not s.settled)
PLAN_FILE = "plan.json"
DEFAULT_HOLD_S = 2.0
MAX_HOLD_S = 60.0
MAX_PROMPT_CHARS = 2500


class SlideRef(BaseModel):
    """A slide in the plan: a stable id, where its PNG is, and an optional own hold time.

    A slide from a PowerPoint file also has its speaker notes and `origin`, its place in that
    file's slide list (the PowerPoint written back puts the original slide there)."""

    id: str
    name: str
    path: str
    sha256: str
    hold_seconds: float | None = None
    notes: str = ""
    origin: int | None = None


class PairDefault(BaseModel):
    """What a `PromptDefaulter` proposes for one pair of slides."""

    prompt: str
    negative_prompt: str = ""
    strategy: str | None = None
    """The pair's strategy hint (e.g. "in_place" or "camera"), shown beside the prompt."""
    cue: str | None = None
    """What the next slide's speaker notes added to the prompt (e.g. "zoom, chart")."""


PromptDefaulter = Callable[[SlideRef, SlideRef], PairDefault]
"""Proposes the prompt for a pair (first slide, next slide)."""


def fixed_prompt(prompt: str, negative_prompt: str = "") -> PromptDefaulter:
    """A defaulter that gives every pair the same prompt."""

    def default(_first: SlideRef, _last: SlideRef) -> PairDefault:
        return PairDefault(prompt=prompt, negative_prompt=negative_prompt)

    return default


class TransitionPlan(BaseModel):
    """The transition between two neighbouring slides, and how far it has got."""

    index: int
    from_slide: str
    to_slide: str
    prompt: str
    negative_prompt: str = ""
    duration: Duration = "5"
    strategy: str | None = None
    cue: str | None = None
    prompt_edited: bool = False
    status: TransitionStatus = "pending"
    job_id: str | None = None
    clip_path: str | None = None
    error: str | None = None

    @property
    def pair(self) -> tuple[str, str]:
        """(from slide id, to slide id)."""
        return (self.from_slide, self.to_slide)


class DeckPlan(BaseModel):
    """Ordered slides, the N-1 transitions between them, and hold times; whose deck it is
    (`owner`: None for the command line's) and the random name of the served folder its
    slides and outputs are in (`media`)."""

    version: Literal[1] = 1
    deck_id: str
    owner: str | None = None
    media: str | None = None
    slides: list[SlideRef]
    transitions: list[TransitionPlan] = Field(default_factory=list)
    dropped: list[SlideRef] = Field(default_factory=list)
    retired: list[TransitionPlan] = Field(default_factory=list)
    hold_seconds: float = DEFAULT_HOLD_S
    duration: Duration = "5"

    # --- creating, saving, loading -------------------------------------------------------

    @classmethod
    def create(
        cls,
        slides: Sequence[Slide],
        defaulter: PromptDefaulter,
        *,
        deck_id: str | None = None,
        settings: Mapping[str, object] | None = None,
        duration: Duration = "5",
        hold_seconds: float = DEFAULT_HOLD_S,
    ) -> DeckPlan:
        """A plan for `slides` in their order, every transition defaulted by `defaulter`.

        `deck_id` defaults to `deck_id_for(slide hashes, settings)`.
        """
        if len(slides) < 2:
            raise errors.too_few_slides(len(slides))
        _check_hold(hold_seconds)
        refs = [
            SlideRef(
                id=f"s{s.index + 1:03d}",
                name=s.name,
                path=str(s.path),
                sha256=s.sha256,
                notes=s.notes,
                origin=s.origin,
            )
            for s in slides
        ]
        plan = cls(
            deck_id=deck_id or deck_id_for([s.sha256 for s in slides], settings or {}),
            slides=refs,
            hold_seconds=hold_seconds,
            duration=duration,
        )
        plan._rebuild(defaulter)
        return plan

    def save(self, path: Path) -> None:
        """Write the plan as JSON, atomically (a crash never leaves half a plan)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(self.model_dump_json(indent=2))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> DeckPlan:
        """Read a plan written by `save`."""
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    # --- arranging -------------------------------------------------------------------------

    def reorder(self, new_order: Sequence[str], defaulter: PromptDefaulter) -> None:
        """Show the slides with these ids in this order; any slide left out is dropped.

        Ids may name dropped slides too, which brings them back. Raises `UserError`
        deck.bad_order (unknown id or repeats) or deck.too_few_slides (fewer than 2).
        """
        known = {s.id: s for s in [*self.slides, *self.dropped]}
        if len(set(new_order)) != len(new_order) or any(i not in known for i in new_order):
            raise errors.bad_order()
        if len(new_order) < 2:
            raise errors.too_few_slides(len(new_order))
        self.slides = [known[i] for i in new_order]
        kept = set(new_order)
        self.dropped = [s for s in known.values() if s.id not in kept]
        self._rebuild(defaulter)

    def drop(self, slide_id: str, defaulter: PromptDefaulter) -> None:
        """Leave one slide out of the deck (it can be brought back with `reorder`)."""
        self._slide(slide_id)
        self.reorder([s.id for s in self.slides if s.id != slide_id], defaulter)

    def set_hold(self, seconds: float | None, slide_id: str | None = None) -> None:
        """Set the hold time for one slide, or for all slides when `slide_id` is None.

        Setting it for all clears every slide's own value; `seconds=None` for one slide makes
        it follow the deck's value again. Raises `UserError` deck.bad_hold outside 0..60 s.
        """
        if slide_id is None:
            if seconds is None:
                raise ValueError("the deck's hold time cannot be None")
            _check_hold(seconds)
            self.hold_seconds = float(seconds)
            for slide in self.slides + self.dropped:
                slide.hold_seconds = None
            return
        if seconds is not None:
            _check_hold(seconds)
        self._slide(slide_id).hold_seconds = None if seconds is None else float(seconds)

    def take_notes(self, slides: Sequence[Slide]) -> bool:
        """Take the speaker notes and places of `slides` freshly loaded from the same files
        (matched by id: the same slides in the same order); whether any changed."""
        fresh = {f"s{s.index + 1:03d}": s for s in slides}
        changed = False
        for ref in [*self.slides, *self.dropped]:
            slide = fresh.get(ref.id)
            if slide is not None and (ref.notes, ref.origin) != (slide.notes, slide.origin):
                ref.notes, ref.origin, changed = slide.notes, slide.origin, True
        return changed

    # --- prompts -----------------------------------------------------------------------------

    def edit_transition(
        self,
        index: int,
        *,
        prompt: str | None = None,
        negative_prompt: str | None = None,
        duration: Duration | None = None,
    ) -> TransitionPlan:
        """Change a transition's prompt, negative prompt or duration.

        A change makes an already made (or failed) clip stale, so the transition goes back to
        `pending`. Raises `UserError` deck.transition_busy while its job is in flight and
        deck.prompt_too_long past 2500 characters.
        """
        transition = self.transition(index)
        if transition.status in IN_FLIGHT:
            raise errors.transition_busy(index + 1)
        changed = False
        if prompt is not None and prompt != transition.prompt:
            _check_prompt(prompt)
            transition.prompt, transition.prompt_edited, changed = prompt, True, True
        if negative_prompt is not None and negative_prompt != transition.negative_prompt:
            _check_prompt(negative_prompt)
            transition.negative_prompt, transition.prompt_edited = negative_prompt, True
            changed = True
        if duration is not None and duration != transition.duration:
            transition.duration, changed = duration, True
        if changed:
            _reset(transition)
        return transition

    def refresh_defaults(self, defaulter: PromptDefaulter) -> list[int]:
        """Re-default every prompt the person has not edited (e.g. after choosing new presets).

        Only transitions not yet handed to the engine change; returns their indexes.
        """
        changed: list[int] = []
        for transition in self.transitions:
            if transition.prompt_edited or transition.status != "pending":
                continue
            fresh = self._defaulted(transition.from_slide, transition.to_slide, defaulter)
            if (fresh.prompt, fresh.negative_prompt) != (
                transition.prompt,
                transition.negative_prompt,
            ):
                transition.prompt = fresh.prompt
                transition.negative_prompt = fresh.negative_prompt
                transition.strategy = fresh.strategy
                transition.cue = fresh.cue
                changed.append(transition.index)
        return changed

    # --- progress, for the deck runner -----------------------------------------------------

    def record(
        self,
        index: int,
        status: TransitionStatus,
        *,
        job_id: str | None = None,
        clip_path: Path | str | None = None,
        error: str | None = None,
    ) -> TransitionPlan:
        """Note a transition's progress: its engine job, status, clip once done, or error."""
        transition = self.transition(index)
        transition.status = status
        if job_id is not None:
            transition.job_id = job_id
        if clip_path is not None:
            transition.clip_path = str(clip_path)
        transition.error = error
        return transition

    def transition(self, index: int) -> TransitionPlan:
        """The transition at `index` (0-based); `UserError` deck.unknown_transition if none."""
        if not 0 <= index < len(self.transitions):
            raise errors.unknown_transition(index + 1)
        return self.transitions[index]

    def pending(self) -> list[TransitionPlan]:
        """Transitions without a usable clip yet (not done), in order."""
        return [t for t in self.transitions if not (t.status == "done" and t.clip_path)]

    def holds(self) -> list[float]:
        """Each shown slide's hold time in seconds, in order."""
        return [
            self.hold_seconds if s.hold_seconds is None else s.hold_seconds for s in self.slides
        ]

    def slide_paths(self) -> list[Path]:
        """The shown slides' PNGs, in order."""
        return [Path(s.path) for s in self.slides]

    def clip_paths(self) -> list[Path]:
        """Every transition's clip, in order; `UserError` deck.not_ready while any is missing."""
        missing = self.pending()
        if missing:
            raise errors.not_ready([t.index + 1 for t in missing])
        return [Path(t.clip_path or "") for t in self.transitions]

    # --- internals ---------------------------------------------------------------------------

    def _slide(self, slide_id: str) -> SlideRef:
        for slide in self.slides:
            if slide.id == slide_id:
                return slide
        raise errors.unknown_slide(slide_id)

    def _rebuild(self, defaulter: PromptDefaulter) -> None:
        """Transitions for the current neighbours, reusing every pair already planned."""
        known = {t.pair: t for t in self.retired}
        known.update({t.pair: t for t in self.transitions})
        fresh: list[TransitionPlan] = []
        for index, (first, last) in enumerate(itertools.pairwise(self.slides)):
            transition = known.pop((first.id, last.id), None)
            if transition is None:
                default = self._defaulted(first.id, last.id, defaulter)
                transition = TransitionPlan(
                    index=index,
                    from_slide=first.id,
                    to_slide=last.id,
                    prompt=default.prompt,
                    negative_prompt=default.negative_prompt,
                    strategy=default.strategy,
                    cue=default.cue,
                    duration=self.duration,
                )
            transition.index = index
            fresh.append(transition)
        self.transitions = fresh
        self.retired = list(known.values())

    def _defaulted(self, first: str, last: str, defaulter: PromptDefaulter) -> PairDefault:
        refs = {s.id: s for s in [*self.slides, *self.dropped]}
        default = defaulter(refs[first], refs[last])
        _check_prompt(default.prompt)
        _check_prompt(default.negative_prompt)
        return default


def deck_id_for(
    slide_hashes: Sequence[str], settings: Mapping[str, object], owner: str | None = None
) -> str:
    """A short id that is the same for the same slides (in order), the same settings and the
    same owner: the same slides opened by two people are two decks. (No owner, the command
    line's decks, keeps the ids decks had before owners.)"""
    content: dict[str, object] = {"slides": list(slide_hashes), "settings": settings}
    if owner is not None:
        content["owner"] = owner
    blob = json.dumps(content, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _reset(transition: TransitionPlan) -> None:
    transition.status = "pending"
    transition.job_id = None
    transition.clip_path = None
    transition.error = None


def _check_hold(seconds: float) -> None:
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_HOLD_S:
        raise errors.bad_hold(seconds, MAX_HOLD_S)


def _check_prompt(text: str) -> None:
    if len(text) > MAX_PROMPT_CHARS:
        raise errors.prompt_too_long(len(text), MAX_PROMPT_CHARS)
