"""Building the prompt Kling receives from its parts, and checking its length.

Order follows the seed: camera movement, subject change, environment, text stability, then
any extra free text. Each part is a preset id of its category or the person's own words.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from kling_ui.i18n import LIST_SEPARATOR, Text, UserError, normalize_lang
from kling_ui.prompts.joining import join_clauses
from kling_ui.prompts.library import PresetLibrary
from kling_ui.prompts.presets import PART_CATEGORIES, Category

MAX_PROMPT_CHARS = 2500
"""Kling's limit for `prompt` and for `negative_prompt` alike."""
DEFAULT_TEMPLATE = "seed"
DEFAULT_NEGATIVE = "default"

_LOOKS_LIKE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# What goes between the joined parts and `extra`: a space in English, nothing in Chinese.
_SENTENCE_GAP = Text(" ", "")
_UNKNOWN_PRESET = Text(
    "There is no {category} preset called {value!r}.", "没有名为 {value!r} 的{category}预设。"
)
_UNKNOWN_PRESET_REMEDY = Text(
    "Choose one of: {known}; or write your own words as a phrase.",
    "可选：{known}；也可以用一句话写出自己的描述。",
)
_TOO_LONG = Text(
    "The {name} is {length} characters; Kling accepts at most {limit}.",
    "{name}共 {length} 个字符，可灵最多接受 {limit} 个。",
)
_TOO_LONG_REMEDY = Text("Shorten it by {over} characters.", "请删减 {over} 个字符。")
_FIELD_OF_CATEGORY: dict[Category, str] = {
    "camera": "camera",
    "subject": "subject",
    "environment": "environment",
    "text": "text_stability",
}
PART_FIELDS: tuple[str, ...] = tuple(_FIELD_OF_CATEGORY.values())
"""The prompt parts' field names, in the order the prompt joins them."""


class PromptParts(BaseModel):
    """The choices a prompt is built from; each part is a preset id or free text (or None).

    A value equal to a preset id of its category means that preset; anything else is used as
    the person's own words. `template` starts from a whole-prompt template: parts given next
    to it replace the template's own parts. `extra` is free text added at the end.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    camera: str | None = None
    subject: str | None = None
    environment: str | None = None
    text_stability: str | None = None
    extra: str = ""
    template: str | None = Field(default=None)

    @classmethod
    def default(cls) -> PromptParts:
        """The seed's prompt: slow push-in, smooth morph, soft light, sharp text."""
        return cls(template=DEFAULT_TEMPLATE)

    def part(self, category: Category) -> str | None:
        """The value chosen for one prompt-part category, blank values counted as None."""
        value = getattr(self, _FIELD_OF_CATEGORY[category])
        return value if value and value.strip() else None

    def is_empty(self) -> bool:
        """Whether nothing at all was chosen."""
        return not (
            self.template or self.extra.strip() or any(self.part(c) for c in PART_CATEGORIES)
        )


# C0 and C1 control characters (and DEL), except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_control_characters(text: str) -> str:
    """`text` without control characters (NUL, escape sequences' ESC, bells...), which no
    prompt needs and which must not reach Kling, the store or a terminal."""
    return _CONTROL.sub("", text)


def build_prompt(parts: PromptParts, library: PresetLibrary, lang: str | None) -> str:
    """The one-language prompt for Kling ("zh-CN"/"zh" -> Chinese, anything else English).

    Preset texts are taken in that language; free text is used as written. A prompt made of
    one free-text part is returned exactly as written (only outer whitespace trimmed), and
    `extra` follows the joined parts as a sentence of its own.
    Raises UserError `prompt.unknown_preset` for a value that looks like a preset id
    (lower-case, no spaces) but names none.
    """
    code = normalize_lang(lang)
    chosen = {c: parts.part(c) for c in PART_CATEGORIES}
    clauses: list[tuple[str, bool]] = []  # (clause, whether it is a preset's text)
    if parts.template:
        template = library.get("template", parts.template)
        overrides = {c: v for c, v in chosen.items() if v}
        if template.parts and overrides:
            # Parts chosen next to a template replace the template's own parts.
            chosen = {c: overrides.get(c) or template.parts.get(c) for c in PART_CATEGORIES}
        else:
            # The template's exact text; parts given with a text-only template follow it.
            clauses.append((template.text.get(code), True))
    for category in PART_CATEGORIES:
        value = chosen[category]
        if value:
            clauses.append(resolve_part(category, value, library, code))
    extra = without_control_characters(parts.extra).strip()
    clauses = [(without_control_characters(c), is_preset) for c, is_preset in clauses]
    if len(clauses) == 1 and not clauses[0][1]:
        body = clauses[0][0]  # one free-text part is used exactly as written
    else:
        first_is_preset = bool(clauses) and clauses[0][1]
        body = join_clauses([c for c, _ in clauses], code, first_is_preset=first_is_preset)
    if not extra:
        return body
    if not body:
        return extra
    # Extra words follow as a sentence of their own.
    return f"{body}{_SENTENCE_GAP.get(code)}{extra}"


def resolve_part(
    category: Category, value: str, library: PresetLibrary, lang: str | None
) -> tuple[str, bool]:
    """(text, True) for a preset id of the category, (value, False) for free text."""
    value = value.strip()
    preset = library.find(category, value)
    if preset is not None:
        return preset.text.get(lang), True
    if _LOOKS_LIKE_ID.match(value):
        known = ", ".join(library.ids(category)) or "-"
        raise UserError(
            "prompt.unknown_preset",
            _UNKNOWN_PRESET.format(category=category, value=value),
            remedy=_UNKNOWN_PRESET_REMEDY.format(known=known),
        )
    return value, False


def build_negative_prompt(
    library: PresetLibrary,
    lang: str | None,
    negative: str | None = DEFAULT_NEGATIVE,
    extra: str = "",
) -> str:
    """The negative prompt: a negative preset id or free text, plus extra terms."""
    code = normalize_lang(lang)
    terms: list[str] = []
    if negative and negative.strip():
        terms.append(resolve_part("negative", negative, library, code)[0])
    if extra.strip():
        terms.append(extra.strip())
    return LIST_SEPARATOR.get(code).join(t.rstrip(" ,，、") for t in terms)


def prompt_length(text: str) -> int:
    """Characters as Kling counts them against its 2500 limit: Unicode code points.

    A Chinese character counts as one, like a Latin letter; an emoji is one code point here
    (Kling documents no other rule, and code points are what its JSON parser sees).
    """
    return len(text)


def check_prompt_lengths(prompt: str, negative: str = "") -> list[UserError]:
    """One UserError per text over Kling's 2500 characters; an empty list when both fit."""
    problems = []
    for code, name, text in (
        ("prompt.too_long", Text("prompt", "提示词"), prompt),
        ("prompt.negative_too_long", Text("negative prompt", "反向提示词"), negative),
    ):
        length = prompt_length(text)
        if length > MAX_PROMPT_CHARS:
            problems.append(
                UserError(
                    code,
                    _TOO_LONG.format(name=name, length=length, limit=MAX_PROMPT_CHARS),
                    remedy=_TOO_LONG_REMEDY.format(over=length - MAX_PROMPT_CHARS),
                )
            )
    return problems


def validate_prompt_lengths(prompt: str, negative: str = "") -> None:
    """Raise the first length problem, if any (see check_prompt_lengths)."""
    problems = check_prompt_lengths(prompt, negative)
    if problems:
        raise problems[0]
