"""The Studio's prompt builder as data: what the person chose, and the prompt it makes.

Each part (camera, subject, environment, text stability) has a preset menu and a free-text
box: a preset alone gives its clause, free text alone is used as written, and both give the
preset's clause followed by the person's words. A template fills the four menus with its
parts; a template that is only a text (no parts) leads the prompt and the parts follow it.
Pure functions over a `PresetLibrary`: no Gradio here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from kling_ui.i18n import LIST_SEPARATOR, UserError, normalize_lang
from kling_ui.prompts import (
    DEFAULT_NEGATIVE,
    DEFAULT_TEMPLATE,
    PART_FIELDS,
    PresetLibrary,
    PromptParts,
    build_negative_prompt,
    build_prompt,
)
from kling_ui.prompts.presets import Category

CATEGORY_OF: dict[str, Category] = {
    "camera": "camera",
    "subject": "subject",
    "environment": "environment",
    "text_stability": "text",
}

_PRESET_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class PromptChoice:
    """Everything the person picked in the prompt builder."""

    template: str | None = None
    presets: Mapping[str, str] = field(default_factory=dict)  # part field -> preset id or ""
    free: Mapping[str, str] = field(default_factory=dict)  # part field -> own words
    extra: str = ""
    lang: str = "en"

    def parts(self, library: PresetLibrary) -> PromptParts:
        """The builder's input for this choice (see the module docstring for the rules)."""
        code = normalize_lang(self.lang)
        values = {
            name: part_value(
                CATEGORY_OF[name],
                self.presets.get(name, ""),
                self.free.get(name, ""),
                library,
                code,
            )
            for name in PART_FIELDS
        }
        template = None
        if self.template:
            preset = library.find("template", self.template)
            # A template with parts only filled the menus; the menus now speak for it.
            if preset is not None and not preset.parts:
                template = preset.id
        if template is None:
            # The prompt starts with the first part given: a preset's clause followed by the
            # person's words is free text to the builder, so its first letter is raised here
            # as the builder raises a preset's.
            lead = next((name for name in PART_FIELDS if values[name]), None)
            if lead is not None and self.presets.get(lead) and self.free.get(lead, "").strip():
                values[lead] = _capitalised(values[lead] or "")
        return PromptParts(template=template, extra=self.extra.strip(), **values)

    def record(self) -> dict[str, str]:
        """The choice as flat strings, kept with a job so "use these settings again" can
        restore every menu and box."""
        out = {"lang": normalize_lang(self.lang), "template": self.template or ""}
        for name in PART_FIELDS:
            out[name] = self.presets.get(name, "") or ""
            out[f"{name}_free"] = self.free.get(name, "") or ""
        out["extra"] = self.extra
        return out

    @classmethod
    def from_record(cls, record: Mapping[str, str], prompt: str = "") -> PromptChoice:
        """A choice restored from `record()`; a job made elsewhere (CLI, API) without a
        record comes back as its whole prompt in the extra box."""
        if not record or "lang" not in record:
            return cls(template=None, presets={}, free={}, extra=prompt, lang=_guess_lang(prompt))
        return cls(
            template=record.get("template") or None,
            presets={n: record.get(n, "") for n in PART_FIELDS},
            free={n: record.get(f"{n}_free", "") for n in PART_FIELDS},
            extra=record.get("extra", ""),
            lang=normalize_lang(record.get("lang")),
        )


def _capitalised(value: str) -> str:
    return value[:1].upper() + value[1:]


def _guess_lang(prompt: str) -> str:
    return "zh-CN" if any("\u4e00" <= ch <= "\u9fff" for ch in prompt) else "en"


def part_value(
    category: Category, preset_id: str, free: str, library: PresetLibrary, lang: str
) -> str | None:
    """One part for the builder: a preset id, the person's words, or both joined."""
    preset = library.find(category, preset_id) if preset_id else None
    words = free.strip()
    if preset is not None and words:
        return preset.text.get(lang) + LIST_SEPARATOR.get(lang) + words
    if preset is not None:
        return preset.id
    if words and _PRESET_ID.match(words) and library.find(category, words) is None:
        # A lone lower-case word would read as an unknown preset id; a full stop keeps it
        # free text (the builder drops the stop when it joins clauses).
        return words + "."
    return words or None


@dataclass(frozen=True)
class PromptPreview:
    """The final prompt and what to say about it."""

    prompt: str
    error: str  # why the prompt cannot be built, in the page's language; "" when fine


def preview(choice: PromptChoice, library: PresetLibrary, lang: str | None) -> PromptPreview:
    """The prompt Kling will receive for `choice`, or the reason it cannot be built."""
    try:
        return PromptPreview(build_prompt(choice.parts(library), library, choice.lang), "")
    except UserError as exc:
        return PromptPreview("", exc.text(lang))


def template_menus(library: PresetLibrary, template_id: str | None) -> dict[str, str] | None:
    """The four menu values a template stands for; None for a text-only or unknown one."""
    if not template_id:
        return None
    preset = library.find("template", template_id)
    if preset is None or not preset.parts:
        return None
    return {name: preset.parts.get(CATEGORY_OF[name], "") for name in PART_FIELDS}


def default_choice(library: PresetLibrary, lang: str) -> PromptChoice:
    """The seed's prompt: its template with its parts in the menus."""
    menus = template_menus(library, DEFAULT_TEMPLATE) or {}
    return PromptChoice(template=DEFAULT_TEMPLATE, presets=menus, lang=normalize_lang(lang))


def default_negative(library: PresetLibrary, lang: str) -> str:
    """The default negative prompt in `lang`."""
    return build_negative_prompt(library, lang, DEFAULT_NEGATIVE)


def menu_choices(
    library: PresetLibrary, category: Category, lang: str | None, *, none_label: str
) -> list[tuple[str, str]]:
    """A preset menu: "none" first (value ""), then every preset, labels in `lang`."""
    return [(none_label, ""), *library.choices(category, lang)]


def lab_variants(
    library: PresetLibrary, studio_prompt: str, lang: str, count: int, *, suggested: str | None
) -> list[str]:
    """`count` different prompts to compare: the Studio's own prompt first, then the
    suggested template for the pair, then the other built-in templates in file order."""
    code = normalize_lang(lang)
    found: list[str] = []
    if studio_prompt.strip():
        found.append(studio_prompt.strip())
    ids = [suggested] if suggested else []
    ids += [t for t in library.ids("template") if t != suggested]
    for template_id in ids:
        if len(found) >= count:
            break
        try:
            prompt = build_prompt(PromptParts(template=template_id), library, code)
        except UserError:
            continue
        if prompt and prompt not in found:
            found.append(prompt)
    return found[:count]


def preset_id_for(name: str, taken: list[str]) -> str:
    """A preset id made from a person's name for it ("My Fade!" -> "my-fade"), unique among
    `taken` by a numeric suffix; "preset" when the name has no usable letters."""
    base = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-_")[:40] or "preset"
    if not base[0].isalnum():
        base = "p" + base
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate
