"""Starting `python -m kling_ui`: each command loads only what it uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import TIMEOUT, base_env

from kling_ui.cli import COMMANDS, EXIT_USAGE, build_parser, main

# Never needed to print the help or list the history.
STUDIO_AND_VIDEO = ("gradio", "av", "uvicorn", "starlette", "fastapi")
COMMAND_MODULES = {command.module for command in COMMANDS}


def imported_modules(args: list[str], env: dict[str, str], cwd: Path) -> tuple[set[str], str]:
    """Every module `python -X importtime -m kling_ui ARGS` imports, and its stdout."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kling_ui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=True,
    )
    modules = {
        line.split("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "cumulative" not in line
    }
    return modules, done.stdout


def packages(modules: set[str]) -> set[str]:
    """The top-level packages among `modules`."""
    return {name.split(".")[0] for name in modules}


@pytest.fixture(scope="module")
def help_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], str]:
    """`python -m kling_ui --help` run once as a process of its own: its imports and stdout."""
    folder = tmp_path_factory.mktemp("help")
    return imported_modules(["--help"], base_env(folder), folder)


def test_help_lists_every_command(help_run: tuple[set[str], str]) -> None:
    _, out = help_run
    words = " ".join(out.split())  # argparse wraps long help lines
    for command in COMMANDS:
        assert f"{command.name} {command.help}" in words


def test_help_imports_no_command_and_no_dependency(help_run: tuple[set[str], str]) -> None:
    modules, _ = help_run
    assert not modules & COMMAND_MODULES
    heavy = {*STUDIO_AND_VIDEO, "httpx", "numpy", "PIL", "pydantic", "rich"}
    assert not packages(modules) & heavy


def test_jobs_loads_neither_the_studio_nor_the_video_stack_nor_the_simulator(
    tmp_path: Path,
) -> None:
    modules, out = imported_modules(["jobs", "--json"], base_env(tmp_path / "d"), tmp_path)
    assert out.strip() == "[]"
    assert not packages(modules) & set(STUDIO_AND_VIDEO)
    assert "kling_ui.simulator" not in modules and "kling_ui.runtime" not in modules
    assert modules & COMMAND_MODULES <= {
        "kling_ui.cli.jobs_cmd",
        "kling_ui.cli.generate_cmd",  # its helpers: settings and exit codes
    }


def test_the_help_read_without_imports_is_the_help_of_every_command_loaded() -> None:
    assert build_parser(only="").format_help() == build_parser().format_help()


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["no-such-command"])
    assert exited.value.code == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err
