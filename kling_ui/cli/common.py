"""What the generating commands share: the Kling settings options and how a refusal is told."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console

from kling_ui.cli import EXIT_USAGE
from kling_ui.i18n import LANGS, UserError
from kling_ui.kling.capabilities import MODELS


def add_kling_options(parser: argparse.ArgumentParser) -> None:
    """Add --model, --mode, --duration, --new-take, --json and --lang."""
    parser.add_argument("--model", default=None, choices=list(MODELS), help="Kling model")
    parser.add_argument("--mode", default=None, choices=("std", "pro"), help="std or pro")
    parser.add_argument("--duration", default=None, choices=("5", "10"), help="seconds")
    parser.add_argument(
        "--new-take", action="store_true", help="make new videos even if identical ones exist"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    parser.add_argument("--lang", default="en", choices=LANGS, help="language of messages")


def refuse(
    args: argparse.Namespace,
    console: Console,
    error: UserError,
    lang: str,
    empty: dict[str, Any],
) -> int:
    """Tell a refusal before anything ran: one line on stderr and, with --json, one JSON
    object (`empty`'s fields, status "invalid", and the error); returns EXIT_USAGE."""
    console.print(f"[{error.code}] {error.text(lang)}", highlight=False, markup=False)
    if getattr(args, "json", False):
        summary = {
            **empty,
            "status": "invalid",
            "error": {"code": error.code, "message": error.message.get(lang)},
        }
        print(json.dumps(summary, ensure_ascii=False))
    return EXIT_USAGE
