"""The person's own presets: saved in the data folder, loaded at start, exported, imported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kling_ui.i18n import Text, UserError
from kling_ui.prompts import USER_FILE_NAME, PromptParts, build_prompt, load_library


def test_a_saved_preset_is_there_after_a_restart(tmp_path: Path):
    library = load_library(tmp_path)
    library.save_user_preset(
        "camera", "spiral", Text("Spiral", "螺旋"), Text("the camera spirals in", "镜头螺旋推进")
    )

    reloaded = load_library(tmp_path)

    preset = reloaded.get("camera", "spiral")
    assert preset.origin == "user"
    assert build_prompt(PromptParts(camera="spiral"), reloaded, "zh-CN") == "镜头螺旋推进。"
    assert (tmp_path / USER_FILE_NAME).exists()


def test_user_presets_come_after_the_built_in_ones(tmp_path: Path):
    library = load_library(tmp_path)
    library.save_user_preset("subject", "glitch", "a digital glitch", "a digital glitch")

    assert library.ids("subject")[-1] == "glitch"
    assert library.ids("subject")[0] == "morph"


def test_a_one_language_preset_serves_both_languages(tmp_path: Path):
    library = load_library(tmp_path)

    preset = library.save_user_preset("environment", "neon", "Neon", "neon lights flicker on")

    assert preset.text.zh == "neon lights flicker on"


def test_saving_again_replaces_the_users_preset(tmp_path: Path):
    library = load_library(tmp_path)
    library.save_user_preset("camera", "spiral", "Spiral", "first words")
    library.save_user_preset("camera", "spiral", "Spiral", "second words")

    assert load_library(tmp_path).get("camera", "spiral").text.en == "second words"


def test_a_built_in_id_cannot_be_taken(tmp_path: Path):
    library = load_library(tmp_path)

    with pytest.raises(UserError) as refused:
        library.save_user_preset("camera", "static", "Mine", "my words")

    assert refused.value.code == "prompt.bad_preset"
    assert "choose another id" in refused.value.message.en


def test_an_invalid_id_is_refused(tmp_path: Path):
    library = load_library(tmp_path)

    with pytest.raises(UserError) as refused:
        library.save_user_preset("camera", "My Move", "Mine", "my words")

    assert refused.value.code == "prompt.bad_preset"


def test_a_user_template_may_name_user_presets(tmp_path: Path):
    library = load_library(tmp_path)
    library.save_user_preset("camera", "spiral", "Spiral", "the camera spirals in")
    library.save_user_preset(
        "template", "my_mix", "My mix", "ignored", parts={"camera": "spiral", "text": "locked"}
    )

    prompt = build_prompt(PromptParts(template="my_mix", subject="liquid"), library, "en")

    assert prompt.startswith("The camera spirals in; the elements melt")


def test_deleting_a_user_preset_removes_it_from_the_file(tmp_path: Path):
    library = load_library(tmp_path)
    library.save_user_preset("camera", "spiral", "Spiral", "the camera spirals in")

    assert library.delete_user_preset("camera", "spiral") is True
    assert library.delete_user_preset("camera", "spiral") is False
    assert load_library(tmp_path).find("camera", "spiral") is None


def test_export_then_import_carries_presets_to_another_data_folder(tmp_path: Path):
    source = load_library(tmp_path / "a")
    source.save_user_preset("camera", "spiral", Text("Spiral", "螺旋"), Text("spirals", "螺旋"))
    source.save_user_preset("text", "bold", "Bold text", "text stays bold")

    target = load_library(tmp_path / "b")
    count = target.import_user_presets(source.export_user_presets())

    assert count == 2
    assert load_library(tmp_path / "b").get("camera", "spiral").label.zh == "螺旋"


def test_an_import_that_is_not_json_is_refused(tmp_path: Path):
    with pytest.raises(UserError) as refused:
        load_library(tmp_path).import_user_presets(b"\x89PNG not json")

    assert refused.value.code == "prompt.bad_import"


def test_an_import_of_some_other_json_is_refused(tmp_path: Path):
    with pytest.raises(UserError) as refused:
        load_library(tmp_path).import_user_presets('{"hello": "world"}')

    assert refused.value.code == "prompt.bad_import"


def test_an_import_with_one_bad_entry_imports_nothing(tmp_path: Path):
    library = load_library(tmp_path)
    document = {
        "format": "kling-transition-studio/presets",
        "version": 1,
        "presets": [
            {"category": "camera", "id": "fine", "label": {"en": "Fine"}, "text": {"en": "ok"}},
            {"category": "lighting", "id": "bad", "label": {"en": "Bad"}, "text": {"en": "x"}},
        ],
    }

    with pytest.raises(UserError) as refused:
        library.import_user_presets(json.dumps(document))

    assert "entry 2" in refused.value.message.en and "lighting" in refused.value.message.en
    assert library.find("camera", "fine") is None
    assert not (tmp_path / USER_FILE_NAME).exists()


def test_a_damaged_user_file_does_not_stop_the_start(tmp_path: Path):
    (tmp_path / USER_FILE_NAME).write_text("{ not json", encoding="utf-8")

    library = load_library(tmp_path)

    assert library.user_presets() == []
    assert [p.code for p in library.problems] == ["prompt.bad_import"]
    assert "static" in library.ids("camera")


def test_a_bad_entry_in_the_user_file_is_skipped_and_the_rest_kept(tmp_path: Path):
    document = {
        "format": "kling-transition-studio/presets",
        "version": 1,
        "presets": [
            {"category": "camera", "id": "static", "label": {"en": "x"}, "text": {"en": "x"}},
            {"category": "camera", "id": "spiral", "label": {"en": "S"}, "text": {"en": "s"}},
        ],
    }
    (tmp_path / USER_FILE_NAME).write_text(json.dumps(document), encoding="utf-8")

    library = load_library(tmp_path)

    assert [p.id for p in library.user_presets()] == ["spiral"]
    assert len(library.problems) == 1


def test_without_a_data_folder_user_presets_live_in_memory_only():
    library = load_library(None)

    library.save_user_preset("camera", "spiral", "Spiral", "spirals")

    assert library.user_file is None
    assert library.find("camera", "spiral") is not None
    assert load_library(None).find("camera", "spiral") is None
