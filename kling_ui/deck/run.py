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
import math
import re
import secrets
import shutil
import statistics
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
from kling_ui.deck.edits import apply_deck_hold
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
# Stitching, the PowerPoint and the ZIP after the last clip: a fixed part and a part per
# transition (seconds; bench/stitch.py measures 1.5 s for 9 clips at 1080p, plus the rest).
ASSEMBLY_SECONDS = (3.0, 0.7)
_LEGACY_DECK = re.compile(r"^[0-9a-f]{16}$")


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
    """How far a deck's transitions are: counts, per-transition statuses, how many wait to be
    handed over (the owner's queue is full), and what the time left is made of.

    `estimate` is the engine's estimate for the last of the clips handed over (their time in
    line included); `task_seconds` how long one transition takes here (None before any is
    known) and `lanes` how many of the deck's transitions run at once, for the ones still
    waiting to be handed over."""

    total: int
    done: int
    failed: tuple[int, ...]
    in_flight: int
    pending: int
    statuses: tuple[str, ...]
    estimate: float | None
    waiting: int = 0
    task_seconds: float | None = None
    lanes: int = 1

    @property
    def complete(self) -> bool:
        """Every transition has its clip."""
        return self.done == self.total

    @property
    def settled(self) -> bool:
        """Nothing handed to the engine is still running, and nothing waits to be."""
        return self.in_flight == 0 and self.waiting == 0

    def time_left(self) -> float | None:
        """Seconds until the final video is ready, about: the clips handed over (the engine's
        estimate for the last of them, waiting in line included), then the transitions still
        waiting for room, in waves of `lanes` that each take `task_seconds` (else as long as
        the clips handed over), then the assembly. None when nothing is known yet (no clip
        handed over) or nothing is left."""
        if self.complete or self.estimate is None:
            return None
        per_wave = self.task_seconds or max(self.estimate, 1.0)
        waves = math.ceil(self.waiting / max(1, self.lanes))
        fixed, per_clip = ASSEMBLY_SECONDS
        return self.estimate + waves * per_wave + fixed + per_clip * self.total

    def text(self, lang: str | None = None) -> str:
        """ "k of N transitions done" with the failed ones, the ones waiting for room and the
        time left until the final video, in the person's language ("1 transition": singular
        for one)."""
        line = Text("{done} of {total} done", "已完成 {done}/{total}").format(
            done=self.done, total=transitions_text(self.total)
        )
        if self.failed:
            numbers = ", ".join(str(i + 1) for i in self.failed)
            line = line + Text("; failed: {n}", "；失败：{n}").format(n=numbers)
        if self.waiting:
            line = line + waiting_text(self.waiting)
        left = self.time_left()
        if left is not None:
            line = line + Text(
                "; about {seconds} s left until the final video", "；约 {seconds} 秒后得到最终视频"
            ).format(seconds=round(left))
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


def transitions_text(count: int) -> Text:
    """ "1 transition", "3 transitions", "3 个转场": `count` transitions, singular for one."""
    if count == 1:
        return Text("1 transition", "1 个转场")
    return Text("{n} transitions", "{n} 个转场").format(n=count)


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


# A job's statuses from Kling taking its task until its video is here.
_AT_KLING = (JobStatus.SUBMITTED, JobStatus.PROCESSING, JobStatus.DOWNLOADING)


@dataclass
class _Timing:
    """What one look at a deck's jobs says of time: the engine's estimates for the ones in
    flight, and how long the deck's tasks took (or will take) from their create to their
    video."""

    estimates: list[float] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)

    def add(self, job: Job, left: float | None, now: float) -> None:
        """Count `job`, whose estimate (when it is in flight) is `left`."""
        at_kling = job.submitted_at is not None and not job.reused_from
        if job.status.active and left is not None:
            self.estimates.append(left)
            if at_kling and job.status in _AT_KLING:
                self.durations.append(now - float(job.submitted_at or now) + left)
        elif job.status is JobStatus.DONE and at_kling and job.finished_at is not None:
            self.durations.append(job.finished_at - float(job.submitted_at or 0.0))

    def task_seconds(self) -> float | None:
        """How long one transition takes here, from create to video (None: not known yet)."""
        return statistics.median(self.durations) if self.durations else None


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
                apply_deck_hold(deck.plan, settings.hold_seconds)  # slides' own holds stay
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
        timing = self._update(deck)
        try:
            handed = self._hand_over(deck)
        except UserError as exc:  # shown on the transitions; the person can retry them
            log.info("deck %s: waiting transitions refused: %s", deck.deck_id, exc)
            handed = []
        estimates = (self.engine.estimate(job_id) for job_id in handed)
        timing.estimates.extend(left for left in estimates if left is not None)
        self.save(deck)
        return _progress(deck.plan, timing, self.waiting(deck), self.lanes())

    def lanes(self) -> int:
        """How many of one owner's transitions run at once: the engine's slots, or fewer when
        the owner's cap on waiting jobs is lower."""
        slots, limit = self.engine.concurrency, self.engine.max_queued
        return max(1, slots if limit is None else min(slots, limit))

    def _update(self, deck: Deck) -> _Timing:
        """The plan's transitions brought up to date with their jobs; how long the running
        ones have left and how long the deck's tasks take."""
        timing = _Timing()
        now = time.time()
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
            timing.add(job, self.engine.estimate(job.id) if job.status.active else None, now)
        return timing

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
        return wait_until_settled(
            lambda: self.sync(deck), timeout=timeout, on_progress=on_progress, tick=tick
        )

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
        # Its job's status; a timed-out job stays "processing": the engine keeps following it.
        status = JobStatus.PROCESSING if job.status is JobStatus.TIMED_OUT else job.status
        clip = job.video_path if job.status is JobStatus.DONE else None
        error = job.error_text("en") if job.status is JobStatus.FAILED else None
        plan.record(index, status.value, job_id=job.id, clip_path=clip, error=error)  # type: ignore[arg-type]


def wait_until_settled(
    sync: Callable[[], DeckProgress],
    *,
    timeout: float | None = None,
    on_progress: Callable[[DeckProgress], None] | None = None,
    tick: float = 0.25,
) -> DeckProgress:
    """Call `sync` every `tick` seconds until the deck it follows has settled (nothing runs
    or waits any more) or `timeout` has passed; the last progress, each also handed to
    `on_progress`."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        progress = sync()
        if on_progress is not None:
            on_progress(progress)
        if progress.settled or (deadline is not None and time.monotonic() > deadline):
            return progress
        time.sleep(tick)


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


def _progress(plan: DeckPlan, timing: _Timing, waiting: int, lanes: int) -> DeckProgress:
    statuses = tuple(t.status for t in plan.transitions)
    return DeckProgress(
        total=len(statuses),
        done=sum(s == "done" for s in statuses),
        failed=tuple(t.index for t in plan.transitions if t.status in ("failed", "cancelled")),
        in_flight=sum(s in IN_FLIGHT for s in statuses),
        pending=sum(s == "pending" for s in statuses),
        statuses=statuses,
        estimate=max(timing.estimates) if timing.estimates else None,
        waiting=waiting,
        task_seconds=timing.task_seconds(),
        lanes=lanes,
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
