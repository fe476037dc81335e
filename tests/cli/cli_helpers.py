"""Running `python -m kling_ui` as a person would: in this process through the CLI's own
`main(argv)` (environment, working folder, stdout and stderr swapped in for the call), or as
a real subprocess for the few smoke tests that need one."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from kling_ui.cli import main

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 120


@dataclass(frozen=True)
class Run:
    """A finished command: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def last_json(self) -> Any:
        """The last stdout line parsed as JSON."""
        return json.loads(self.out.strip().splitlines()[-1])


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The parent's environment without any Kling setting, plus a data folder, a fast demo
    simulator and fast polling; `extra` on top."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KLING")}
    env.update(
        PYTHONPATH=str(REPO),
        KLING_UI_DATA_DIR=str(data_dir),
        KLING_UI_DEMO_LATENCY="0.5",
        KLING_UI_DEMO_RENDER_HEIGHT="180",
        KLING_UI_POLL_INTERVAL="0.1",
    )
    env.update(extra)
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> Run:
    """`python -m kling_ui ARGS` in `cwd` with exactly `env`, run in this process by
    `kling_ui.cli.main`. Warnings logged meanwhile go to its stderr, as in a process of its
    own (where `logs.install` puts them there)."""
    out, err = StringIO(), StringIO()
    warnings = logging.StreamHandler(err)
    warnings.setLevel(logging.WARNING)
    root = logging.getLogger()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        for name in set(os.environ) - set(env):
            patch.delenv(name)
        for name, value in env.items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        root.addHandler(warnings)
        try:
            code = main(args)
        except SystemExit as exited:  # argparse's usage errors
            code = exited.code if isinstance(exited.code, int) else 1
        finally:
            root.removeHandler(warnings)
    return Run(code, out.getvalue(), err.getvalue())


def run_process(args: list[str], env: dict[str, str], cwd: Path) -> Run:
    """`python -m kling_ui ARGS` in `cwd` with `env`, as a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return Run(done.returncode, done.stdout, done.stderr)
