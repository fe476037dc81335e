"""Joining prompt clauses into one sentence the way each language writes it."""

from __future__ import annotations

from kling_ui.i18n import Text

_JOINED_PUNCTUATION = ".;,。；，、 \t\r\n"
_FINAL_PUNCTUATION = ".!?。！？"
SEPARATOR = Text("; ", "，")
FULL_STOP = Text(".", "。")


def join_clauses(clauses: list[str], lang: str, *, first_is_preset: bool) -> str:
    """Clauses joined with "; " (en) or "，" (zh), ending with "." or "。".

    Trailing separators and full stops of each clause are dropped so none double up (a final
    "!" or "?" is kept and then needs no full stop); the
    first letter is capitalised only when the first clause is a preset's (free text keeps
    the writer's own case).
    """
    kept = [c.strip().rstrip(_JOINED_PUNCTUATION) for c in clauses]
    kept = [c for c in kept if c]
    if not kept:
        return ""
    if first_is_preset:
        kept[0] = kept[0][:1].upper() + kept[0][1:]
    joined = SEPARATOR.get(lang).join(kept)
    return joined if ends_a_sentence(joined) else joined + FULL_STOP.get(lang)


def ends_a_sentence(text: str) -> bool:
    """Whether the text already ends with sentence punctuation."""
    return text.rstrip()[-1:] in _FINAL_PUNCTUATION
