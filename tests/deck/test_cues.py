"""Speaker notes as a hint for the transition into their slide: cue words nudge the prompt
parts, a "Transition:" line adds the author's words, and the person's own choices still win."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from deck_media import slide_image

from kling_ui.deck import DeckPlan, Slide
from kling_ui.deck.cues import read_cue
from kling_ui.deck.prompting import preset_defaulter
from kling_ui.prompts.builder import PromptParts, build_prompt
from kling_ui.prompts.library import PresetLibrary, load_library
from kling_ui.prompts.strategy import SUGGESTED_PARTS


@pytest.fixture(scope="module")
def library() -> PresetLibrary:
    return load_library()


def _slides(tmp_path: Path, notes: list[str]) -> list[Slide]:
    """Very different slides (every pair gets the "camera" strategy) with these notes."""
    slides = []
    for index, text in enumerate(notes):
        path = tmp_path / f"s{index}.png"
        slide_image(index * 3).save(path)
        slides.append(Slide(index, path.name, path, f"{index:064x}", notes=text, origin=index))
    return slides


def _parts(cue_notes: str) -> dict[str, str]:
    return {m.field: m.preset for m in read_cue(cue_notes).matches}


def test_zoom_and_chart_choose_a_push_in_that_assembles_the_chart_with_locked_text() -> None:
    assert _parts("Let's zoom into the revenue chart.") == {
        "camera": "push_in",
        "subject": "assemble",
        "text_stability": "locked",
    }


def test_zoom_out_wins_over_zoom_and_the_first_cue_in_the_notes_wins_over_later_ones() -> None:
    assert _parts("Zoom out to the big picture")["camera"] == "pull_out"
    assert _parts("A timeline first; later we zoom in")["camera"] == "truck_right"


def test_reveal_puts_a_spotlight_on_the_new_content() -> None:
    assert _parts("Today we REVEAL the new model") == {"environment": "spotlight"}


def test_chinese_notes_give_the_same_cues() -> None:
    assert _parts("我们放大看这张图表，然后揭晓结果") == {
        "camera": "push_in",
        "subject": "assemble",
        "environment": "spotlight",
        "text_stability": "locked",
    }


def test_notes_without_cue_words_suggest_nothing() -> None:
    cue = read_cue("Good morning everyone, thanks for coming.")
    assert cue.is_empty() and cue.label() is None
    assert read_cue("").is_empty()


def test_a_transition_line_is_kept_as_the_authors_words_and_its_cues_count_first() -> None:
    cue = read_cue("We will look at the overview later.\nTransition: slow zoom into the logo")
    assert cue.direction == "slow zoom into the logo"
    assert {m.field: m.preset for m in cue.matches}["camera"] == "push_in"
    assert read_cue("转场：镜头缓缓推进到标志").direction == "镜头缓缓推进到标志"


def test_the_next_slides_notes_steer_the_transition_into_it(
    tmp_path: Path, library: PresetLibrary
) -> None:
    slides = _slides(
        tmp_path,
        ["Zoom out now (notes of the first slide are not read)", "Zoom into the chart", ""],
    )
    plan = DeckPlan.create(slides, preset_defaulter(library, "en"))
    into_chart, plain = plan.transitions
    expected = SUGGESTED_PARTS["camera"].model_copy(
        update={"camera": "push_in", "subject": "assemble", "text_stability": "locked"}
    )
    assert into_chart.prompt == build_prompt(expected, library, "en")
    assert "pushes in" in into_chart.prompt and "piece by piece" in into_chart.prompt
    assert into_chart.cue == "zoom, chart"
    assert plain.prompt == build_prompt(SUGGESTED_PARTS["camera"], library, "en")
    assert plain.cue is None
    assert plan.slides[1].notes == "Zoom into the chart" and plan.slides[1].origin == 1


def test_a_transition_line_ends_the_prompt_in_the_authors_words(
    tmp_path: Path, library: PresetLibrary
) -> None:
    slides = _slides(tmp_path, ["", "Transition: the logo spins once"])
    plan = DeckPlan.create(slides, preset_defaulter(library, "zh-CN"))
    transition = plan.transitions[0]
    assert transition.prompt.endswith("the logo spins once")
    assert transition.cue == "“the logo spins once”"


def test_a_part_the_person_chose_wins_over_the_notes(
    tmp_path: Path, library: PresetLibrary
) -> None:
    slides = _slides(tmp_path, ["", "Zoom into the chart"])
    chosen = PromptParts(camera="orbit")
    plan = DeckPlan.create(slides, preset_defaulter(library, "en", chosen))
    prompt = plan.transitions[0].prompt
    assert "orbits" in prompt and "pushes in" not in prompt and "piece by piece" in prompt
    assert plan.transitions[0].cue == "chart"


def test_a_template_chosen_for_every_transition_ignores_the_notes(
    tmp_path: Path, library: PresetLibrary
) -> None:
    slides = _slides(tmp_path, ["", "Transition: zoom into the chart"])
    chosen = PromptParts(template="seed")
    plan = DeckPlan.create(slides, preset_defaulter(library, "en", chosen))
    assert plan.transitions[0].prompt == build_prompt(chosen, library, "en")
    assert plan.transitions[0].cue is None


def test_new_notes_for_the_same_slides_refresh_the_prompts_not_edited(
    tmp_path: Path, library: PresetLibrary
) -> None:
    slides = _slides(tmp_path, ["", "", ""])
    defaulter = preset_defaulter(library, "en")
    plan = DeckPlan.create(slides, defaulter)
    plan.edit_transition(1, prompt="my own words")
    noted = [replace(s, notes="zoom in on the chart") for s in slides]
    assert plan.take_notes(noted)
    assert plan.refresh_defaults(defaulter) == [0]
    assert plan.transitions[0].cue == "zoom, chart"
    assert plan.transitions[1].prompt == "my own words"
    assert not plan.take_notes(noted)
