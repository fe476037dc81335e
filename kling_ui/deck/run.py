"""The deck runner: a deck's transitions through the job engine, then its outputs (the stitched
video, a PowerPoint with the transitions inside, the presenter page and a ZIP of everything).

Opening the same slides with the same settings finds the same deck (the deck id is a hash of
the slides, the settings and the deck's owner), so running a deck again resumes it:
transitions already made or in flight are reused by the engine and nothing is paid for twice.
The same slides opened by two people are two decks. All transitions are ordinary engine jobs
of kind "deck", so the engine's slot pool, fair share and per-owner cap apply: a deck with
more transitions than its owner may have waiting hands over what the cap allows and the rest
as the owner's earlier jobs finish (`DeckProgress.waiting`).

Where things are kept: a deck's plan, settings, assembly record and source PowerPoint live in
`data_dir/deck-state/<deck id>/`, which is never served; its slide images and final outputs
(the pictures and files the page shows) live in `data_dir/decks/<random name>/`, the only part
served by URL, under a name that is not derived from anything a stranger could know.

Kling is sent each slide at the slide's own size (a portrait or 4:3 deck is not letterboxed
into 16:9). A deck opened from one PowerPoint file keeps a copy of it beside the plan, so the
PowerPoint written at the end can keep its original slides and notes.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
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
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.engine import Credentials, JobEngine
from kling_ui.jobs.models import Job, JobStatus
from kling_ui.jobs.requests import JobRequest, store_pair, submit

log = logging.getLogger("kling_ui.deck.run")

SETTINGS_FILE = "deck.json"
SOURCE_PPTX = "source.pptx"
ASSEMBLED_FILE = "assembled.json"
OPEN_DECKS_FILE = "open-decks.json"
DEFAULT_TARGET = (1920, 1080)
STATE_FOLDER = "deck-state"  # plans and records: never served
MEDIA_FOLDER = "decks"  # slide images and outputs under random names: served
QUEUE_FULL = "jobs.queue_full"
_LEGACY_DECK = re.compile(r"^[0-9a-f]{16}$")

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
    """How far a deck's transitions are: counts, per-transition statuses, an estimate, and
    how many transitions wait to be handed over (the owner's queue is full)."""

    total: int
    done: int
    failed: tuple[int, ...]
    in_flight: int
    pending: int
    statuses: tuple[str, ...]
    estimate: float | None
    waiting: int = 0

    @property
    def complete(self) -> bool:
        """Every transition has its clip."""
        return self.done == self.total

    @property
    def settled(self) -> bool:
        """Nothing handed to the engine is still running, and nothing waits to be."""
        return self.in_flight == 0 and self.waiting == 0

    def text(self, lang: str | None = None) -> str:
        """ "k of N-1 transitions" with failures and the time left, in the person's language."""
        line = Text("{done} of {total} transitions done", "已完成 {done}/{total} 个转场").format(
            done=self.done, total=self.total
        )
        if self.failed:
            numbers = ", ".join(str(i + 1) for i in self.failed)
            line = line + Text(f"; failed: {numbers}", f"；失败：{numbers}")
        if self.waiting:
            line = line + waiting_text(self.waiting)
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


def waiting_text(count: int) -> Text:
    """'; N waiting for room': transitions held back while the owner's queue is full."""
    return Text(
        f"; {count} waiting until your earlier jobs finish",
        f"；{count} 个等待您之前的任务完成后开始",
    )


@dataclass
class _Backlog:
    """Transitions of one deck to hand over once the owner has room (kept in memory only:
    after a restart the person presses Generate deck again)."""

    submitter: str
    credentials: Credentials | None
    new_take: bool
    pairs: set[tuple[str, str]] = field(default_factory=set)


class DeckRunner:
    """Opens decks (state under `data_dir/deck-state`, media under `data_dir/decks`), runs
    their transitions as engine jobs, and stitches the result."""

    def __init__(self, engine: JobEngine, data_dir: Path) -> None:
        self.engine = engine
        data_dir = Path(data_dir)
        self.decks_dir = data_dir / MEDIA_FOLDER
        self.state_dir = data_dir / STATE_FOLDER
        self._backlog: dict[str, _Backlog] = {}
        self._backlog_lock = threading.Lock()
        move_legacy_decks(self.decks_dir, self.state_dir)

    # ---- opening ------------------------------------------------------------------------

    def open(
        self,
        inputs: Sequence[Path],
        settings: DeckSettings,
        defaulter: PromptDefaulter,
        *,
        notes: list[Text] | None = None,
        owner: str | None = None,
    ) -> Deck:
        """Turn `inputs` into slides and the deck's plan; the same slides and settings open
        the deck made before by the same `owner` (with its progress), so a second run
        resumes it. Another owner's slides make another deck."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        staging = self.state_dir / f".staging-{uuid.uuid4().hex}"
        try:
            paths = [Path(p) for p in inputs]
            slides = load_slides(paths, target=settings.target, workdir=staging, notes=notes)
            settings = _sized_for(settings, slides)
            deck_id = deck_id_for([s.sha256 for s in slides], settings.identity(), owner)
            folder = self.state_dir / deck_id
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
            media = self._new_media()
            (media / "slides").mkdir(parents=True, exist_ok=True)
            _keep_source(paths, slides, folder)
            moved = [_move_slide(slide, media / "slides") for slide in slides]
            plan = DeckPlan.create(
                moved,
                defaulter,
                deck_id=deck_id,
                duration=settings.duration,
                hold_seconds=settings.hold_seconds,
            )
            plan.owner, plan.media = owner, media.name
            deck = Deck(folder, settings, plan)
            self.save(deck)
            return deck
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def load(self, deck_id: str) -> Deck:
        """The deck saved under this id."""
        folder = self.state_dir / deck_id
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
        deck.folder.mkdir(parents=True, exist_ok=True)
        deck.plan.save(deck.folder / PLAN_FILE)
        # Atomically, like the plan: a reader on another thread never sees half a file.
        settings_file = deck.folder / SETTINGS_FILE
        partial = settings_file.with_name(f".{SETTINGS_FILE}.{uuid.uuid4().hex}.tmp")
        partial.write_text(deck.settings.model_dump_json(indent=2), encoding="utf-8")
        partial.replace(settings_file)

    def media_dir(self, deck: Deck) -> Path:
        """The served folder of the deck's slide images and outputs (a random name, given
        the first time it is needed)."""
        if not deck.plan.media:
            deck.plan.media = self._new_media().name
            self.save(deck)
        return self.decks_dir / deck.plan.media

    def _new_media(self) -> Path:
        """A new, empty served folder under a random 128-bit name."""
        self.decks_dir.mkdir(parents=True, exist_ok=True)
        while True:
            folder = self.decks_dir / secrets.token_hex(16)
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder

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

        `submitter` owns the jobs. When that owner has as many jobs waiting or running as the
        engine allows, the rest wait in this runner and are handed over by `sync` as the
        owner's earlier jobs finish (see `waiting`). Raises UserError when the engine refuses
        a transition for any other reason (the ones before it stay queued).
        """
        self._update(deck)
        chosen = set(range(len(deck.plan.transitions)) if indexes is None else indexes)
        for index in chosen:
            deck.plan.transition(index)  # deck.unknown_transition for a bad index
        wanted = [t for t in deck.plan.transitions if t.index in chosen and _needs_job(t)]
        try:
            with self._backlog_lock:
                backlog = self._backlog.pop(deck.deck_id, None)
                kept = set() if backlog is None else backlog.pairs - {t.pair for t in wanted}
                self._backlog[deck.deck_id] = _Backlog(
                    submitter, credentials, new_take, kept | {t.pair for t in wanted}
                )
            return self._hand_over(deck)
        finally:
            self.save(deck)

    def waiting(self, deck: Deck) -> int:
        """How many of the deck's transitions wait for room in their owner's queue."""
        with self._backlog_lock:
            backlog = self._backlog.get(deck.deck_id)
            return 0 if backlog is None else len(backlog.pairs)

    def sync(self, deck: Deck) -> DeckProgress:
        """Bring the plan up to date with the engine's jobs, hand over transitions that were
        waiting for room, and save it; the progress."""
        estimates = self._update(deck)
        try:
            self._hand_over(deck)
        except UserError as exc:  # shown on the transitions; the person can retry them
            log.info("deck %s: waiting transitions refused: %s", deck.deck_id, exc)
        self.save(deck)
        return _progress(deck.plan, max(estimates) if estimates else None, self.waiting(deck))

    def _update(self, deck: Deck) -> list[float]:
        """The plan's transitions brought up to date with their jobs; the running ones'
        estimates."""
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
        return estimates

    def _hand_over(self, deck: Deck) -> list[str]:
        """Submit the deck's waiting transitions while their owner has room; their job ids.
        What the engine refuses for want of room keeps waiting; any other refusal is noted
        on its transition, ends the waiting, and is raised. (The caller holds the deck: one
        hand-over per deck at a time.)"""
        with self._backlog_lock:
            backlog = self._backlog.get(deck.deck_id)
        if backlog is None:
            return []
        ready = [t for t in deck.plan.transitions if t.pair in backlog.pairs and _needs_job(t)]
        backlog.pairs = {t.pair for t in ready}
        job_ids: list[str] = []
        try:
            for transition in ready:
                if not self._room_for(backlog.submitter):
                    break
                try:
                    job = self._submit(deck, transition, backlog)
                except UserError as exc:
                    if exc.code == QUEUE_FULL:
                        break
                    deck.plan.record(transition.index, "failed", error=exc.text("en"))
                    backlog.pairs.clear()
                    raise
                self._record(deck.plan, transition.index, job)
                backlog.pairs.discard(transition.pair)
                job_ids.append(job.id)
        finally:
            if not backlog.pairs:
                with self._backlog_lock:
                    if self._backlog.get(deck.deck_id) is backlog:
                        del self._backlog[deck.deck_id]
        return job_ids

    def _room_for(self, owner: str) -> bool:
        """Whether the engine would take one more job of `owner` now (its cap)."""
        limit = self.engine.max_queued
        return limit is None or self.engine.unfinished_of(owner) < limit

    def wait(
        self,
        deck: Deck,
        *,
        timeout: float | None = None,
        on_progress: Callable[[DeckProgress], None] | None = None,
        tick: float = 0.25,
    ) -> DeckProgress:
        """Follow the deck until nothing runs or waits any more (or `timeout`); the last
        progress. Transitions waiting for room are handed over on the way."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            progress = self.sync(deck)
            if on_progress is not None:
                on_progress(progress)
            if progress.settled or (deadline is not None and time.monotonic() > deadline):
                return progress
            time.sleep(tick)

    def assemble(self, deck: Deck) -> DeckOutputs:
        """Stitch the final video and write the PowerPoint, the presenter page and the ZIP
        (into the deck's served media folder).

        Raises UserError deck.not_ready while any transition lacks its clip.
        """
        self.sync(deck)
        plan = deck.plan
        clips = plan.clip_paths()
        slides = plan.slide_paths()
        name = _file_stem(deck.settings.title)
        out_dir = self.media_dir(deck) / "output"
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

    def _submit(self, deck: Deck, transition: TransitionPlan, backlog: _Backlog) -> Job:
        """Hand one transition to the engine through the one door; its job."""
        by_id = {slide.id: slide for slide in deck.plan.slides}
        first, last = by_id[transition.from_slide], by_id[transition.to_slide]
        frames = store_pair(
            self.engine, Path(first.path), Path(last.path), target=deck.settings.target
        )
        request = JobRequest(
            prompt=transition.prompt,
            negative_prompt=transition.negative_prompt,
            model=deck.settings.model,
            mode=deck.settings.mode,
            duration=transition.duration,
            submitter=backlog.submitter,
            kind="deck",
            deck_id=deck.deck_id,
            deck_position=transition.index,
            label=f"{deck.settings.title} {transition.index + 1}-{transition.index + 2}",
            new_take=backlog.new_take,
        )
        return submit(self.engine, frames, request, backlog.credentials).job

    @staticmethod
    def _record(plan: DeckPlan, index: int, job: Job) -> None:
        status = _STATUS[job.status]
        clip = job.video_path if job.status is JobStatus.DONE else None
        error = job.error_text("en") if job.status is JobStatus.FAILED else None
        plan.record(index, status, job_id=job.id, clip_path=clip, error=error)  # type: ignore[arg-type]


def move_legacy_decks(decks_dir: Path, state_dir: Path) -> int:
    """Move decks kept by older versions wholly in the served `decks/<deck id>/` folder:
    plan, settings, assembly record and source PowerPoint to `state_dir/<deck id>/`, slides
    and outputs to a new served folder under a random name (the plan follows the slides),
    and the open-decks table to `state_dir`. Safe to run at every start and from several
    processes; returns how many decks were moved."""
    if not decks_dir.is_dir():
        return 0
    moved = 0
    legacy_table = decks_dir / OPEN_DECKS_FILE
    if legacy_table.is_file():
        state_dir.mkdir(parents=True, exist_ok=True)
        target = state_dir / OPEN_DECKS_FILE
        try:
            if target.exists():
                legacy_table.unlink()
            else:
                legacy_table.replace(target)
        except OSError as exc:
            log.warning("could not move the open-decks table out of %s: %s", decks_dir, exc)
    for old in sorted(decks_dir.iterdir()):
        if old.name.startswith(".staging-"):
            shutil.rmtree(old, ignore_errors=True)
            continue
        if not (_LEGACY_DECK.match(old.name) and (old / PLAN_FILE).is_file()):
            continue
        try:
            _move_legacy_deck(old, decks_dir, state_dir)
            moved += 1
        except (OSError, ValueError) as exc:
            log.warning("could not move deck %s out of the served folder: %s", old.name, exc)
    return moved


def _move_legacy_deck(old: Path, decks_dir: Path, state_dir: Path) -> None:
    """Move one old-layout deck (see `move_legacy_decks`). The old folder is first renamed
    out of the served folder in one step, so of two processes only one moves it."""
    state_dir.mkdir(parents=True, exist_ok=True)
    claimed = state_dir / f".moving-{old.name}-{uuid.uuid4().hex}"
    try:
        old.rename(claimed)
    except FileNotFoundError:
        return  # another process is moving it
    folder = state_dir / old.name
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    media = decks_dir / token
    media.mkdir()
    for part in ("slides", "output"):
        if (claimed / part).exists():
            (claimed / part).replace(media / part)
    marker = media / "output" / ASSEMBLED_FILE
    if marker.is_file():
        marker.replace(folder / ASSEMBLED_FILE)
    plan = json.loads((claimed / PLAN_FILE).read_text(encoding="utf-8"))
    prefix = str(old / "slides")
    for slide in [*plan.get("slides", []), *plan.get("dropped", [])]:
        path = str(slide.get("path", ""))
        if path.startswith(prefix):
            slide["path"] = str(media / "slides") + path[len(prefix) :]
    plan["media"] = token
    DeckPlan.model_validate(plan).save(folder / PLAN_FILE)
    for name in (SETTINGS_FILE, SOURCE_PPTX):
        if (claimed / name).exists():
            (claimed / name).replace(folder / name)
    shutil.rmtree(claimed, ignore_errors=True)


def _needs_job(transition: TransitionPlan) -> bool:
    """A transition needs a job unless one is in flight or its clip is already on disk."""
    if transition.status in IN_FLIGHT:
        return False
    made = transition.status == "done" and transition.clip_path is not None
    return not (made and Path(str(transition.clip_path)).exists())


def _progress(plan: DeckPlan, estimate: float | None, waiting: int = 0) -> DeckProgress:
    statuses = tuple(t.status for t in plan.transitions)
    return DeckProgress(
        total=len(statuses),
        done=sum(s == "done" for s in statuses),
        failed=tuple(t.index for t in plan.transitions if t.status in ("failed", "cancelled")),
        in_flight=sum(s in IN_FLIGHT for s in statuses),
        pending=sum(s == "pending" for s in statuses),
        statuses=statuses,
        estimate=estimate,
        waiting=waiting,
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
