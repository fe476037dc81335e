"""Every label and message exists in English and Simplified Chinese, with the same blanks."""

from __future__ import annotations

import re

import pytest

from kling_ui.i18n import Text
from kling_ui.ui.texts import STRINGS, add_strings, i18n, label, say

PLACEHOLDER = re.compile(r"{(\w+)}")


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_each_string_has_both_languages_with_the_same_placeholders(key: str) -> None:
    en, zh = STRINGS[key].en, STRINGS[key].zh
    assert en.strip() and zh.strip()
    assert set(PLACEHOLDER.findall(en)) == set(PLACEHOLDER.findall(zh))


def test_the_translation_table_has_english_and_chinese() -> None:
    table = i18n().translations_dict
    assert set(table) == {"en", "zh-CN"}
    assert table["zh-CN"]["generate"] == "生成" and table["en"]["generate"] == "Generate"


def test_server_text_follows_the_language_and_fills_placeholders() -> None:
    assert say("queue_position", "zh-CN", position=2) == "排队第 2 位"
    assert say("queue_position", "en-US", position=2) == "#2 in the queue"


def test_a_tab_may_add_its_own_strings_but_not_redefine_others() -> None:
    add_strings({"test_only_deck_title": Text("Deck", "整套")})
    try:
        assert say("test_only_deck_title", "zh-CN") == "整套"
        assert i18n().translations_dict["en"]["test_only_deck_title"] == "Deck"
        with pytest.raises(ValueError):
            add_strings({"generate": Text("Make", "制作")})
    finally:
        del STRINGS["test_only_deck_title"]


def test_an_unknown_label_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        label("no_such_label")


def test_a_string_must_be_a_text_not_a_tuple() -> None:
    with pytest.raises(TypeError):
        add_strings({"test_only_pair": ("Deck", "整套")})  # type: ignore[dict-item]
    assert "test_only_pair" not in STRINGS
