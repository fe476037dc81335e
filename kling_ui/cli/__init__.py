"""The command line: `python -m kling_ui <command> ...`.

Each command lives in its own module exposing `register(subparsers)`, which adds an
argparse sub-parser and sets `func(args) -> int` (the process exit code) as its default.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Exit codes shared by every command.
EXIT_OK = 0
EXIT_USAGE = 2  # bad input or usage
EXIT_REFUSED = 3  # Kling refused the request (auth, quota, parameters, policy)
EXIT_FAILED = 4  # the task failed or timed out

COMMAND_MODULES = (
    "kling_ui.cli.serve_cmd",
    "kling_ui.cli.generate_cmd",
    "kling_ui.cli.deck_cmd",
    "kling_ui.cli.jobs_cmd",
    "kling_ui.cli.presets_cmd",
    "kling_ui.cli.simulator_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with EXIT_USAGE and one clear line on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command that is installed in this package."""
    parser = _Parser(prog="python -m kling_ui", description="Kling Transition Studio")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the chosen command, and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))
