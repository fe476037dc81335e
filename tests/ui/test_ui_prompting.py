"""The prompt builder's choices turned into the prompt Kling receives."""

from __future__ import annotations

import pytest

from kling_ui.prompts import PresetLibrary, PromptParts, build_prompt, load_library
from kling_ui.ui.prompting import (
    PART_FIELDS,
    PromptChoice,
    default_choice,
    default_negative,
    lab_variants,
    menu_choices,
    part_value,
    preset_id_for,
    preview,
    template_menus,
)


@pytest.fixture(scope="module")
def library() -> PresetLibrary:
    """The built-in presets (no user presets)."""
    return load_library(None)


def test_the_default_choice_builds_the_seed_prompt(library: PresetLibrary) -> None:
    for lang in ("en", "zh-CN"):
        seed = build_prompt(PromptParts(template="seed"), library, lang)
        assert preview(default_choice(library, lang), library, lang).prompt == seed


def test_a_preset_alone_is_passed_as_its_id(library: PresetLibrary) -> None:
    assert part_value("camera", "orbit", "", library, "en") == "orbit"


def test_free_words_follow_the_presets_clause(library: PresetLibrary) -> None:
    value = part_value("camera", "push_in", "towards the chart", library, "en")
    assert value == "the camera slowly pushes in, towards the chart"
    assert part_value("camera", "push_in", "朝向图表", library, "zh-CN") == "镜头缓慢推进，朝向图表"


def test_a_lone_lower_case_word_stays_free_text(library: PresetLibrary) -> None:
    choice = PromptChoice(free={"camera": "zoom"}, lang="en")
    shown = preview(choice, library, "en")
    assert shown.error == "" and shown.prompt.startswith("zoom")


def test_nothing_chosen_gives_no_part(library: PresetLibrary) -> None:
    assert part_value("subject", "", "  ", library, "en") is None


def test_a_text_only_template_leads_and_chosen_parts_follow(library: PresetLibrary) -> None:
    choice = PromptChoice(template="card_flip", presets={"camera": "orbit"}, lang="en")
    prompt = preview(choice, library, "en").prompt
    card = library.get("template", "card_flip").text.en.rstrip(".")
    assert prompt.startswith(card)
    assert prompt.endswith(library.get("camera", "orbit").text.en + ".")


def test_clearing_a_menu_of_a_template_with_parts_removes_that_part(
    library: PresetLibrary,
) -> None:
    menus = dict(template_menus(library, "seed") or {})
    menus["camera"] = ""
    prompt = preview(PromptChoice(template="seed", presets=menus), library, "en").prompt
    assert "pushes in" not in prompt and "morph" in prompt


def test_template_menus_fill_each_part_or_nothing_for_text_templates(
    library: PresetLibrary,
) -> None:
    assert template_menus(library, "seed") == {
        "camera": "push_in",
        "subject": "morph",
        "environment": "soft_light",
        "text_stability": "sharp_stable",
    }
    assert template_menus(library, "card_flip") is None
    assert template_menus(library, "no-such-template") is None


def test_a_choice_survives_its_record_round_trip() -> None:
    choice = PromptChoice(
        template="seed",
        presets={"camera": "orbit", "subject": "", "environment": "haze", "text_stability": ""},
        free={name: f"own {name}" for name in PART_FIELDS},
        extra="end",
        lang="zh-CN",
    )
    restored = PromptChoice.from_record(choice.record())
    assert restored.record() == choice.record()


def test_a_job_without_a_record_comes_back_as_its_whole_prompt() -> None:
    restored = PromptChoice.from_record({}, "镜头推进")
    assert restored.extra == "镜头推进" and restored.lang == "zh-CN" and not restored.template


def test_menus_start_with_none_and_use_the_pages_language(library: PresetLibrary) -> None:
    choices = menu_choices(library, "camera", "zh-CN", none_label="—")
    assert choices[0] == ("—", "") and ("缓慢推进", "push_in") in choices


def test_the_default_negative_prompt_is_in_the_prompt_language(library: PresetLibrary) -> None:
    assert "flicker" in default_negative(library, "en")
    assert "闪烁" in default_negative(library, "zh-CN")


def test_lab_variants_start_with_the_studio_prompt_then_the_suggestion(
    library: PresetLibrary,
) -> None:
    found = lab_variants(library, "My own prompt", "en", 3, suggested="camera_journey")
    journey = build_prompt(PromptParts(template="camera_journey"), library, "en")
    assert found[:2] == ["My own prompt", journey]
    assert len(set(found)) == 3


def test_preset_ids_are_made_from_names_and_kept_unique() -> None:
    assert preset_id_for("My Fade!", []) == "my-fade"
    assert preset_id_for("My Fade", ["my-fade"]) == "my-fade-2"
    assert preset_id_for("镜头", []) == "preset"
