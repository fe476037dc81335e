"""Default prompts for a deck's transitions: the chosen presets, the next slide's speaker notes
and each pair's strategy hint.

The hint (kling_ui.prompts.strategy) compares the two slides and suggests prompt parts: an
in-place evolution for similar slides, a camera-driven move for different ones. The speaker
notes of the slide the transition arrives at may nudge single parts and add the author's own
words (kling_ui.deck.cues). What the person chose explicitly wins: a whole template is used as
is; single parts (camera, subject, environment, text stability, extra words) replace the
suggestion for that part only.
"""

from __future__ import annotations

from pathlib import Path

from kling_ui.deck.cues import read_cue
from kling_ui.deck.plan import PairDefault, PromptDefaulter, SlideRef
from kling_ui.prompts.builder import (
    DEFAULT_NEGATIVE,
    PART_FIELDS,
    PromptParts,
    build_negative_prompt,
    build_prompt,
)
from kling_ui.prompts.library import PresetLibrary
from kling_ui.prompts.strategy import strategy_hint


def merged_parts(chosen: PromptParts | None, suggested: PromptParts) -> PromptParts:
    """The parts to build a pair's prompt from: `suggested` with the person's choices on top."""
    if chosen is None or chosen.is_empty():
        return suggested
    if chosen.template:
        return chosen
    update: dict[str, str] = {
        name: value for name in PART_FIELDS if (value := getattr(chosen, name) or "").strip()
    }
    if chosen.extra.strip():
        update["extra"] = chosen.extra
    return suggested.model_copy(update=update)


def preset_defaulter(
    library: PresetLibrary,
    lang: str | None,
    chosen: PromptParts | None = None,
    negative: str | None = DEFAULT_NEGATIVE,
) -> PromptDefaulter:
    """A `PromptDefaulter` building each pair's prompt from its hint and the chosen presets."""
    negative_prompt = build_negative_prompt(library, lang, negative)

    whole_template = chosen is not None and bool(chosen.template)
    own_parts = {
        name for name in PART_FIELDS if chosen is not None and (getattr(chosen, name) or "").strip()
    }

    def default(first: SlideRef, last: SlideRef) -> PairDefault:
        hint = strategy_hint(Path(first.path), Path(last.path))
        cue = read_cue("" if whole_template else last.notes).without(own_parts)
        parts = cue.with_direction(merged_parts(chosen, cue.presets_on(hint.parts)))
        return PairDefault(
            prompt=build_prompt(parts, library, lang),
            negative_prompt=negative_prompt,
            strategy=hint.strategy,
            cue=cue.label(),
        )

    return default
