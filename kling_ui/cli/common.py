"""What the generating commands share: the Kling settings options, how they start (quiet logs,
messages on stderr, the demo notice) and how a refusal or an interruption is told."""

from __future__ import annotations

import argparse
import json
import logging
from typing import TYPE_CHECKING, Any

from rich.console import Console

from kling_ui import logs
from kling_ui.cli import EXIT_USAGE
from kling_ui.cli.texts import DEMO_NOTICE, INTERRUPTED_NOTICE
from kling_ui.i18n import LANGS, UserError, normalize_lang
from kling_ui.kling.capabilities import MODELS

if TYPE_CHECKING:
    from kling_ui.runtime import Runtime

INTERRUPTED = 130


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


def quiet_console(args: argparse.Namespace) -> tuple[str, Console]:
    """Logging down to warnings, the language of the messages (--lang) and the console they
    go to (stderr: stdout is for the result)."""
    logs.install(logging.WARNING)
    return normalize_lang(args.lang), Console(stderr=True, soft_wrap=True)


def start_runtime(runtime: Runtime, console: Console, lang: str) -> None:
    """Start the engine (and in demo mode the simulator), saying so in demo mode."""
    runtime.start()
    if runtime.demo:
        console.print(DEMO_NOTICE.get(lang), highlight=False)


def interrupted(console: Console, lang: str) -> int:
    """Ctrl-C while waiting: the jobs are kept for `resume`; the exit code."""
    console.print(INTERRUPTED_NOTICE.get(lang), highlight=False)
    return INTERRUPTED


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
