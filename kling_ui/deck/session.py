"""The decks' workspace: decks opened, edited, run, followed and assembled, safely from many
page events at once (the Deck tab) or one after the other (the `deck` command).

Every event of the page (an edit, Generate, the shared timer's tick) loads a deck's plan,
changes it and saves it; one lock per deck keeps them from overwriting each other's work (a
tick saving a stale plan would forget the jobs Generate just recorded). The final video is
assembled once per state of the deck, on its own thread, so a tick never waits for the
stitching and two ticks never stitch the same deck; what was assembled is noted in the deck's
state folder, so a reload or a restart shows it without stitching again.

Every deck has an owner (a login or a browser, see `ui.common.submitter_of`; None for the
command line's decks) and every method that reads or changes one takes the asker: another
owner's deck answers like no deck at all.
Which deck each owner has open is kept in the (never served) deck-state folder, keyed by a
hash of the owner, so a reload, another tab or a restart opens it again. A
`gr.BrowserState` would not do: the Deck tab is not shown first, and Gradio reads a
BrowserState from localStorage only once its tab is shown, after the page's load event.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kling_ui.deck.edits import apply_deck_hold
from kling_ui.deck.errors import no_deck
from kling_ui.deck.plan import PLAN_FILE, PromptDefaulter
from kling_ui.deck.run import (
    ASSEMBLED_FILE,
    OPEN_DECKS_FILE,
    Deck,
    DeckOutputs,
    DeckProgress,
    DeckRunner,
    DeckSettings,
    wait_until_settled,
)
from kling_ui.i18n import UserError
from kling_ui.jobs.accounts import Credentials

log = logging.getLogger("kling_ui.deck.session")

DECK_ID = re.compile(r"^[0-9a-f]{16}$")
MAX_REMEMBERED = 2000
# How long a tick waits for a deck another event is changing before it skips this round.
TICK_WAIT_S = 0.3
# Whose the command line's jobs are (its decks have no owner).
CLI_SUBMITTER = "cli"

AssemblyState = Literal["waiting", "running", "ready", "failed"]


@dataclass(frozen=True)
class AssembledFiles:
    """The final video, presenter page, ZIP bundle and PowerPoint of an assembled deck."""

    video: Path
    presenter: Path
    bundle: Path
    duration: float
    pptx: Path | None = None

    def downloads(self) -> list[str]:
        """What the tab offers to download: the video, the PowerPoint, the ZIP."""
        files = [self.video, self.pptx, self.bundle]
        return [str(f) for f in files if f is not None]


@dataclass(frozen=True)
class Assembly:
    """Where a deck's final video stands: waiting for clips, being stitched, ready, failed."""

    state: AssemblyState
    files: AssembledFiles | None = None
    error: Exception | None = None


@dataclass(frozen=True)
class Followed:
    """A deck as one tick sees it: the plan brought up to date, its progress, its assembly."""

    deck: Deck
    progress: DeckProgress
    assembly: Assembly


def assembly_key(deck: Deck) -> str:
    """What the final video is made from (title, slides in order, holds, clips): the same key
    means the video already assembled is still the right one."""
    plan = deck.plan
    blob = json.dumps(
        {
            "title": deck.settings.title,
            "slides": [[s.id, s.sha256] for s in plan.slides],
            "holds": plan.holds(),
            "clips": [t.clip_path for t in plan.transitions],
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _who_key(who: str) -> str:
    """A browser id or login name as stored: hashed, so the file names no one."""
    return hashlib.sha256(who.encode()).hexdigest()[:32]


class DeckWorkspace:
    """Decks under the runner's folder, each changed under its own lock (see module doc)."""

    def __init__(self, runner: DeckRunner) -> None:
        self.runner = runner
        self._guard = threading.Lock()
        self._opening = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}
        self._assembling: dict[str, str] = {}  # deck id -> the key being assembled
        self._failures: dict[str, tuple[str, Exception]] = {}  # deck id -> (key, error)
        self._owners: dict[str, str | None] = {}  # deck id -> its owner, as read once
        self._open_file = runner.state_dir / OPEN_DECKS_FILE

    # ---- which deck a browser has open ----------------------------------------------------

    def remember(self, who: str, deck_id: str) -> None:
        """Note that `who` (a browser or a logged-in person) has `deck_id` open."""
        if not self.known(deck_id, who):
            return
        with self._guard:
            table = self._read_open()
            table.pop(_who_key(who), None)
            table[_who_key(who)] = deck_id
            while len(table) > MAX_REMEMBERED:
                table.pop(next(iter(table)))
            self._write_open(table)

    def remembered(self, who: str) -> str | None:
        """The deck `who` had open last, if it still exists and is theirs. A deck from
        before decks had owners is theirs from now on if they had it open then."""
        with self._guard:
            deck_id = self._read_open().get(_who_key(who))
        if self.known(deck_id, who):
            return deck_id
        if self._claim_unowned(deck_id, who):
            return deck_id
        return None

    def _claim_unowned(self, deck_id: object, who: str) -> bool:
        """Make a deck without an owner (opened before owners existed, by `who`) theirs."""
        if not self._saved(deck_id) or self._owner(str(deck_id)) is not None:
            return False
        with self._lock(str(deck_id)):
            deck = self.runner.load(str(deck_id))
            if deck.plan.owner is not None:
                return deck.plan.owner == who
            deck.plan.owner = who
            self.runner.save(deck)
        with self._guard:
            self._owners[str(deck_id)] = who
        log.info("deck %s from before owners now belongs to its last viewer", deck_id)
        return True

    def _read_open(self) -> dict[str, str]:
        try:
            table = json.loads(self._open_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(table, dict):
            return {}
        return {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, str)}

    def _write_open(self, table: dict[str, str]) -> None:
        self._open_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._open_file.parent, prefix=".open-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(table, handle)
            os.replace(tmp, self._open_file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # ---- finding and opening ------------------------------------------------------------

    def _saved(self, deck_id: object) -> bool:
        """Whether `deck_id` (as a browser sent it) names a saved deck, whoever's."""
        return (
            isinstance(deck_id, str)
            and DECK_ID.match(deck_id) is not None
            and (self.runner.state_dir / deck_id / PLAN_FILE).is_file()
        )

    def _owner(self, deck_id: str) -> str | None:
        """The owner of a saved deck (read once, then remembered: it never changes, except
        once for a deck from before owners)."""
        with self._guard:
            if deck_id in self._owners:
                return self._owners[deck_id]
        owner = self.runner.load(deck_id).plan.owner
        with self._guard:
            self._owners[deck_id] = owner
        return owner

    def known(self, deck_id: object, owner: str | None = None) -> bool:
        """Whether `deck_id` (as a browser sent it) names a saved deck of `owner` (None: the
        command line's decks). Another owner's deck is not known here."""
        return self._saved(deck_id) and self._owner(str(deck_id)) == owner

    def load(self, deck_id: object, owner: str | None = None) -> Deck | None:
        """`owner`'s saved deck `deck_id` names; None for anything else (a browser's stale
        value, another owner's deck)."""
        if not self.known(deck_id, owner):
            return None
        return self.runner.load(str(deck_id))

    def open(
        self,
        inputs: Sequence[Path],
        settings: DeckSettings,
        defaulter: PromptDefaulter,
        *,
        owner: str | None = None,
    ) -> Deck:
        """Open `owner`'s deck for these files and settings (the one they made before, if
        any; another owner's slides make another deck).

        Opening is one at a time; title and hold time are set again under the deck's lock, in
        case a tick saved the deck between the runner's opening and now (slides given their
        own hold time keep it)."""
        with self._opening:  # two uploads of the same slides must not build one folder twice
            opened = self.runner.open(inputs, settings, defaulter, owner=owner)
        with self._lock(opened.deck_id):
            deck = self.runner.load(opened.deck_id)
            apply_deck_hold(deck.plan, settings.hold_seconds)
            current = Deck(deck.folder, opened.settings, deck.plan)
            self.runner.save(current)
        return current

    @contextlib.contextmanager
    def editing(self, deck_id: object, owner: str | None = None) -> Iterator[Deck]:
        """`owner`'s deck, loaded under its lock and saved when the block ends without an
        error; deck.none_open for anyone else's."""
        if not self.known(deck_id, owner):
            raise no_deck()
        with self._lock(str(deck_id)):
            deck = self.runner.load(str(deck_id))
            yield deck
            self.runner.save(deck)

    def update_settings(
        self, deck_id: object, *, owner: str | None = None, **changes: object
    ) -> Deck:
        """Change `owner`'s deck's saved settings (e.g. its title or duration)."""
        if not self.known(deck_id, owner):
            raise no_deck()
        with self._lock(str(deck_id)):
            deck = self.runner.load(str(deck_id))
            updated = Deck(deck.folder, deck.settings.model_copy(update=changes), deck.plan)
            self.runner.save(updated)
            return updated

    # ---- running ------------------------------------------------------------------------

    def submit(
        self,
        deck_id: object,
        *,
        submitter: str | None,
        credentials: Credentials | None = None,
        indexes: Sequence[int] | None = None,
        new_take: bool = False,
    ) -> list[str]:
        """Hand the deck's transitions without a clip or a job in flight to the engine (only
        `indexes` when given); their job ids. Returns at once: the engine runs them. Only
        the deck's owner (`submitter`; None: the command line, whose jobs are "cli") may;
        what their queue has no room for yet follows as their earlier jobs finish
        (`waiting`).

        With `new_take`, a transition identical to one Kling already made is made again
        instead of reusing that clip."""
        if not self.known(deck_id, submitter):
            raise no_deck()
        with self._lock(str(deck_id)):
            deck = self.runner.load(str(deck_id))
            ids = self.runner.submit(
                deck,
                submitter=submitter or CLI_SUBMITTER,
                credentials=credentials,
                indexes=indexes,
                new_take=new_take,
            )
        with self._guard:
            self._failures.pop(str(deck_id), None)  # a new attempt may assemble again
        return ids

    def waiting(self, deck_id: object, owner: str | None = None) -> int:
        """How many of `owner`'s deck's transitions wait for room in their queue."""
        deck = self.load(deck_id, owner)
        return 0 if deck is None else self.runner.waiting(deck)

    def sync(self, deck_id: object, owner: str | None = None) -> DeckProgress:
        """`owner`'s deck brought up to date with the engine (transitions waiting for room
        handed over) under its lock; its progress. deck.none_open for anyone else's."""
        if not self.known(deck_id, owner):
            raise no_deck()
        with self._lock(str(deck_id)):
            return self.runner.sync(self.runner.load(str(deck_id)))

    def wait(
        self,
        deck_id: object,
        owner: str | None = None,
        *,
        timeout: float | None = None,
        on_progress: Callable[[DeckProgress], None] | None = None,
    ) -> DeckProgress:
        """Follow `owner`'s deck (`sync`) until nothing of it runs or waits any more (or
        `timeout`); the last progress."""
        return wait_until_settled(
            lambda: self.sync(deck_id, owner), timeout=timeout, on_progress=on_progress
        )

    def follow(self, deck_id: object, owner: str | None = None) -> Followed | None:
        """`owner`'s deck brought up to date with the engine (transitions waiting for room
        handed over), and its final video started or found.

        None when there is no such deck of theirs, or when another event holds the deck
        right now (the next tick will see it)."""
        if not self.known(deck_id, owner):
            return None
        lock = self._lock(str(deck_id))
        if not lock.acquire(timeout=TICK_WAIT_S):
            return None
        try:
            deck = self.runner.load(str(deck_id))
            progress = self.runner.sync(deck)
        finally:
            lock.release()
        return Followed(deck, progress, self.assembly(deck, progress))

    # ---- assembling ---------------------------------------------------------------------

    def assembly(self, deck: Deck, progress: DeckProgress) -> Assembly:
        """The final video of `deck` as it stands; starts assembling it (once) when every
        transition has its clip and nothing assembled matches the deck."""
        if not progress.complete:
            return Assembly("waiting")
        key = assembly_key(deck)
        ready = self.assembled(deck, key)
        if ready is not None:
            return Assembly("ready", files=ready)
        with self._guard:
            if deck.deck_id in self._assembling:
                return Assembly("running")
            failed = self._failures.get(deck.deck_id)
            if failed is not None and failed[0] == key:
                return Assembly("failed", error=failed[1])
            self._assembling[deck.deck_id] = key
        worker = threading.Thread(
            target=self._assemble,
            args=(deck.deck_id, key),
            name=f"deck-assemble-{deck.deck_id}",
            daemon=True,
        )
        worker.start()
        return Assembly("running")

    def assembled(self, deck: Deck, key: str | None = None) -> AssembledFiles | None:
        """The files assembled for this state of the deck, if they are on disk (the record
        is in the deck's state folder; the files in its served media folder)."""
        marker = deck.folder / ASSEMBLED_FILE
        try:
            noted = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(noted, dict) or noted.get("key") != (key or assembly_key(deck)):
            return None
        if not deck.plan.media:
            return None
        media = self.runner.decks_dir / deck.plan.media
        try:
            files = AssembledFiles(
                video=media / str(noted["video"]),
                presenter=media / str(noted["presenter"]),
                bundle=media / str(noted["bundle"]),
                duration=float(noted["duration"]),
                pptx=media / str(noted["pptx"]),
            )
        except (KeyError, TypeError, ValueError):
            return None  # also a deck assembled before PowerPoint output: assembled again
        if not all(f is not None and f.is_file() for f in (files.video, files.bundle, files.pptx)):
            return None
        return files

    def assemble(self, deck_id: object, owner: str | None = None) -> DeckOutputs:
        """Assemble `owner`'s deck now, under its lock (the final video, the PowerPoint, the
        presenter page and the ZIP), and note what was assembled in its state folder, so the
        page shows it without stitching again. deck.none_open for anyone else's deck,
        deck.not_ready while a transition lacks its clip."""
        if not self.known(deck_id, owner):
            raise no_deck()
        return self._assemble_now(str(deck_id))

    def _assemble_now(self, deck_id: str) -> DeckOutputs:
        with self._lock(deck_id):
            deck = self.runner.load(deck_id)
            outputs = self.runner.assemble(deck)
            media = self.runner.media_dir(deck)
            noted = {
                "key": assembly_key(deck),
                "video": str(outputs.video.relative_to(media)),
                "presenter": str(outputs.presenter.relative_to(media)),
                "bundle": str(outputs.bundle.relative_to(media)),
                "pptx": str(outputs.pptx.relative_to(media)),
                "duration": outputs.report.duration,
            }
            marker = deck.folder / ASSEMBLED_FILE
            marker.write_text(json.dumps(noted, indent=2), encoding="utf-8")
        return outputs

    def _assemble(self, deck_id: str, key: str) -> None:
        """The assembling thread of `assembly`: failures are kept for the page to show."""
        try:
            outputs = self._assemble_now(deck_id)
            log.info("deck %s assembled: %s", deck_id, outputs.video.name)
        except Exception as exc:
            if not isinstance(exc, UserError):
                log.exception("deck %s could not be assembled", deck_id)
            else:
                log.info("deck %s not assembled: %s", deck_id, exc)
            with self._guard:
                self._failures[deck_id] = (key, exc)
        finally:
            with self._guard:
                self._assembling.pop(deck_id, None)

    def _lock(self, deck_id: str) -> threading.RLock:
        with self._guard:
            return self._locks.setdefault(deck_id, threading.RLock())
