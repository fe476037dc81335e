"""The deck runner: a deck's transitions through the job engine, then its outputs (the stitched
video, a PowerPoint with the transitions inside, the presenter page and a ZIP of everything).

Opening the same slides with the same settings finds the same deck folder (the deck id is a
hash of the slides and settings), so running a deck again resumes it: transitions already
made or in flight are reused by the engine and nothing is paid for twice. All transitions are
ordinary engine jobs of kind "deck", so the engine's slot pool and fair share apply.

Kling is sent each slide at the slide's own size (a portrait or 4:3 deck is not letterboxed
into 16:9). A deck opened from one PowerPoint file keeps a copy of it beside the plan, so the
PowerPoint written at the end can keep its original slides and notes.
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from PIL import Image
from pydantic import BaseModel

from kling_ui.deck.bundle import write_bundle
from kling_ui.deck.plan import (
    IN_FLIGHT,
    PLAN_FILE,
    DeckPlan,
    PromptDefaulter,
    TransitionPlan,
    deck_id_for,
)
from kling_ui.deck.pptx_in import is_ooxml
from kling_ui.deck.pptx_out import PptxReport, SlideSource, write_pptx
from kling_ui.deck.presenter import write_presenter
from kling_ui.deck.slides import Slide, load_slides
from kling_ui.deck.stitch import StitchReport, stitch_deck
from kling_ui.frames import prepare_pair
from kling_ui.i18n import Text
from kling_ui.jobs.engine import Credentials, JobEngine
from kling_ui.jobs.models import Job, JobSpec, JobStatus

log = logging.getLogger("kling_ui.deck.run")

SETTINGS_FILE = "deck.json"
SOURCE_PPTX = "source.pptx"
DEFAULT_TARGET = (1920, 1080)

# The engine's lifecycle as a plan's transition status (timed out stays "processing":
# the engine keeps following it).
_STATUS: dict[JobStatus, str] = {
    JobStatus.QUEUED: "queued",
    JobStatus.SUBMITTING: "submitting",
    JobStatus.SUBMITTED: "submitted",
    JobStatus.PROCESSING: "processing",
    JobStatus.TIMED_OUT: "processing",
    JobStatus.DOWNLOADING: "downloading",
    JobStatus.DONE: "done",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled",
}


class DeckSettings(BaseModel):
    """The Kling settings every transition of a deck shares, saved beside its plan."""

    title: str = "deck"
    model: str = "kling-v2-6"
    mode: Literal["std", "pro"] = "pro"
    duration: Literal["5", "10"] = "5"
    hold_seconds: float = 2.0
    target: tuple[int, int] = DEFAULT_TARGET

    def identity(self) -> dict[str, object]:
        """What makes two runs the same deck (the title and hold times do not)."""
        return {"model": self.model, "mode": self.mode, "target": list(self.target)}


@dataclass(frozen=True)
class Deck:
    """An opened deck: its folder, settings and plan (the plan is saved by the runner)."""

    folder: Path
    settings: DeckSettings
    plan: DeckPlan

    @property
    def deck_id(self) -> str:
        """The deck's stable id."""
        return self.plan.deck_id


@dataclass(frozen=True)
class DeckProgress:
    """How far a deck's transitions are: counts, per-transition statuses, an estimate."""

    total: int
    done: int
    failed: tuple[int, ...]
    in_flight: int
    pending: int
    statuses: tuple[str, ...]
    estimate: float | None

    @property
    def complete(self) -> bool:
        """Every transition has its clip."""
        return self.done == self.total

    @property
    def settled(self) -> bool:
        """Nothing handed to the engine is still running."""
        return self.in_flight == 0

    def text(self, lang: str | None = None) -> str:
        """ "k of N-1 transitions" with failures and the time left, in the person's language."""
        line = Text("{done} of {total} transitions done", "已完成 {done}/{total} 个转场").format(
            done=self.done, total=self.total
        )
        if self.failed:
            numbers = ", ".join(str(i + 1) for i in self.failed)
            line = line + Text(f"; failed: {numbers}", f"；失败：{numbers}")
        if self.estimate is not None and not self.complete:
            seconds = round(self.estimate)
            line = line + Text(f"; about {seconds} s left", f"；约剩 {seconds} 秒")
        return line.get(lang)


@dataclass(frozen=True)
class DeckOutputs:
    """What a finished deck produced."""

    video: Path
    presenter: Path
    bundle: Path
    report: StitchReport
    pptx: Path
    pptx_report: PptxReport


class DeckRunner:
    """Opens decks under `data_dir/decks`, runs their transitions as engine jobs, and
    stitches the result."""

    def __init__(self, engine: JobEngine, data_dir: Path) -> None:
        self.engine = engine
        self.decks_dir = Path(data_dir) / "decks"

    # ---- opening ------------------------------------------------------------------------

    def open(
        self,
        inputs: Sequence[Path],
        settings: DeckSettings,
        defaulter: PromptDefaulter,
        *,
        notes: list[Text] | None = None,
    ) -> Deck:
        """Turn `inputs` into slides and the deck's plan; the same slides and settings open
        the deck made before (with its progress), so a second run resumes it."""
        self.decks_dir.mkdir(parents=True, exist_ok=True)
        staging = self.decks_dir / f".staging-{uuid.uuid4().hex}"
        try:
            paths = [Path(p) for p in inputs]
            slides = load_slides(paths, target=settings.target, workdir=staging, notes=notes)
            settings = _sized_for(settings, slides)
            deck_id = deck_id_for([s.sha256 for s in slides], settings.identity())
            folder = self.decks_dir / deck_id
            if (folder / PLAN_FILE).is_file():
                deck = self.load(deck_id)
                deck.plan.set_hold(settings.hold_seconds)
                if deck.plan.take_notes(slides):
                    deck.plan.refresh_defaults(defaulter)
                saved = deck.settings.model_copy(
                    update={"title": settings.title, "hold_seconds": settings.hold_seconds}
                )
                deck = Deck(folder, saved, deck.plan)
                _keep_source(paths, slides, folder)
                self.save(deck)
                return deck
            (folder / "slides").mkdir(parents=True, exist_ok=True)
            _keep_source(paths, slides, folder)
            moved = [_move_slide(slide, folder / "slides") for slide in slides]
            plan = DeckPlan.create(
                moved,
                defaulter,
                deck_id=deck_id,
                duration=settings.duration,
                hold_seconds=settings.hold_seconds,
            )
            deck = Deck(folder, settings, plan)
            self.save(deck)
            return deck
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def load(self, deck_id: str) -> Deck:
        """The deck saved under this id."""
        folder = self.decks_dir / deck_id
        plan = DeckPlan.load(folder / PLAN_FILE)
        settings_file = folder / SETTINGS_FILE
        settings = (
            DeckSettings.model_validate_json(settings_file.read_text(encoding="utf-8"))
            if settings_file.is_file()
            else DeckSettings()
        )
        return Deck(folder, settings, plan)

    def save(self, deck: Deck) -> None:
        """Write the deck's plan and settings."""
        deck.plan.save(deck.folder / PLAN_FILE)
        (deck.folder / SETTINGS_FILE).write_text(
            deck.settings.model_dump_json(indent=2), encoding="utf-8"
        )

    # ---- running ------------------------------------------------------------------------

    def submit(
        self,
        deck: Deck,
        *,
        submitter: str,
        credentials: Credentials | None = None,
        indexes: Sequence[int] | None = None,
        new_take: bool = False,
    ) -> list[str]:
        """Hand the deck's transitions that have no clip and no job in flight to the engine
        (only `indexes` when given: a failed transition retried alone). Returns their job ids.

        Raises UserError when the engine refuses a transition (the ones before it stay queued).
        """
        self.sync(deck)
        chosen = set(range(len(deck.plan.transitions)) if indexes is None else indexes)
        for index in chosen:
            deck.plan.transition(index)  # deck.unknown_transition for a bad index
        job_ids: list[str] = []
        try:
            for transition in deck.plan.transitions:
                if transition.index not in chosen or not _needs_job(transition):
                    continue
                spec = self._spec(deck, transition, submitter, new_take=new_take)
                result = self.engine.submit(spec, credentials=credentials)
                self._record(deck.plan, transition.index, result.job)
                job_ids.append(result.job.id)
        finally:
            self.save(deck)
        return job_ids

    def retry(
        self, deck: Deck, index: int, *, submitter: str, credentials: Credentials | None = None
    ) -> str | None:
        """Run one failed or cancelled transition again; its job id (None if nothing to do)."""
        ids = self.submit(deck, submitter=submitter, credentials=credentials, indexes=[index])
        return ids[0] if ids else None

    def sync(self, deck: Deck) -> DeckProgress:
        """Bring the plan up to date with the engine's jobs and save it; the progress."""
        estimates: list[float] = []
        for transition in deck.plan.transitions:
            if transition.job_id is None:
                continue
            try:
                job = self.engine.get(transition.job_id)
            except KeyError:
                deck.plan.record(transition.index, "pending")
                transition.job_id = None
                continue
            self._record(deck.plan, transition.index, job)
            if job.status.active:
                left = self.engine.estimate(job.id)
                if left is not None:
                    estimates.append(left)
        self.save(deck)
        return _progress(deck.plan, max(estimates) if estimates else None)

    def wait(
        self,
        deck: Deck,
        *,
        timeout: float | None = None,
        on_progress: Callable[[DeckProgress], None] | None = None,
        tick: float = 0.25,
    ) -> DeckProgress:
        """Follow the deck until nothing runs any more (or `timeout`); the last progress."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.sync(deck)
            if on_progress is not None:
                on_progress(progress)
            if progress.settled or (deadline is not None and time.monotonic() > deadline):
                return progress
            time.sleep(tick)

    def assemble(self, deck: Deck) -> DeckOutputs:
        """Stitch the final video and write the PowerPoint, the presenter page and the ZIP.

        Raises UserError deck.not_ready while any transition lacks its clip.
        """
        self.sync(deck)
        plan = deck.plan
        clips = plan.clip_paths()
        slides = plan.slide_paths()
        name = _file_stem(deck.settings.title)
        out_dir = deck.folder / "output"
        video = out_dir / f"{name}.mp4"
        report = stitch_deck(slides, clips, plan.holds(), video)
        pptx_report = write_pptx(
            out_dir / f"{name}.pptx",
            [SlideSource(Path(s.path), s.notes, s.origin) for s in plan.slides],
            clips,
            source=self.source(deck),
            title=deck.settings.title,
        )
        presenter = write_presenter(out_dir / "presenter", slides, clips, deck.settings.title)
        bundle = write_bundle(
            out_dir / f"{name}.zip",
            video,
            clips,
            slides,
            presenter.parent,
            extras=[pptx_report.path],
        )
        return DeckOutputs(
            video=video,
            presenter=presenter,
            bundle=bundle,
            report=report,
            pptx=pptx_report.path,
            pptx_report=pptx_report,
        )

    @staticmethod
    def source(deck: Deck) -> Path | None:
        """The copy of the PowerPoint file the deck was opened from, if it was one."""
        kept = deck.folder / SOURCE_PPTX
        return kept if kept.is_file() else None

    def jobs(self, deck: Deck) -> list[Job]:
        """The engine jobs of the deck's current transitions, in order (missing ones skipped)."""
        found: list[Job] = []
        for transition in deck.plan.transitions:
            if transition.job_id:
                try:
                    found.append(self.engine.get(transition.job_id))
                except KeyError:
                    continue
        return found

    # ---- plumbing -----------------------------------------------------------------------

    def _spec(
        self, deck: Deck, transition: TransitionPlan, submitter: str, *, new_take: bool
    ) -> JobSpec:
        by_id = {slide.id: slide for slide in deck.plan.slides}
        first, last = by_id[transition.from_slide], by_id[transition.to_slide]
        pair = prepare_pair(Path(first.path), Path(last.path), target=deck.settings.target)
        assert pair.last is not None
        return JobSpec(
            first_frame=self.engine.save_frame(pair.first.data, pair.first.format.lower()),
            last_frame=self.engine.save_frame(pair.last.data, pair.last.format.lower()),
            prompt=transition.prompt,
            negative_prompt=transition.negative_prompt,
            model=deck.settings.model,
            mode=deck.settings.mode,
            duration=transition.duration,
            submitter=submitter,
            kind="deck",
            deck_id=deck.deck_id,
            deck_position=transition.index,
            label=f"{deck.settings.title} {transition.index + 1}-{transition.index + 2}",
            new_take=new_take,
        )

    @staticmethod
    def _record(plan: DeckPlan, index: int, job: Job) -> None:
        status = _STATUS[job.status]
        clip = job.video_path if job.status is JobStatus.DONE else None
        error = job.error_text("en") if job.status is JobStatus.FAILED else None
        plan.record(index, status, job_id=job.id, clip_path=clip, error=error)  # type: ignore[arg-type]


def _needs_job(transition: TransitionPlan) -> bool:
    """A transition needs a job unless one is in flight or its clip is already on disk."""
    if transition.status in IN_FLIGHT:
        return False
    made = transition.status == "done" and transition.clip_path is not None
    return not (made and Path(str(transition.clip_path)).exists())


def _progress(plan: DeckPlan, estimate: float | None) -> DeckProgress:
    statuses = tuple(t.status for t in plan.transitions)
    return DeckProgress(
        total=len(statuses),
        done=sum(s == "done" for s in statuses),
        failed=tuple(t.index for t in plan.transitions if t.status in ("failed", "cancelled")),
        in_flight=sum(s in IN_FLIGHT for s in statuses),
        pending=sum(s == "pending" for s in statuses),
        statuses=statuses,
        estimate=estimate,
    )


def _sized_for(settings: DeckSettings, slides: Sequence[Slide]) -> DeckSettings:
    """`settings` with the target the slides came out at (a portrait or 4:3 deck keeps its
    shape), so the frames Kling gets are the slides themselves."""
    with Image.open(slides[0].path) as first:
        size = (int(first.width), int(first.height))
    if size == tuple(settings.target):
        return settings
    return settings.model_copy(update={"target": size})


def _keep_source(inputs: Sequence[Path], slides: Sequence[Slide], folder: Path) -> None:
    """Copy a deck's one PowerPoint file beside its plan, when every slide knows its place in
    it (what the PowerPoint written at the end keeps its original slides from)."""
    if len(inputs) != 1 or not is_ooxml(inputs[0]):
        return
    if any(slide.origin is None for slide in slides):
        return
    folder.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(inputs[0], folder / SOURCE_PPTX)
    except OSError as exc:  # the PowerPoint written at the end then uses pictures
        log.warning("could not keep %s beside the deck: %s", inputs[0].name, exc)


def _move_slide(slide: Slide, folder: Path) -> Slide:
    target = folder / slide.path.name
    shutil.move(str(slide.path), target)
    return replace(slide, path=target)


def _file_stem(title: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_ " else "-" for c in title).strip()
    return "-".join(cleaned.split()) or "deck"


__all__ = [
    "Deck",
    "DeckOutputs",
    "DeckProgress",
    "DeckRunner",
    "DeckSettings",
]
