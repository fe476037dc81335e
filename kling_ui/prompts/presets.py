"""A prompt preset and the rules every preset file (built-in or user's) must follow."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast, get_args

from kling_ui.i18n import Text, UserError

Category = Literal["camera", "subject", "environment", "text", "negative", "template"]
CATEGORIES: tuple[Category, ...] = get_args(Category)
PART_CATEGORIES: tuple[Category, ...] = ("camera", "subject", "environment", "text")
"""The categories a prompt is built from, in the order they are joined."""

CATEGORY_LABELS: dict[Category, Text] = {
    "camera": Text("Camera movement", "镜头运动"),
    "subject": Text("Subject change", "主体变化"),
    "environment": Text("Environment", "环境"),
    "text": Text("Text stability", "文字稳定"),
    "negative": Text("Negative prompt", "反向提示词"),
    "template": Text("Whole-prompt template", "完整提示词模板"),
}

PresetOrigin = Literal["builtin", "user"]

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,47}$")
MAX_LABEL_CHARS = 80
MAX_TEXT_CHARS = 2500  # no single preset may be longer than a whole prompt


@dataclass(frozen=True)
class Preset:
    """One named choice in a category: its menu label and its prompt text, in both languages.

    Templates also name the presets they are made of in `parts` (category -> preset id).
    """

    category: Category
    id: str
    label: Text
    text: Text
    parts: Mapping[str, str] = field(default_factory=dict)
    origin: PresetOrigin = "builtin"

    def as_dict(self) -> dict[str, object]:
        """The preset as plain data (the user-preset file's and `presets --json`'s shape)."""
        data: dict[str, object] = {
            "category": self.category,
            "id": self.id,
            "label": {"en": self.label.en, "zh": self.label.zh},
            "text": {"en": self.text.en, "zh": self.text.zh},
        }
        if self.parts:
            data["parts"] = dict(self.parts)
        return data


class PresetProblem(ValueError):
    """What is wrong with one preset entry, in both languages (wrapped into a UserError)."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.en)
        self.message = message


def parse_preset(
    category: object,
    entry: object,
    *,
    origin: PresetOrigin,
    allow_one_language: bool = False,
) -> tuple[Preset, bool]:
    """A Preset from plain data, and whether its text must still be built from its parts.

    Raises PresetProblem naming the field at fault. With `allow_one_language` (user presets),
    a label or text given in one language only is used for both.
    """
    if category not in CATEGORIES:
        raise PresetProblem(
            Text(
                "unknown category {category!r} (expected one of {known})",
                "未知类别 {category!r}（应为 {known} 之一）",
            ).format(category=category, known=", ".join(CATEGORIES))
        )
    if not isinstance(entry, Mapping):
        raise PresetProblem(Text("a preset must be a table of fields", "预设必须是字段表"))
    preset_id = entry.get("id")
    if not isinstance(preset_id, str) or not ID_PATTERN.match(preset_id):
        raise PresetProblem(
            Text(
                "id {id!r} must be 1-48 lower-case letters, digits, '_' or '-'",
                "id {id!r} 必须是 1-48 个小写字母、数字、“_”或“-”",
            ).format(id=preset_id)
        )
    label = _bilingual(entry.get("label"), "label", preset_id, MAX_LABEL_CHARS, allow_one_language)
    parts = _parts(entry.get("parts"), preset_id) if category == "template" else {}
    raw_text = entry.get("text")
    needs_build = category == "template" and raw_text is None and bool(parts)
    if needs_build:
        text = Text("", "")
    else:
        text = _bilingual(raw_text, "text", preset_id, MAX_TEXT_CHARS, allow_one_language)
    preset = Preset(cast(Category, category), preset_id, label, text, parts, origin)
    return preset, needs_build


def _bilingual(
    value: object, name: str, preset_id: str, max_chars: int, allow_one_language: bool
) -> Text:
    """A {en, zh} table as Text, checking both are present, non-empty and not too long."""
    if not isinstance(value, Mapping):
        raise PresetProblem(
            Text(
                'preset {id!r}: {name} must be a table like {{ en = "...", zh = "..." }}',
                '预设 {id!r}：{name} 必须是 {{ en = "...", zh = "..." }} 形式的表',
            ).format(id=preset_id, name=name)
        )
    en, zh = value.get("en"), value.get("zh")
    en = en.strip() if isinstance(en, str) else None
    zh = zh.strip() if isinstance(zh, str) else None
    if allow_one_language:
        en, zh = en or zh, zh or en
    for lang, content in (("en", en), ("zh", zh)):
        if not content:
            raise PresetProblem(
                Text(
                    "preset {id!r}: {name}.{lang} is missing or empty",
                    "预设 {id!r}：缺少 {name}.{lang} 或为空",
                ).format(id=preset_id, name=name, lang=lang)
            )
        if len(content) > max_chars:
            raise PresetProblem(
                Text(
                    "preset {id!r}: {name}.{lang} is {length} characters, over {limit}",
                    "预设 {id!r}：{name}.{lang} 有 {length} 个字符，超过 {limit}",
                ).format(id=preset_id, name=name, lang=lang, length=len(content), limit=max_chars)
            )
    return Text(en or "", zh or "")


def _parts(value: object, preset_id: str) -> dict[str, str]:
    """A template's parts: only prompt-part categories, each naming a preset id."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(
        key in PART_CATEGORIES and isinstance(v, str) for key, v in value.items()
    ):
        raise PresetProblem(
            Text(
                "template {id!r}: parts must map camera/subject/environment/text to preset ids",
                "模板 {id!r}：parts 必须把 camera/subject/environment/text 映射到预设 id",
            ).format(id=preset_id)
        )
    return {key: value[key] for key in PART_CATEGORIES if key in value}


def bad_preset_error(source: str, problem: PresetProblem) -> UserError:
    """A refusal for a preset that breaks the rules, naming where it came from."""
    return UserError(
        "prompt.bad_preset",
        Text("Invalid preset in {source}: {problem}.", "{source} 中的预设无效：{problem}。").format(
            source=source, problem=problem.message
        ),
        remedy=Text(
            "Fix the entry (see prompts/README.md for the format) and try again.",
            "请按 prompts/README.md 中的格式修正该条目后重试。",
        ),
    )
