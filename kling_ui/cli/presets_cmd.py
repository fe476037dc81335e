"""`python -m kling_ui presets`: list prompt presets by category; export or import your own."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from kling_ui.cli import EXIT_OK, EXIT_USAGE, add_command
from kling_ui.cli.texts import CANNOT_READ, OWN_PRESET_MARK
from kling_ui.i18n import UserError, normalize_lang
from kling_ui.prompts import CATEGORIES, CATEGORY_LABELS, Category, PresetLibrary, load_library

_OPTION_OF_CATEGORY = {
    "camera": "--camera",
    "subject": "--subject",
    "environment": "--environment",
    "text": "--text",
    "negative": "negative prompt",
    "template": "--template",
}


def register(subparsers: Any) -> None:
    """Add the `presets` command."""
    parser = add_command(
        subparsers,
        "presets",
        (
            "List the prompt presets by category with their ids and labels: built-in ones "
            "from prompts/*.toml and your own from the data folder. Also exports and imports "
            "your own presets as JSON."
        ),
    )
    parser.add_argument("--category", choices=CATEGORIES, help="only this category")
    parser.add_argument("--lang", default="en", help="label language: en or zh-CN (default en)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--full", action="store_true", help="also print each preset's prompt text")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data folder holding user_presets.json (default: the Studio's data folder)",
    )
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument("--export", metavar="FILE", type=Path, help="write your presets as JSON")
    actions.add_argument(
        "--import", dest="import_file", metavar="FILE", type=Path, help="add presets from JSON"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List, export or import presets; a refusal prints its message and exits with usage."""
    lang = normalize_lang(args.lang)
    try:
        library = load_library(args.data_dir or _default_data_dir())
        for problem in library.problems:
            print(problem.text(lang), file=sys.stderr)
        if args.export is not None:
            args.export.write_text(library.export_user_presets(), encoding="utf-8")
            print(f"{len(library.user_presets())} -> {args.export}")
            return EXIT_OK
        if args.import_file is not None:
            count = library.import_user_presets(_read(args.import_file))
            print(f"{args.import_file} -> {count}")
            return EXIT_OK
    except UserError as exc:
        print(exc.text(lang), file=sys.stderr)
        return EXIT_USAGE
    categories: list[Category] = [args.category] if args.category else list(CATEGORIES)
    if args.json:
        print(json.dumps(_as_json(library, categories), ensure_ascii=False, indent=2))
    else:
        print(_as_table(library, categories, lang, full=args.full))
    return EXIT_OK


def _default_data_dir() -> Path | None:
    """The Studio's data folder from its settings (environment or .env); None, with a note,
    when the settings themselves are invalid (built-in presets are listed all the same)."""
    from pydantic import ValidationError

    from kling_ui.config import Settings

    try:
        return Settings().data_dir
    except ValidationError as exc:
        print(
            f"settings ignored, user presets not loaded: {exc.errors()[0]['msg']}", file=sys.stderr
        )
        return None


def _read(path: Path) -> bytes:
    """The bytes of a file to import, or a UserError saying why it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            "prompt.bad_import",
            CANNOT_READ.format(path=path, reason=reason),
        ) from None


def _as_json(
    library: PresetLibrary, categories: list[Category]
) -> dict[str, list[dict[str, object]]]:
    """Every listed preset with both languages and where it comes from."""
    return {
        category: [
            {**preset.as_dict(), "origin": preset.origin} for preset in library.presets(category)
        ]
        for category in categories
    }


def _as_table(library: PresetLibrary, categories: list[Category], lang: str, *, full: bool) -> str:
    """Presets grouped by category: id, label, and a mark for the user's own."""
    lines: list[str] = []
    for category in categories:
        presets = library.presets(category)
        title = CATEGORY_LABELS[category].get(lang)
        lines.append(f"{title} ({_OPTION_OF_CATEGORY[category]})")
        width = max((len(p.id) for p in presets), default=0)
        for preset in presets:
            mark = " *" if preset.origin == "user" else ""
            lines.append(f"  {preset.id:<{width}}  {preset.label.get(lang)}{mark}")
            if full:
                lines.append(f"  {'':<{width}}  {preset.text.get(lang)}")
        lines.append("")
    if library.user_presets():
        lines.append("* " + OWN_PRESET_MARK.get(lang))
    return "\n".join(lines).rstrip() + "\n"
