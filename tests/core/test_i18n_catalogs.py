"""One way to write bilingual text: `Text(en, zh)` in catalogs, never an inline language test.

Every message the product shows is a `kling_ui.i18n.Text` picked with `.get(lang)`; the only
code allowed to look at a language tag is `kling_ui/i18n.py` itself (`normalize_lang`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kling_ui.cli import texts as cli_texts
from kling_ui.i18n import LIST_SEPARATOR, Text, UserError

PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")
PACKAGE = Path(__file__).resolve().parents[2] / "kling_ui"
ALLOWED = {PACKAGE / "i18n.py"}


LANG_TAG = re.compile(r"^(zh|en)([-_]\w+)*$", re.IGNORECASE)


def _is_lang_tag(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and LANG_TAG.match(node.value) is not None
    )


def language_tests(source: str) -> list[int]:
    """Lines of `source` that compare against, or test a prefix of, a language tag ("zh-CN",
    "zh", "en", ...)."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and any(
            isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) for op in node.ops
        ):
            if any(_is_lang_tag(side) for side in [node.left, *node.comparators]):
                found.append(node.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "startswith"
            and any(_is_lang_tag(arg) for arg in node.args)
        ):
            found.append(node.lineno)
    return sorted(found)


def tuple_catalogs(source: str) -> list[int]:
    """Lines of `source` that hold an (English, Chinese) pair of strings as a plain tuple
    (a dict value, an argument or an assignment) instead of a `Text`."""
    found: list[int] = []
    for node in ast.walk(ast.parse(source)):
        values: list[ast.expr] = []
        if isinstance(node, ast.Dict):
            values = [v for v in node.values if v is not None]
        elif isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            values = [node.value]
        for value in values:
            if (
                isinstance(value, ast.Tuple)
                and len(value.elts) == 2
                and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
                )
                and not _is_ascii(value.elts[1])
                and _is_ascii(value.elts[0])
            ):
                found.append(value.lineno)
    return sorted(found)


def _is_ascii(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and str(node.value).isascii()


def test_the_scan_finds_inline_language_choices() -> None:
    sample = (
        'a = "中" if lang == "zh-CN" else "en"\n'
        'b = lang.lower().startswith("zh")\n'
        'c = normalize_lang(lang) != "zh-CN"\n'
        'd = Text("en", "中").get(lang)\n'
        'e = lang == "en"\n'
        'f = name == "end"\n'
    )
    assert language_tests(sample) == [1, 2, 3, 5]


def test_no_module_chooses_between_literals_by_language() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in ALLOWED
        for line in language_tests(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "pick bilingual text with kling_ui.i18n.Text(en, zh).get(lang), not an inline "
        f"language test: {offenders}"
    )


def test_the_scan_finds_tuple_catalogs() -> None:
    sample = (
        'STRINGS = {"a": ("Deck", "整套"), "b": Text("Deck", "整套")}\n'
        'PAIR = ("Deck", "整套")\n'
        'CHOICES = {"a": ("English", "en")}\n'
    )
    assert tuple_catalogs(sample) == [1, 2]


def test_no_module_keeps_bilingual_text_as_plain_tuples() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in tuple_catalogs(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], f"write Text(en, zh) instead of an (en, zh) tuple: {offenders}"


@pytest.mark.parametrize(
    "name", sorted(n for n, v in vars(cli_texts).items() if isinstance(v, Text | tuple))
)
def test_each_cli_text_has_both_languages_with_the_same_placeholders(name: str) -> None:
    value = getattr(cli_texts, name)
    for text in value if isinstance(value, tuple) else (value,):
        assert text.en.strip() and text.zh.strip()
        assert set(PLACEHOLDER.findall(text.en)) == set(PLACEHOLDER.findall(text.zh))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh-CN", "中"), ("zh", "中"), ("zh-Hans-CN", "中"), ("en-US", "en"), (None, "en")],
)
def test_text_picks_its_language_from_any_tag(lang: str | None, expected: str) -> None:
    assert Text("en", "中").get(lang) == expected


def test_format_fills_both_languages_even_when_the_order_differs() -> None:
    message = Text("{done} of {total}", "{total}中的 {done} 个").format(done=1, total=3)
    assert message == Text("1 of 3", "3中的 1 个")


def test_a_text_value_fills_each_language_with_its_own_half() -> None:
    label = Text("Kling refused", "可灵拒绝了")
    message = Text("{label}: {why}", "{label}：{why}").format(label=label, why="1303")
    assert message == Text("Kling refused: 1303", "可灵拒绝了：1303")


def test_lists_are_joined_the_way_each_language_writes_them() -> None:
    assert LIST_SEPARATOR.get("en").join(["a", "b"]) == "a, b"
    assert LIST_SEPARATOR.get("zh-CN").join(["甲", "乙"]) == "甲，乙"


def test_a_refusal_speaks_with_its_remedy() -> None:
    error = UserError("x.y", Text("No.", "不行。"), remedy=Text("Try again.", "请重试。"))
    assert error.text("zh-CN") == "不行。 请重试。" and error.text("en") == "No. Try again."
    assert str(error) == "[x.y] No."
