"""A process running jobs is killed with SIGKILL while tasks are in flight; `resume` in a new
process finishes every job, and the simulator saw each external_task_id created once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from job_helpers import WAIT, sim_stats, wait_for

from kling_ui.simulator import SimulatorServer

REPO = Path(__file__).resolve().parents[2]
JOBS = 7

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from kling_ui.jobs.models import JobSpec
    from kling_ui.runtime import Runtime

    count, first, last = int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    runtime = Runtime.from_settings().start()
    engine = runtime.engine
    first_frame = engine.save_frame(first.read_bytes(), "png")
    last_frame = engine.save_frame(last.read_bytes(), "png")
    for n in range(count):
        engine.submit(
            JobSpec(first_frame=first_frame, last_frame=last_frame, prompt=f"take {n}",
                    submitter=f"person-{n % 3}")
        )
    print("submitted", flush=True)
    while True:  # until killed
        time.sleep(1)
    """
)


def engine_env(server: SimulatorServer, data_dir: Path) -> dict[str, str]:
    """The environment of a Studio process pointed at `server` (no demo mode)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KLING")}
    env.update(
        PYTHONPATH=str(REPO),
        KLING_BASE_URL=server.base_url,
        KLING_ACCESS_KEY=server.config.access_key,
        KLING_SECRET_KEY=server.config.secret_key,
        KLING_UI_DATA_DIR=str(data_dir),
        KLING_UI_POLL_INTERVAL="0.1",
        # The killed process's claims run out in 2 s (not 30), so `resume` takes over soon.
        KLING_UI_LEASE_SECONDS="2",
    )
    return env


def statuses(data_dir: Path) -> list[str]:
    path = data_dir / "jobs.sqlite3"
    if not path.is_file():
        return []
    with sqlite3.connect(path, timeout=10) as db:
        try:
            return [row[0] for row in db.execute("SELECT status FROM jobs")]
        except sqlite3.OperationalError:  # the table is not created yet
            return []


def killable(rows: list[str]) -> bool:
    """Whether all the child's jobs are recorded, some in flight and some still queued."""
    in_flight = sum(s in ("submitted", "processing") for s in rows)
    return len(rows) == JOBS and rows.count("queued") > 0 and in_flight > 0


@pytest.mark.slow
def test_a_killed_process_loses_nothing_and_pays_nothing_twice(
    simulator_factory: Callable[..., SimulatorServer],
    tmp_path: Path,
    frame_bytes: tuple[bytes, bytes],
) -> None:
    server = simulator_factory(latency=1.5, concurrency=3, fault_drop=0.1, seed=3)
    data_dir = tmp_path / "data"
    first, last = tmp_path / "first.png", tmp_path / "last.png"
    first.write_bytes(frame_bytes[0])
    last.write_bytes(frame_bytes[1])
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = engine_env(server, data_dir)

    child = subprocess.Popen(
        [sys.executable, str(script), str(JOBS), str(first), str(last)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The kill lands once every job is recorded (not mid-submission), while some tasks
        # are in flight and others still wait for a slot.
        wait_for(lambda: killable(statuses(data_dir)), timeout=WAIT)
        in_flight_at_kill = sim_stats(server)["active"]
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
    assert in_flight_at_kill > 0

    resumed = subprocess.run(
        [sys.executable, "-m", "kling_ui", "resume", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    summaries = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert {s["status"] for s in summaries} == {"done"}
    assert statuses(data_dir) == ["done"] * JOBS

    created = sim_stats(server)["created"]
    assert len(created) == JOBS
    assert set(created.values()) == {1}
