"""What a person changes in a deck, applied to its plan: the slide order typed as numbers,
prompts edited in the table, the duration, the negative prompt, hold times, and the prompt
defaults.

Pure functions over a `DeckPlan` (no Gradio, no engine): the Deck tab (and the runner, for the
hold time a deck is opened with) loads the plan, calls one of these and saves it. Refusals a
person can fix are `UserError`s; table edits apply what they can and return the rest as
refusals, so one bad cell never loses the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kling_ui.deck import errors
from kling_ui.deck.plan import (
    IN_FLIGHT,
    MAX_PROMPT_CHARS,
    DeckPlan,
    Duration,
    PairDefault,
    PromptDefaulter,
    SlideRef,
)
from kling_ui.deck.prompting import preset_defaulter
from kling_ui.i18n import UserError
from kling_ui.prompts import (
    DEFAULT_NEGATIVE,
    PresetLibrary,
    PromptParts,
    build_negative_prompt,
    prompt_length,
)

_SEPARATORS = re.compile(r"[\s,，、;；]+")
_SLIDE_ID = re.compile(r"^s(\d+)$")


@dataclass(frozen=True)
class EditOutcome:
    """Which transitions (0-based) an edit changed, and the edits it had to refuse."""

    changed: tuple[int, ...] = ()
    refused: tuple[UserError, ...] = ()


def slide_number(slide_id: str) -> int:
    """The number a person sees for a slide: its place in the upload ("s003" -> 3)."""
    found = _SLIDE_ID.match(slide_id)
    if found is None:
        raise ValueError(f"not a slide id: {slide_id!r}")
    return int(found.group(1))


def pair_label(plan: DeckPlan, index: int) -> str:
    """A transition named by its slides' numbers, e.g. "3 → 1"."""
    transition = plan.transitions[index]
    return _label(transition.from_slide, transition.to_slide)


def _label(from_slide: str, to_slide: str) -> str:
    return f"{slide_number(from_slide)} → {slide_number(to_slide)}"


def numbers_text(indexes: Sequence[int]) -> str:
    """0-based transition indexes as the 1-based numbers a person reads ("1, 3")."""
    return ", ".join(str(i + 1) for i in indexes)


def order_text(plan: DeckPlan) -> str:
    """The shown slides' numbers in order, as the order box shows them ("3, 1, 2")."""
    return ", ".join(str(slide_number(s.id)) for s in plan.slides)


def parse_order(value: str, plan: DeckPlan) -> list[str]:
    """The slide ids a typed order names ("3, 1, 2", "3 1 2", "3，1，2"), in that order.

    Numbers may name slides left out before, which brings them back. Raises `UserError`
    deck.bad_order_text for a token that is not one of the deck's slide numbers and
    deck.repeated_slide for a number given twice (fewer than two slides is the plan's refusal).
    """
    known = {slide_number(s.id): s.id for s in [*plan.slides, *plan.dropped]}
    chosen: list[str] = []
    for token in (t for t in _SEPARATORS.split(value.strip()) if t):
        number = int(token) if token.isdecimal() else None
        if number is None or number not in known:
            raise errors.bad_order_number(token[:20], max(known))
        if known[number] in chosen:
            raise errors.repeated_slide(number)
        chosen.append(known[number])
    return chosen


def apply_order(plan: DeckPlan, value: str, defaulter: PromptDefaulter) -> None:
    """Show the slides in the typed order, dropping the ones left out (see `parse_order`)."""
    plan.reorder(parse_order(value, plan), defaulter)


def apply_prompt_edits(plan: DeckPlan, rows: Sequence[Sequence[object]]) -> EditOutcome:
    """Take the prompt column of the edited table (rows of number, slides, strategy, prompt)
    into the plan.

    Rows are matched by their slides ("3 → 1"), not their place, so a table shown before the
    deck was rearranged elsewhere still edits the right transition; an edit to a pair that
    is no longer in the deck is refused. A changed prompt makes the transition's clip stale
    (it is made again on the next Generate); a transition in flight or a prompt over 2500
    characters is refused, and the other rows still apply.
    """
    current = {pair_label(plan, t.index): t for t in plan.transitions}
    set_aside = {_label(t.from_slide, t.to_slide): t for t in plan.retired}
    changed: list[int] = []
    refused: list[UserError] = []
    for row in rows:
        if len(row) < 4:
            continue
        slides, prompt = str(row[1]), str(row[3] if row[3] is not None else "").strip()
        transition = current.get(slides)
        if transition is None:
            gone = set_aside.get(slides)
            if gone is not None and gone.prompt != prompt:
                refused.append(errors.table_stale(slides))
            continue
        if prompt == transition.prompt:
            continue
        try:
            plan.edit_transition(transition.index, prompt=prompt)
        except UserError as exc:
            refused.append(exc)
            continue
        changed.append(transition.index)
    return EditOutcome(tuple(sorted(changed)), tuple(refused))


def apply_duration(plan: DeckPlan, duration: Duration) -> EditOutcome:
    """Make every transition `duration` seconds long; a clip made at another length is made
    again on the next Generate. Transitions in flight are refused (their clip is paid for)."""
    changed: list[int] = []
    refused: list[UserError] = []
    plan.duration = duration
    for transition in plan.transitions:
        if transition.duration == duration:
            continue
        if transition.status in IN_FLIGHT:
            refused.append(errors.transition_busy(transition.index + 1))
            continue
        plan.edit_transition(transition.index, duration=duration)
        changed.append(transition.index)
    return EditOutcome(tuple(changed), tuple(refused))


def apply_negative_prompt(plan: DeckPlan, negative: str) -> EditOutcome:
    """Give every transition the deck's negative prompt `negative`; a clip made with another
    one is made again on the next Generate. Transitions in flight are refused (their clip is
    paid for). Raises `UserError` deck.prompt_too_long past 2500 characters.

    The deck's negative prompt is a setting of the whole deck, not a person's edit of one
    transition's prompt: whether a prompt was edited is kept as it was, so a new prompt
    language or template still refreshes the prompts the person has not touched.
    """
    negative = negative.strip()
    if prompt_length(negative) > MAX_PROMPT_CHARS:
        raise errors.prompt_too_long(prompt_length(negative), MAX_PROMPT_CHARS)
    changed: list[int] = []
    refused: list[UserError] = []
    for transition in plan.transitions:
        if transition.negative_prompt == negative:
            continue
        if transition.status in IN_FLIGHT:
            refused.append(errors.transition_busy(transition.index + 1))
            continue
        edited = transition.prompt_edited
        plan.edit_transition(transition.index, negative_prompt=negative)
        transition.prompt_edited = edited
        changed.append(transition.index)
    return EditOutcome(tuple(changed), tuple(refused))


def default_negative(library: PresetLibrary, lang: str | None) -> str:
    """The library's default negative prompt in `lang` (what the CLI's `deck` command uses)."""
    return build_negative_prompt(library, lang, DEFAULT_NEGATIVE)


def negative_for_language(
    library: PresetLibrary, current: str | None, lang: str | None, langs: Sequence[str]
) -> str:
    """The negative prompt to show after the prompt language changes to `lang`: the default
    in `lang` when `current` is empty or the default in one of `langs`; else the person's own
    words, kept as they are."""
    shown = (current or "").strip()
    if not shown or shown in {default_negative(library, code) for code in langs}:
        return default_negative(library, lang)
    return shown


def with_negative(defaulter: PromptDefaulter, negative: str | None) -> PromptDefaulter:
    """`defaulter` with every pair given the deck's negative prompt `negative` (as typed in
    the tab); `defaulter` unchanged when `negative` is None."""
    if negative is None:
        return defaulter
    shown = negative.strip()

    def default(first: SlideRef, last: SlideRef) -> PairDefault:
        """`defaulter`'s default for the pair, with the deck's negative prompt."""
        return defaulter(first, last).model_copy(update={"negative_prompt": shown})

    return default


def apply_deck_hold(plan: DeckPlan, seconds: float) -> bool:
    """Hold every slide without its own hold time for `seconds`; whether it changed. Slides
    given their own hold time keep it (the plan's `set_hold` for the whole deck would clear
    them). Raises `UserError` deck.bad_hold outside 0..60 s."""
    if float(seconds) == plan.hold_seconds:
        return False
    own = {s.id: s.hold_seconds for s in [*plan.slides, *plan.dropped]}
    plan.set_hold(float(seconds))
    for slide in [*plan.slides, *plan.dropped]:
        slide.hold_seconds = own[slide.id]  # already checked when they were set
    return True


def apply_slide_hold(plan: DeckPlan, slide_id: str | None, seconds: float | None) -> None:
    """Hold the shown slide `slide_id` for `seconds` (None: the deck's hold time again).

    Raises `UserError` deck.no_hold_slide when no slide is chosen, deck.unknown_slide for a
    slide not shown, and deck.bad_hold outside 0..60 s."""
    if not slide_id:
        raise errors.no_hold_slide()
    plan.set_hold(None if seconds is None else float(seconds), slide_id)


def defaulter_for(
    library: PresetLibrary,
    lang: str | None,
    template: str | None,
    negative: str | None = None,
) -> PromptDefaulter:
    """Default prompts for new pairs: the chosen template for every pair, or (no template)
    each pair's own strategy hint; the deck's `negative` prompt (None: the default negative
    prompt in `lang`)."""
    chosen = PromptParts(template=template) if template else None
    defaulter = preset_defaulter(library, lang, chosen, negative=DEFAULT_NEGATIVE)
    return with_negative(defaulter, negative)
