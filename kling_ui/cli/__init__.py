"""The command line: `python -m kling_ui <command> ...`.

Each command lives in its own module exposing `register(subparsers)`, which adds an
argparse sub-parser and sets `func(args) -> int` (the process exit code) as its default.
The dispatcher below knows every command's name, help line and module, and imports a
command's module only when that command runs, so `--help` and the light commands start
without loading the Studio, the video stack or the engine's HTTP client. A command's help
line is written once, here: a module adds its command with `add_command`.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Exit codes shared by every command.
EXIT_OK = 0
EXIT_USAGE = 2  # bad input or usage
EXIT_REFUSED = 3  # Kling refused the request (auth, quota, parameters, policy)
EXIT_FAILED = 4  # the task failed or timed out


@dataclass(frozen=True)
class Command:
    """One command as the dispatcher lists it before its module is imported."""

    name: str
    help: str
    module: str


COMMANDS: tuple[Command, ...] = (
    Command("serve", "serve the Studio in the browser (localhost:7860)", "kling_ui.cli.serve_cmd"),
    Command(
        "generate",
        "make one transition video from a first and a last frame",
        "kling_ui.cli.generate_cmd",
    ),
    Command(
        "deck",
        "make one presentation video (and a PowerPoint) from a PDF, a PPTX or images",
        "kling_ui.cli.deck_cmd",
    ),
    Command("jobs", "list the job history (newest first)", "kling_ui.cli.jobs_cmd"),
    Command("resume", "finish every unfinished job and wait for them", "kling_ui.cli.jobs_cmd"),
    Command(
        "presets",
        "list prompt presets (ids for --camera, --subject, ...)",
        "kling_ui.cli.presets_cmd",
    ),
    Command(
        "simulator", "run the Kling API simulator in the foreground", "kling_ui.cli.simulator_cmd"
    ),
)
COMMAND_MODULES = tuple(dict.fromkeys(command.module for command in COMMANDS))


class _Parser(argparse.ArgumentParser):
    """argparse that exits with EXIT_USAGE and one clear line on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered by its module; with `only` (a command name),
    just that command's module is imported and every other command is listed by its name and
    help line alone (enough for `--help` and for argparse to name an unknown command)."""
    parser = _Parser(prog="python -m kling_ui", description="Kling Transition Studio")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    wanted = COMMAND_MODULES if only is None else _modules_for(only)
    for module in wanted:
        importlib.import_module(module).register(subparsers)
    for command in COMMANDS:
        if command.name not in subparsers.choices:
            subparsers.add_parser(command.name, help=command.help, add_help=False)
    return parser


def add_command(subparsers: Any, name: str, description: str) -> argparse.ArgumentParser:
    """The sub-parser of the command `name`, with its help line from COMMANDS."""
    (command,) = (c for c in COMMANDS if c.name == name)
    return subparsers.add_parser(name, help=command.help, description=description)


def command_named(argv: Sequence[str]) -> str:
    """The command `argv` asks for: its first word that is not an option ("" if none)."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv`, run the chosen command, and return its exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(only=command_named(words))
    args = parser.parse_args(words)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return int(args.func(args))


def _modules_for(name: str) -> tuple[str, ...]:
    """The module registering command `name`; none for a name no command has."""
    return tuple(command.module for command in COMMANDS if command.name == name)
