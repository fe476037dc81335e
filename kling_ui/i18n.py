"""Bilingual text (en and zh-CN) and the error type every user-facing refusal is built on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Lang = Literal["en", "zh-CN"]
LANGS: tuple[Lang, ...] = ("en", "zh-CN")
DEFAULT_LANG: Lang = "en"


@dataclass(frozen=True, slots=True)
class Text:
    """One message in both languages the product speaks."""

    en: str
    zh: str

    def get(self, lang: str | None = None) -> str:
        """The message in `lang` ("zh-CN", "zh", "en", ...); English for anything unknown."""
        return self.zh if normalize_lang(lang) == "zh-CN" else self.en

    def format(self, **values: object) -> Text:
        """Both languages with `{name}` placeholders filled in; a value that is itself a `Text`
        fills each language with its own half (a label or clause that is translated too)."""
        return Text(
            self.en.format(**{k: v.en if isinstance(v, Text) else v for k, v in values.items()}),
            self.zh.format(**{k: v.zh if isinstance(v, Text) else v for k, v in values.items()}),
        )

    def __add__(self, other: Text) -> Text:
        """Both languages joined end to end."""
        return Text(self.en + other.en, self.zh + other.zh)


# The comma between the items of a list ("a, b" / "a，b").
LIST_SEPARATOR = Text(", ", "，")


def normalize_lang(lang: str | None) -> Lang:
    """Map any language tag ("zh", "zh-cn", "zh-Hans-CN", "en-US", None) to a supported one."""
    if lang and lang.strip().lower().startswith("zh"):
        return "zh-CN"
    return "en"


def pick_lang(accept_language: str | None) -> Lang:
    """Choose the language from an HTTP Accept-Language header, honouring q-weights."""
    if not accept_language:
        return DEFAULT_LANG
    best: tuple[float, Lang] | None = None
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lowered = tag.lower()
        if not (lowered.startswith("zh") or lowered.startswith("en")):
            continue
        # Earlier entries win ties, as browsers list preferences in order.
        score = weight - index * 1e-6
        if best is None or score > best[0]:
            best = (score, normalize_lang(tag))
    return best[1] if best else DEFAULT_LANG


class UserError(Exception):
    """A refusal the person can act on: a stable code and a message in both languages.

    Every error that reaches a person (bad files, bad settings, Kling's refusals) is one of
    these, so each front end can show `text(lang)` instead of a traceback.
    """

    def __init__(self, code: str, message: Text, *, remedy: Text | None = None) -> None:
        self.code = code
        self.message = message
        self.remedy = remedy
        super().__init__(f"[{code}] {message.en}")

    def text(self, lang: str | None = None) -> str:
        """The message, followed by the remedy when there is one, in the given language."""
        parts = [self.message.get(lang)]
        if self.remedy is not None:
            parts.append(self.remedy.get(lang))
        return " ".join(p for p in parts if p)
