"""Pure functions that turn a deck (its plan, progress and assembly) into what the Deck tab
shows: the thumbnail strip, the speaker notes, the prompt table, the summary, the progress
panel, the retry menu.

No Gradio and no engine here: plain values in, strings, HTML and lists out, so the look of the
tab is tested without a browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kling_ui.deck.edits import pair_label, slide_number
from kling_ui.deck.plan import DeckPlan
from kling_ui.deck.run import Deck, DeckProgress
from kling_ui.deck.session import Assembly
from kling_ui.jobs.models import STATUS_LABELS, Job, JobStatus
from kling_ui.kling.capabilities import MODELS
from kling_ui.prompts import PresetLibrary
from kling_ui.ui import deck_texts  # noqa: F401  (registers the tab's strings)
from kling_ui.ui.texts import say
from kling_ui.ui.views import allowed_choices, model_choices

TABLE_COLUMNS = ("deck_col_number", "deck_col_slides", "deck_col_strategy", "deck_col_prompt")
STEPS_STYLE = "list-style:none;margin:4px 0;padding:0"
CAPTION_NOTES_CHARS = 60
# Decks opened before the loader kept the order files were given in had their uploads staged
# as "<n> · <name>" (the order they were picked in); what a person reads never shows that.
PICK_PREFIX = re.compile(r"^\d+ · ")
_PAGE_SUFFIX = re.compile(r" p\d+$")


def counted(noun: str, count: int, lang: str | None) -> str:
    """ "1 slide", "3 slides", "1 个转场": `count` of `noun` ("slide", "transition",
    "variant") in `lang`, singular when there is one."""
    key = f"count_{noun}_one" if count == 1 else f"count_{noun}"
    return say(key, lang, n=count)


def shown_name(name: str) -> str:
    """A slide's name as a person reads it (without the pick-order prefix of older decks)."""
    return PICK_PREFIX.sub("", name)


def title_from(name: str) -> str:
    """A deck's default title from its first slide's file or page name ("talk.pdf p1",
    "3 · intro.png" -> "talk", "intro")."""
    plain = _PAGE_SUFFIX.sub("", shown_name(Path(name).name))
    return Path(plain).stem.strip() or plain.strip()


def deck_models() -> list[tuple[str, str]]:
    """The model menu for decks: only models that take a first and a last frame."""
    return [(shown, name) for shown, name in model_choices() if MODELS[name].accepts_tail]


def run_controls(
    model: str, mode: str, duration: str, lang: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The deck's mode and duration controls for `model` (decks always use a last frame):
    each shows its value, and is disabled with the reason beside it when the model leaves it
    one choice (std on every v2 model, 10 s on kling-v1)."""
    modes, durations, mode_reason, duration_reason = allowed_choices(
        model, mode, has_tail=True, lang=lang
    )
    return (
        {"__type__": "update", "value": mode, "interactive": len(modes) > 1, "info": mode_reason},
        {
            "__type__": "update",
            "value": duration,
            "interactive": len(durations) > 1,
            "info": duration_reason,
        },
    )


def template_choices(library: PresetLibrary, lang: str | None) -> list[tuple[str, str]]:
    """The prompt menu: automatic (each pair's own strategy) first, then every template."""
    return [(say("deck_auto_prompt", lang), ""), *library.choices("template", lang)]


def gallery_items(plan: DeckPlan) -> list[tuple[str, str]]:
    """The thumbnail strip: each shown slide's PNG with its number and name, in order, and
    the start of its speaker notes when it has some."""
    return [(s.path, _caption(s.id, s.name, s.notes)) for s in plan.slides]


def _caption(slide_id: str, name: str, notes: str) -> str:
    caption = f"{slide_number(slide_id)} · {shown_name(name)}"
    if not notes:
        return caption
    line = " ".join(notes.split())
    if len(line) > CAPTION_NOTES_CHARS:
        line = line[: CAPTION_NOTES_CHARS - 1].rstrip() + "…"
    return f"{caption} — {line}"


def notes_markdown(plan: DeckPlan | None, lang: str | None) -> str:
    """The shown slides' speaker notes beside their numbers ("" when no slide has notes)."""
    if plan is None or not any(s.notes for s in plan.slides):
        return ""
    lines = [f"**{say('deck_notes_heading', lang)}**", ""]
    for slide in plan.slides:
        if slide.notes:
            text = _markdown_plain(" ".join(slide.notes.split()))
            lines.append(f"- **{slide_number(slide.id)}** · {text}")
    return "\n".join(lines)


def strategy_label(strategy: str | None, lang: str | None, cue: str | None = None) -> str:
    """A pair's strategy hint in words ("In place", "Camera move"), followed by what the next
    slide's notes added ("Camera move · notes: zoom, chart"); "" when neither is known."""
    shown = say(f"deck_strategy_{strategy}", lang) if strategy in ("in_place", "camera") else ""
    if cue:
        noted = say("deck_cue", lang, cue=cue)
        shown = f"{shown} · {noted}" if shown else noted
    return shown


def table_headers(lang: str | None) -> list[str]:
    """The prompt table's column names in `lang`."""
    return [say(key, lang) for key in TABLE_COLUMNS]


def table_rows(plan: DeckPlan, lang: str | None) -> list[list[str]]:
    """One row per transition: number, slides ("1 → 2"), strategy, prompt (editable)."""
    return [
        [
            str(t.index + 1),
            pair_label(plan, t.index),
            strategy_label(t.strategy, lang, t.cue),
            t.prompt,
        ]
        for t in plan.transitions
    ]


def table_value(plan: DeckPlan | None, lang: str | None) -> dict[str, Any]:
    """The Dataframe value for the prompt table (one blank row when no deck is open)."""
    rows = table_rows(plan, lang) if plan is not None else []
    return {"headers": table_headers(lang), "data": rows or [[""] * len(TABLE_COLUMNS)]}


def summary_markdown(deck: Deck, lang: str | None) -> str:
    """The deck in one line: title, counts, settings, and the slides left out."""
    plan, settings = deck.plan, deck.settings
    line = say(
        "deck_summary",
        lang,
        title=_markdown_plain(settings.title),
        slides=counted("slide", len(plan.slides), lang),
        transitions=counted("transition", len(plan.transitions), lang),
        model=settings.model,
        mode=settings.mode,
        duration=plan.duration,
    )
    if plan.dropped:
        numbers = ", ".join(str(slide_number(s.id)) for s in plan.dropped)
        line += " · " + say("deck_left_out", lang, slides=numbers)
    own = own_holds_text(plan)
    if own:
        line += " · " + say(
            "deck_own_holds", lang, seconds=seconds_text(plan.hold_seconds), holds=own
        )
    return line


def seconds_text(seconds: float) -> str:
    """Seconds as a person reads them: "2", "2.5"."""
    return f"{seconds:g}"


def own_holds_text(plan: DeckPlan) -> str:
    """The shown slides held for their own time, by number: "2: 5 s, 4: 0 s" ("" if none)."""
    return ", ".join(
        f"{slide_number(s.id)}: {seconds_text(s.hold_seconds)} s"
        for s in plan.slides
        if s.hold_seconds is not None
    )


def hold_choices(plan: DeckPlan | None) -> list[tuple[str, str]]:
    """The slide menu of the hold-time control: each shown slide by number and name, with
    its hold time in seconds ("2 · intro.pdf p2 · 5 s", "s002")."""
    if plan is None:
        return []
    return [
        (f"{slide_number(s.id)} · {shown_name(s.name)} · {seconds_text(held)} s", s.id)
        for s, held in zip(plan.slides, plan.holds(), strict=True)
    ]


def hold_menu(plan: DeckPlan | None, chosen: str | None) -> dict[str, Any]:
    """The slide menu's update: its choices, keeping `chosen` while that slide is shown."""
    choices = hold_choices(plan)
    kept = chosen if chosen in {value for _, value in choices} else None
    return {"__type__": "update", "choices": choices, "value": kept}


def held_for(plan: DeckPlan, slide_id: str | None) -> float | None:
    """How long the shown slide `slide_id` is held (None for no such slide)."""
    holds = {s.id: held for s, held in zip(plan.slides, plan.holds(), strict=True)}
    return holds.get(slide_id or "")


def shared_negative(plan: DeckPlan) -> str | None:
    """The negative prompt every transition has (None when they differ)."""
    found = {t.negative_prompt for t in plan.transitions}
    return found.pop() if len(found) == 1 else None


def opened_message(deck: Deck, progress: DeckProgress, lang: str | None) -> str:
    """The notice after a deck is opened, saying what a second run will reuse."""
    message = say(
        "deck_opened",
        lang,
        title=deck.settings.title,
        slides=counted("slide", len(deck.plan.slides), lang),
        transitions=counted("transition", len(deck.plan.transitions), lang),
    )
    if progress.done:
        total = counted("transition", progress.total, lang)
        message += " " + say("deck_resumed", lang, done=progress.done, total=total)
    return message


def queued_message(submitted: int, waiting: int, limit: int, lang: str | None) -> str:
    """What Generate did: how many transitions went to the engine, how many wait for room."""
    if not (submitted or waiting):
        return say("deck_nothing_new", lang)
    message = say("deck_queued", lang, count=counted("transition", submitted, lang))
    if waiting:
        more = counted("transition", waiting, lang)
        message += " " + say("deck_waiting_note", lang, count=more, limit=limit)
    return message


def presenter_html(presenter: Path | None, lang: str | None) -> str:
    """A link that opens the deck's presenter page in a new tab ("" before it exists)."""
    if presenter is None:
        return ""
    href = "gradio_api/file=" + quote(str(presenter))
    text = html.escape(say("deck_open_presenter", lang))
    hint = html.escape(say("deck_presenter_hint", lang))
    return (
        f'<div class="kts-presenter"><a href="{href}" target="_blank" rel="noopener" '
        f'id="kts-deck-presenter-link">{text}</a> <span class="kts-meta">{hint}</span></div>'
    )


def status_label(status: str, lang: str | None) -> str:
    """A transition's status in words; "pending" (not handed to the engine) is "Not started"."""
    if status == "pending":
        return say("deck_status_pending", lang)
    return STATUS_LABELS[JobStatus(status)].get(lang)


def failure_texts(jobs: Iterable[Job], plan: DeckPlan, lang: str | None) -> dict[int, str]:
    """What went wrong with each failed transition, from its engine job, in `lang`."""
    by_id = {job.id: job for job in jobs}
    found: dict[int, str] = {}
    for transition in plan.transitions:
        job = by_id.get(transition.job_id or "")
        if transition.status == "failed" and job is not None:
            found[transition.index] = job.error_text(lang) or transition.error or ""
    return found


def retry_choices(plan: DeckPlan, progress: DeckProgress) -> list[tuple[str, int]]:
    """The failed (or cancelled) transitions a person can retry alone: ("2: 2 → 3", 1)."""
    return [(f"{i + 1}: {pair_label(plan, i)}", i) for i in progress.failed]


def assembly_line(assembly: Assembly, lang: str | None) -> str:
    """What the final video is doing, in words ("" while clips are still missing)."""
    if assembly.state == "running":
        return say("deck_assembling", lang)
    if assembly.state == "ready" and assembly.files is not None:
        return say("deck_ready", lang, seconds=f"{assembly.files.duration:.1f}")
    if assembly.state == "failed":
        error = assembly.error
        shown = error.text(lang) if hasattr(error, "text") else type(error).__name__
        return say("deck_assembly_failed", lang, error=shown)
    return ""


def progress_html(
    plan: DeckPlan,
    progress: DeckProgress,
    assembly: Assembly,
    failures: Mapping[int, str],
    lang: str | None,
) -> str:
    """The progress panel: "k of N transitions done" with the time left (`DeckProgress.text`),
    a bar, each transition's status (and error), and the final video's state. Everything is
    escaped."""
    fraction = progress.done / progress.total if progress.total else 0.0
    state = assembly.state if progress.complete else ("failed" if progress.failed else "running")
    steps = []
    for transition in plan.transitions:
        index = transition.index
        error = failures.get(index) or (transition.error if transition.status == "failed" else "")
        detail = f' <span class="kts-error">{html.escape(error)}</span>' if error else ""
        steps.append(
            f'<li class="kts-deck-step kts-{transition.status}" data-index="{index + 1}" '
            f'data-status="{transition.status}">'
            f'<span class="kts-badge">{html.escape(pair_label(plan, index))}</span> '
            f"{html.escape(status_label(transition.status, lang))}{detail}</li>"
        )
    line = assembly_line(assembly, lang)
    final = (
        f'<div class="kts-deck-assembly kts-msg" data-state="{assembly.state}">'
        f"{html.escape(line)}</div>"
        if line
        else ""
    )
    return (
        f'<div class="kts-deck-progress" data-state="{state}" data-done="{progress.done}" '
        f'data-total="{progress.total}" data-waiting="{progress.waiting}">'
        f'<div class="kts-deck-headline"><strong>{html.escape(progress.text(lang))}'
        "</strong></div>"
        f'<div class="kts-bar"><div style="width:{fraction * 100:.0f}%"></div></div>'
        f'<ul class="kts-deck-steps" style="{STEPS_STYLE}">{"".join(steps)}</ul>'
        f"{final}</div>"
    )


def empty_progress_html(lang: str | None) -> str:
    """The progress panel before any deck is open."""
    return f'<div class="kts-deck-progress kts-empty">{html.escape(say("deck_empty", lang))}</div>'


def _markdown_plain(value: str) -> str:
    """A person's text made safe inside Markdown (no markup, no HTML)."""
    escaped = html.escape(value, quote=False)
    for char in "\\`*_{}[]()#+-.!|~>":
        escaped = escaped.replace(char, "\\" + char)
    return escaped
