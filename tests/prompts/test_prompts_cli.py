"""The command line: prompt options for generating commands and `presets`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from kling_ui.cli import EXIT_OK, EXIT_USAGE, main
from kling_ui.i18n import UserError
from kling_ui.prompts import load_library
from kling_ui.prompts.cli_options import add_prompt_options, prompt_from_args


@pytest.fixture(scope="module")
def library():
    return load_library(None)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_prompt_options(parser)
    return parser.parse_args(argv)


def test_preset_options_build_the_prompt_and_name_the_fit_policy(library):
    prompt, parts, fit = prompt_from_args(
        parse("--camera", "orbit", "--text", "locked", "--fit", "cover"), library, "en"
    )

    assert prompt.startswith("The camera orbits slowly")
    assert parts.camera == "orbit" and parts.text_stability == "locked"
    assert fit == "cover"


def test_without_options_the_seed_prompt_and_fit_are_used(library):
    prompt, parts, fit = prompt_from_args(parse(), library, "zh-CN")

    assert prompt == library.get("template", "seed").text.zh
    assert parts.template == "seed"
    assert fit == "fit"


def test_a_commands_own_prompt_text_follows_the_parts(library):
    prompt, _, _ = prompt_from_args(parse("--camera", "static"), library, "en", extra="Then stop.")

    assert prompt == "The camera stays completely still. Then stop."


def test_an_unknown_preset_is_a_user_error(library):
    with pytest.raises(UserError) as refused:
        prompt_from_args(parse("--subject", "explode"), library, "en")

    assert refused.value.code == "prompt.unknown_preset"


def test_an_unknown_fit_policy_is_a_usage_error():
    with pytest.raises(SystemExit):
        parse("--fit", "zoom")


def test_presets_lists_every_category_with_ids_and_labels(tmp_path: Path, capsys):
    assert main(["presets", "--data-dir", str(tmp_path)]) == EXIT_OK

    out = capsys.readouterr().out
    assert "Camera movement (--camera)" in out
    assert "Text stability (--text)" in out
    assert "static" in out and "Static camera" in out


def test_presets_speaks_chinese(tmp_path: Path, capsys):
    main(["presets", "--lang", "zh-CN", "--category", "camera", "--data-dir", str(tmp_path)])

    out = capsys.readouterr().out
    assert "镜头运动" in out and "固定镜头" in out
    assert "Subject" not in out


def test_presets_json_has_both_languages_and_the_origin(tmp_path: Path, capsys):
    main(["presets", "--json", "--category", "text", "--data-dir", str(tmp_path)])

    listed = json.loads(capsys.readouterr().out)
    assert list(listed) == ["text"]
    first = listed["text"][0]
    assert first["id"] == "sharp_stable"
    assert first["label"]["zh"] == "清晰稳定" and first["origin"] == "builtin"


def test_presets_exports_and_imports_user_presets(tmp_path: Path, capsys):
    load_library(tmp_path / "a").save_user_preset("camera", "spiral", "Spiral", "spirals in")
    exported = tmp_path / "mine.json"

    assert main(["presets", "--data-dir", str(tmp_path / "a"), "--export", str(exported)]) == 0
    assert main(["presets", "--data-dir", str(tmp_path / "b"), "--import", str(exported)]) == 0

    assert load_library(tmp_path / "b").find("camera", "spiral") is not None


def test_presets_refuses_a_bad_import_with_a_message_not_a_traceback(tmp_path: Path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2, 3]", encoding="utf-8")

    code = main(["presets", "--data-dir", str(tmp_path), "--import", str(bad)])

    assert code == EXIT_USAGE
    assert "Invalid preset" in capsys.readouterr().err
