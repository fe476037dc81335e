"""The built-in presets in prompts/: what they must contain and how a file edit shows up."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kling_ui.i18n import UserError
from kling_ui.prompts import BUILTIN_DIR, CATEGORIES, PromptParts, build_prompt, load_library

SEED_ZH = (
    "镜头缓慢推进，画面中的主体元素平滑变形过渡为下一页的内容，颜色与材质自然渐变，"
    "光线柔和变化，背景平稳过渡，文字保持清晰稳定、不扭曲不闪烁。"
)
SEED_EN = (
    "The camera slowly pushes in; the main elements morph smoothly into the next slide's "
    "content, colours and materials shift naturally; the light changes softly and the "
    "background transitions steadily; all text stays sharp and stable, never warped or "
    "flickering."
)
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def library():
    return load_library(None)


def copy_of_builtin_presets(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(BUILTIN_DIR, folder)
    return folder


def test_there_are_enough_presets_in_every_category(library):
    assert len(library.presets("camera")) >= 8
    assert "static" in library.ids("camera")
    assert len(library.presets("subject")) >= 8
    assert len(library.presets("environment")) >= 6
    assert len(library.presets("text")) >= 3
    assert "default" in library.ids("negative")
    assert "seed" in library.ids("template")


def test_every_preset_has_a_label_and_text_in_both_languages(library):
    for category in CATEGORIES:
        for preset in library.presets(category):
            assert preset.label.en and preset.text.en
            assert HAN.search(preset.label.zh), preset.id
            assert HAN.search(preset.text.zh), preset.id


def test_the_seed_template_is_the_briefs_example_in_both_languages(library):
    seed = library.get("template", "seed")

    assert seed.text.en == SEED_EN
    assert seed.text.zh == SEED_ZH


def test_the_seed_templates_parts_build_exactly_its_text(library):
    seed = library.get("template", "seed")
    parts = PromptParts(
        camera=seed.parts["camera"],
        subject=seed.parts["subject"],
        environment=seed.parts["environment"],
        text_stability=seed.parts["text"],
    )

    assert build_prompt(parts, library, "en") == SEED_EN
    assert build_prompt(parts, library, "zh-CN") == SEED_ZH


def test_the_default_negative_prompt_guards_against_warped_and_flickering_text(library):
    negative = library.get("negative", "default")

    assert "warped text" in negative.text.en and "flickering" in negative.text.en
    assert "文字扭曲" in negative.text.zh and "闪烁" in negative.text.zh


def test_templates_without_text_are_built_from_their_parts(library):
    template = library.get("template", "in_place_evolution")

    assert template.text.en.startswith("The camera drifts very slightly")
    assert template.text.zh.endswith("。")


def test_adding_a_preset_is_editing_a_file(tmp_path: Path):
    folder = copy_of_builtin_presets(tmp_path)
    with (folder / "camera.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[preset]]\nid = "barrel_roll"\n'
            'label = { en = "Barrel roll", zh = "桶滚" }\n'
            'text = { en = "the camera rolls a full turn", zh = "镜头旋转一整圈" }\n'
        )

    library = load_library(None, presets_dir=folder)

    assert library.ids("camera")[-1] == "barrel_roll"
    assert library.get("camera", "barrel_roll").label.zh == "桶滚"


def test_a_broken_preset_file_names_the_file_and_the_entry(tmp_path: Path):
    folder = copy_of_builtin_presets(tmp_path)
    with (folder / "subject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[preset]]\nid = "half"\nlabel = { en = "Half" }\ntext = { en = "x" }\n')

    with pytest.raises(UserError) as refused:
        load_library(None, presets_dir=folder)

    assert refused.value.code == "prompt.bad_preset"
    assert "subject.toml" in refused.value.message.en
    assert "'half'" in refused.value.message.en and "label.zh" in refused.value.message.en


def test_a_preset_file_that_is_not_toml_is_refused(tmp_path: Path):
    folder = copy_of_builtin_presets(tmp_path)
    (folder / "environment.toml").write_text("[[preset]\nid = ", encoding="utf-8")

    with pytest.raises(UserError) as refused:
        load_library(None, presets_dir=folder)

    assert refused.value.code == "prompt.bad_preset_file"


def test_a_template_naming_a_missing_preset_is_refused(tmp_path: Path):
    folder = copy_of_builtin_presets(tmp_path)
    with (folder / "templates.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[preset]]\nid = "ghost"\nlabel = { en = "Ghost", zh = "幽灵" }\n'
            'parts = { camera = "teleport" }\n'
        )

    with pytest.raises(UserError) as refused:
        load_library(None, presets_dir=folder)

    assert "'teleport'" in refused.value.message.en


def test_duplicate_ids_in_a_file_are_refused(tmp_path: Path):
    folder = copy_of_builtin_presets(tmp_path)
    with (folder / "text.toml").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n[[preset]]\nid = "locked"\nlabel = { en = "Again", zh = "再次" }\n'
            'text = { en = "again", zh = "再次" }\n'
        )

    with pytest.raises(UserError) as refused:
        load_library(None, presets_dir=folder)

    assert "twice" in refused.value.message.en


def test_menu_choices_pair_labels_in_the_language_with_ids(library):
    choices = library.choices("camera", "zh-CN")

    assert ("固定镜头", "static") in choices
