"""Any number of `python -m kling_ui` processes may start together on a new data folder."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import TIMEOUT, base_env

from kling_ui.jobs.store import SCHEMA_VERSION

pytestmark = pytest.mark.slow  # many processes at once

RACERS = 8
# Each racer loads the command, says it is ready, waits for the go file, then runs
# `python -m kling_ui jobs --json` as the command line would.
RACER = """
import runpy, sys, time
from pathlib import Path
import kling_ui.cli.jobs_cmd
folder, name = Path(sys.argv[1]), sys.argv[2]
(folder / ("ready-" + name)).touch()
while not (folder / "go").exists():
    time.sleep(0.001)
sys.argv = ["kling_ui", "jobs", "--json"]
runpy.run_module("kling_ui", run_name="__main__", alter_sys=True)
"""


def test_jobs_commands_started_at_once_on_a_new_store_all_succeed(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # The empty file another process leaves the moment it opens a new store.
    (data / "jobs.sqlite3").touch()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    env = base_env(data)
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(barrier), str(n)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(RACERS)
    ]
    try:
        deadline = time.monotonic() + TIMEOUT
        while len(list(barrier.glob("ready-*"))) < RACERS and time.monotonic() < deadline:
            time.sleep(0.01)
        (barrier / "go").touch()
        results = [(racer.wait(TIMEOUT), *racer.communicate()) for racer in racers]
    finally:
        for racer in racers:
            racer.kill()
    assert [(code, out.strip(), err) for code, out, err in results] == [(0, "[]", "")] * RACERS
    with sqlite3.connect(data / "jobs.sqlite3") as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
