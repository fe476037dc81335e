"""Deck prompt defaults: each pair's strategy hint, with the person's preset choices on top."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from deck_media import slide_image
from PIL import ImageDraw

from kling_ui.deck import DeckPlan, Slide
from kling_ui.deck.prompting import merged_parts, preset_defaulter
from kling_ui.prompts.builder import PromptParts, build_prompt
from kling_ui.prompts.library import PresetLibrary, load_library
from kling_ui.prompts.strategy import SUGGESTED_PARTS

Slides = Callable[[int], list[Path]]


@pytest.fixture(scope="module")
def library() -> PresetLibrary:
    return load_library()


def _deck(tmp_path: Path) -> list[Slide]:
    """Slide 1 and 2 share a layout (a word changes); slide 3 is a different picture."""
    paths = []
    first = slide_image(0)
    similar = first.copy()
    ImageDraw.Draw(similar).rectangle((250, 20, 300, 40), fill=(0, 0, 0))
    for index, image in enumerate([first, similar, slide_image(6)]):
        path = tmp_path / f"s{index}.png"
        image.save(path)
        paths.append(path)
    return [Slide(i, p.name, p, f"{i:064x}") for i, p in enumerate(paths)]


def test_each_pair_gets_the_prompt_its_strategy_suggests(
    tmp_path: Path, library: PresetLibrary
) -> None:
    plan = DeckPlan.create(_deck(tmp_path), preset_defaulter(library, "en"))
    assert [t.strategy for t in plan.transitions] == ["in_place", "camera"]
    assert plan.transitions[0].prompt == build_prompt(SUGGESTED_PARTS["in_place"], library, "en")
    assert plan.transitions[1].prompt == build_prompt(SUGGESTED_PARTS["camera"], library, "en")
    assert plan.transitions[0].negative_prompt


def test_a_chosen_camera_replaces_only_the_suggested_camera() -> None:
    merged = merged_parts(PromptParts(camera="push_in"), SUGGESTED_PARTS["camera"])
    assert merged.camera == "push_in"
    assert merged.subject == SUGGESTED_PARTS["camera"].subject


def test_a_chosen_template_is_used_as_it_is() -> None:
    chosen = PromptParts(template="seed")
    assert merged_parts(chosen, SUGGESTED_PARTS["in_place"]) == chosen


def test_prompts_follow_the_language(tmp_path: Path, library: PresetLibrary) -> None:
    plan = DeckPlan.create(_deck(tmp_path), preset_defaulter(library, "zh-CN"))
    assert plan.transitions[0].prompt == build_prompt(SUGGESTED_PARTS["in_place"], library, "zh-CN")
