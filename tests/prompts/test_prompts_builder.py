"""Building one prompt from camera, subject, environment and text-stability parts."""

from __future__ import annotations

import pytest

from kling_ui.i18n import UserError
from kling_ui.prompts import (
    MAX_PROMPT_CHARS,
    PromptParts,
    build_negative_prompt,
    build_prompt,
    check_prompt_lengths,
    load_library,
    prompt_length,
    validate_prompt_lengths,
)


@pytest.fixture(scope="module")
def library():
    return load_library(None)


def test_parts_are_joined_in_the_seeds_order_whatever_order_they_are_given(library):
    prompt = build_prompt(
        PromptParts(
            text_stability="locked", environment="spotlight", subject="liquid", camera="orbit"
        ),
        library,
        "en",
    )

    positions = [
        prompt.index("orbits"),
        prompt.index("melt"),
        prompt.index("spotlight"),
        prompt.index("locked in place"),
    ]
    assert positions == sorted(positions)
    assert prompt.startswith("The camera orbits") and prompt.endswith(".")


def test_chinese_prompts_use_chinese_preset_text_and_punctuation(library):
    prompt = build_prompt(PromptParts(camera="pan_left", subject="colour_shift"), library, "zh-CN")

    assert prompt == "镜头缓慢向左摇移，形状保持不变，颜色逐渐过渡为新的配色。"


def test_any_chinese_language_tag_picks_chinese(library):
    assert build_prompt(PromptParts(camera="static"), library, "zh") == "镜头固定不动。"


def test_free_text_is_used_verbatim(library):
    words = "a slow dolly across the chart, bars rising one by one"

    assert build_prompt(PromptParts(camera=words), library, "en") == words


def test_free_text_and_presets_mix_without_doubled_punctuation(library):
    prompt = build_prompt(
        PromptParts(
            camera="push_in", subject="the logo turns to gold.", text_stability="sharp_stable"
        ),
        library,
        "en",
    )

    assert "; the logo turns to gold; all text" in prompt
    assert ".;" not in prompt


def test_extra_text_follows_as_a_sentence_of_its_own(library):
    prompt = build_prompt(PromptParts(camera="static", extra="End on the logo."), library, "en")

    assert prompt == "The camera stays completely still. End on the logo."


def test_a_template_gives_its_whole_prompt(library):
    prompt = build_prompt(PromptParts(template="card_flip"), library, "en")

    assert prompt == library.get("template", "card_flip").text.en


def test_parts_given_with_a_template_replace_the_templates_own(library):
    prompt = build_prompt(PromptParts(template="seed", camera="pull_out"), library, "en")

    assert prompt.startswith("The camera slowly pulls back; the main elements morph")
    assert "pushes in" not in prompt


def test_the_default_parts_give_the_seed_prompt(library):
    assert (
        build_prompt(PromptParts.default(), library, "en")
        == library.get("template", "seed").text.en
    )


def test_a_value_that_looks_like_an_unknown_preset_id_is_refused(library):
    with pytest.raises(UserError) as refused:
        build_prompt(PromptParts(camera="push_inn"), library, "en")

    assert refused.value.code == "prompt.unknown_preset"
    assert "push_in" in refused.value.remedy.en


def test_an_unknown_template_is_refused(library):
    with pytest.raises(UserError) as refused:
        build_prompt(PromptParts(template="nope"), library, "en")

    assert refused.value.code == "prompt.unknown_preset"


def test_empty_parts_build_an_empty_prompt(library):
    assert PromptParts().is_empty()
    assert build_prompt(PromptParts(camera="  "), library, "en") == ""


def test_the_negative_prompt_defaults_to_the_text_guard(library):
    assert build_negative_prompt(library, "en") == library.get("negative", "default").text.en
    assert build_negative_prompt(library, "zh-CN").startswith("文字扭曲")


def test_the_negative_prompt_takes_free_text_and_extra_terms(library):
    negative = build_negative_prompt(library, "en", "steady_layout", extra="lens flare")

    assert negative.endswith(", lens flare")
    assert build_negative_prompt(library, "en", "no people, no hands") == "no people, no hands"


def test_length_is_counted_in_unicode_code_points():
    assert prompt_length("abc") == 3
    assert prompt_length("镜头推进") == 4
    assert prompt_length("🎬") == 1


def test_prompts_up_to_2500_characters_pass_the_length_check():
    assert check_prompt_lengths("镜" * MAX_PROMPT_CHARS, "x" * MAX_PROMPT_CHARS) == []


def test_each_text_over_2500_characters_gets_its_own_problem():
    problems = check_prompt_lengths("a" * 2501, "b" * 2600)

    assert [p.code for p in problems] == ["prompt.too_long", "prompt.negative_too_long"]
    assert "2501" in problems[0].message.en and "1 characters" in problems[0].remedy.en
    assert "2600" in problems[1].message.zh


def test_validate_raises_the_first_problem():
    with pytest.raises(UserError) as refused:
        validate_prompt_lengths("x" * 3000)

    assert refused.value.code == "prompt.too_long"
