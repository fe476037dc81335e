"""Speaker notes as a hint for a transition's prompt.

A transition is read from the notes of the slide it arrives at, as PowerPoint keeps a slide's
transition with the slide it leads into:

* Cue words nudge the prompt parts: "zoom" or "focus" a slow push-in, "zoom out" or "overview"
  a pull-out, "timeline" or "roadmap" a sideways track, "growth" a crane up; "chart", "graph",
  "data" make the new content assemble piece by piece with its text locked in place (numbers
  must stay legible); "reveal", "launch", "announce" a spotlight on the new content;
  "compare", "versus" an in-place evolution. English and Chinese words both count
  (放大, 图表, 揭晓, ...). When several cues of one kind appear, the first one in the notes wins.
* A line "Transition: <words>" (or "转场：<words>") is the author speaking to the deck: its
  words are added to the prompt as they are, and its cues count before the rest of the notes.

Notes never replace what the person chose: a part picked explicitly wins over a cue, and a
whole template chosen for every transition is used as it is (see prompting.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from kling_ui.prompts.builder import PART_FIELDS, PromptParts

MAX_DIRECTION_CHARS = 300

_DIRECTION = re.compile(
    r"^[ \t]*(?:transition|转场|过渡)[ \t]*[:：\-–—][ \t]*(?P<words>\S.*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass(frozen=True, slots=True)
class CueRule:
    """Words that suggest one preset for one prompt part."""

    field: str
    preset: str
    english: tuple[str, ...]
    chinese: tuple[str, ...] = ()


_CHART_EN = ("chart", "graph", "diagram", "table", "data", "numbers", "metrics", "kpi")
_CHART_ZH = ("图表", "数据", "图示", "表格", "柱状图", "饼图", "曲线", "指标")

RULES: tuple[CueRule, ...] = (
    CueRule(
        "camera",
        "pull_out",
        ("zoom out", "big picture", "overview", "step back", "recap", "summar"),
        ("拉远", "全景", "概览", "总览", "回顾", "总结"),
    ),
    CueRule(
        "camera",
        "push_in",
        ("zoom", "close-up", "close up", "closer look", "focus", "drill down", "detail"),
        ("放大", "聚焦", "特写", "细节", "推进", "深入"),
    ),
    CueRule(
        "camera",
        "truck_right",
        ("timeline", "roadmap", "next step", "milestone", "journey"),
        ("时间线", "路线图", "下一步", "里程碑", "历程"),
    ),
    CueRule("camera", "crane_up", ("growth", "grow", "rise", "rising"), ("增长", "上升", "攀升")),
    CueRule("subject", "assemble", _CHART_EN, _CHART_ZH),
    CueRule(
        "subject", "in_place", ("compare", "comparison", "versus", "before and after"), ("对比",)
    ),
    CueRule(
        "environment",
        "spotlight",
        ("reveal", "unveil", "introduc", "announc", "launch", "highlight"),
        ("揭晓", "揭示", "发布", "推出", "亮相", "重点"),
    ),
    CueRule("text_stability", "locked", _CHART_EN, _CHART_ZH),
)


@dataclass(frozen=True, slots=True)
class CueMatch:
    """One prompt part a cue word chose: the part, the preset, the word as written."""

    field: str
    preset: str
    word: str


@dataclass(frozen=True, slots=True)
class NotesCue:
    """What a slide's notes suggest for the transition into it."""

    matches: tuple[CueMatch, ...] = ()
    direction: str = ""

    def is_empty(self) -> bool:
        """Nothing in the notes speaks to the transition."""
        return not (self.matches or self.direction)

    def without(self, fields: set[str]) -> NotesCue:
        """This cue minus the parts in `fields` (the ones the person chose themselves)."""
        kept = tuple(m for m in self.matches if m.field not in fields)
        return NotesCue(kept, self.direction)

    def presets_on(self, parts: PromptParts) -> PromptParts:
        """`parts` with the cue's presets in place of theirs."""
        update = {m.field: m.preset for m in self.matches}
        return parts.model_copy(update=update) if update else parts

    def with_direction(self, parts: PromptParts) -> PromptParts:
        """`parts` with the direction's words added at the end (after any extra words)."""
        if not self.direction:
            return parts
        return parts.model_copy(update={"extra": f"{parts.extra.strip()} {self.direction}".strip()})

    def label(self) -> str | None:
        """The cue in a few words for the prompt table ("zoom, chart; “slow zoom”")."""
        words = list(dict.fromkeys(m.word for m in self.matches))
        shown = ", ".join(words)
        if self.direction:
            quoted = self.direction if len(self.direction) <= 40 else self.direction[:39] + "…"
            shown = f"{shown}; “{quoted}”" if shown else f"“{quoted}”"
        return shown or None


def read_cue(notes: str) -> NotesCue:
    """The cue in a slide's speaker notes (empty for notes that say nothing about motion)."""
    if not notes.strip():
        return NotesCue()
    found = _DIRECTION.search(notes)
    direction = found.group("words")[:MAX_DIRECTION_CHARS].strip() if found else ""
    chosen = _scan(direction) if direction else {}
    for field, match in _scan(notes).items():
        chosen.setdefault(field, match)
    ordered = tuple(chosen[f] for f in PART_FIELDS if f in chosen)
    return NotesCue(ordered, direction)


def _scan(text: str) -> dict[str, CueMatch]:
    """For each part, the rule whose word appears first in `text` (the longer word on a tie:
    "zoom out" over "zoom")."""
    best: dict[str, tuple[int, int, CueMatch]] = {}
    for rule in RULES:
        for position, word in _occurrences(rule, text):
            key = (position, -len(word))
            current = best.get(rule.field)
            if current is None or key < current[:2]:
                best[rule.field] = (*key, CueMatch(rule.field, rule.preset, word))
    return {field: entry[2] for field, entry in best.items()}


def _occurrences(rule: CueRule, text: str) -> list[tuple[int, str]]:
    """Where each of the rule's words first appears in `text`, with the word as written."""
    found: list[tuple[int, str]] = []
    for phrase in rule.english:
        match = _english_pattern(phrase).search(text)
        if match:
            found.append((match.start(), match.group(0).lower()))
    for phrase in rule.chinese:
        position = text.find(phrase)
        if position >= 0:
            found.append((position, phrase))
    return found


@functools.lru_cache(maxsize=256)
def _english_pattern(phrase: str) -> re.Pattern[str]:
    """A whole-word, any-case pattern for `phrase` and its endings ("zoom" finds "zooming")."""
    body = r"[\s-]+".join(re.escape(word) for word in re.split(r"[\s-]+", phrase))
    return re.compile(rf"(?<![\w-]){body}\w*", re.IGNORECASE)
