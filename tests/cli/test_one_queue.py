"""The store is one queue for every process on a data folder: many `generate` processes at
once share the account's three slots, and a killed process's job is taken over by a live one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import base_env

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import SimulatorConfig, SimulatorServer

pytestmark = pytest.mark.slow  # many processes

PROCESSES = 8  # well over the account's three slots

WAIT = 240.0


def kling_env(data_dir: Path, sim: SimulatorServer, **extra: str) -> dict[str, str]:
    """A person's environment pointing every process at one (simulated) Kling account."""
    return base_env(
        data_dir,
        KLING_BASE_URL=sim.base_url,
        KLING_ACCESS_KEY=sim.config.access_key,
        KLING_SECRET_KEY=sim.config.secret_key,
        **extra,
    )


def start_generate(workdir: Path, env: dict[str, str], prompt: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kling_ui",
            "generate",
            "first.png",
            "last.png",
            "--prompt",
            prompt,
            "--json",
        ],
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stats(sim: SimulatorServer) -> dict:
    return httpx.get(f"{sim.base_url}/debug/stats", timeout=10).json()


@pytest.fixture
def account():
    with SimulatorServer(SimulatorConfig(latency=1.5, render_height=120, concurrency=3)) as sim:
        yield sim


def test_more_generate_processes_than_slots_on_one_new_folder_all_finish_three_at_a_time(
    workdir: Path, account: SimulatorServer
) -> None:
    env = kling_env(workdir / "data", account)
    runs = [start_generate(workdir, env, f"take {n}") for n in range(PROCESSES)]
    outcomes = [run.communicate(timeout=WAIT) for run in runs]
    for run, (_out, err) in zip(runs, outcomes, strict=True):
        assert run.returncode == 0, err
        assert "Traceback" not in err
    seen = stats(account)
    assert seen["peak_concurrency"] <= 3
    assert len(seen["created"]) == PROCESSES and set(seen["created"].values()) == {1}
    with sqlite3.connect(workdir / "data" / "jobs.sqlite3") as db:
        done = db.execute("SELECT COUNT(*) FROM jobs WHERE status = 'done'").fetchone()[0]
    assert done == PROCESSES


def test_a_killed_processs_job_is_taken_over_by_a_live_process(
    workdir: Path, account: SimulatorServer
) -> None:
    httpx.post(f"{account.base_url}/debug/config", json={"latency": 4.0}, timeout=10)
    data_dir = workdir / "data"
    env = kling_env(data_dir, account, KLING_UI_LEASE_SECONDS="1.5")
    doomed = start_generate(workdir, env, "left behind")
    deadline = time.monotonic() + WAIT
    while not stats(account)["created"]:
        if doomed.poll() is not None or time.monotonic() > deadline:
            doomed.kill()
            out, err = doomed.communicate(timeout=30)
            pytest.fail(
                f"the process never created its task (exit {doomed.returncode}):\n{out}{err}"
            )
        time.sleep(0.05)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)
    (external_id,) = stats(account)["created"]

    store = JobStore(data_dir / "jobs.sqlite3")
    credentials = Credentials.of(
        account.config.access_key, account.config.secret_key, account.base_url
    )
    survivor = JobEngine(
        store, credentials, data_dir=data_dir, poll_interval=0.1, lease_seconds=1.5
    )
    try:
        survivor.start()
        (job,) = store.list()
        assert job.external_task_id == external_id
        deadline = time.monotonic() + WAIT
        while store.get(job.id).status is not JobStatus.DONE:
            assert time.monotonic() < deadline, store.get(job.id)
            time.sleep(0.1)
    finally:
        survivor.stop()
        store.close()
    assert stats(account)["created"] == {external_id: 1}
