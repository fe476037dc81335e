"""Running `python -m kling_ui` as a person would: a subprocess with its own environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """`python -m kling_ui ARGS` in `cwd` with `env`."""
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return Run(done.returncode, done.stdout, done.stderr)
