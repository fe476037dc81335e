"""Scheduler bench: how close the job engine comes to the ideal makespan, and what it costs.

Runs N jobs (default 12, from 3 submitters) of latency T (default 3 s) through the real
JobEngine against the simulator (in its own process) with S slots (default 3). The ideal makespan is
ceil(N/S) * T; the engine's makespan runs from the first submit to the last video saved.
Also prints the query requests (get + list + find) per task. Two set-ups are measured:
callbacks (a loopback callback route, backup polling at --poll-callbacks) and polling only
(at --poll).

    python bench/scheduler.py [--latency 3] [--jobs 12] [--slots 3] [--poll 0.1]

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import math
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# The repository root replaces this script's folder on the path, so a bench file named like an
# installed package (bench/pptx.py) cannot shadow that package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.callback import CallbackListener
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import slide_png

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Result:
    """One measured run."""

    setup: str
    makespan: float
    ideal: float
    queries_per_task: float
    requests: dict[str, int]
    peak_concurrency: int
    created_once: bool

    @property
    def ratio(self) -> float:
        """Makespan over the ideal ceil(N/S) * T."""
        return self.makespan / self.ideal


@contextmanager
def simulator_process(latency: float, slots: int, keys: tuple[str, str]) -> Iterator[str]:
    """The simulator in its own process (as Kling is: its rendering does not compete with
    the engine for this process's GIL); yields its base URL."""
    command = [
        sys.executable, "-m", "kling_ui", "simulator", "--port", "0",
        "--latency", str(latency), "--concurrency", str(slots), "--render-height", "180",
        "--access-key", keys[0], "--secret-key", keys[1],
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as process:
        try:
            assert process.stdout is not None
            yield process.stdout.readline().strip()
        finally:
            process.terminate()
            process.wait(15)


def run_once(setup: str, latency: float, jobs: int, slots: int, poll: float) -> Result:
    """Run `jobs` jobs through a fresh engine and simulator; measure."""
    keys = (secrets.token_urlsafe(24), secrets.token_urlsafe(32))
    with (
        simulator_process(latency, slots, keys) as base_url,
        tempfile.TemporaryDirectory() as folder,
    ):
        data_dir = Path(folder)
        store = JobStore(data_dir / "jobs.sqlite3")
        credentials = Credentials.of(keys[0], keys[1], base_url)
        engine = JobEngine(
            store, credentials, data_dir=data_dir, concurrency=slots, poll_interval=poll
        )
        listener = CallbackListener(engine) if setup == "callbacks" else None
        if listener is not None:
            engine.set_callback_base(listener.start())
        engine.start()
        try:
            first = engine.save_frame(slide_png(640, 360, "First"), "png")
            last = engine.save_frame(slide_png(640, 360, "Last"), "png")
            started = time.time()
            ids = [
                engine.submit(
                    JobSpec(
                        first_frame=first,
                        last_frame=last,
                        prompt=f"take {n}",
                        submitter=f"person-{n % 3}",
                    )
                ).job.id
                for n in range(jobs)
            ]
            finished = [engine.wait(job_id, timeout=latency * jobs + 120) for job_id in ids]
            if any(job.status is not JobStatus.DONE for job in finished):
                raise SystemExit(f"{setup}: not every job finished: {[j.status for j in finished]}")
            makespan = max(job.finished_at or 0.0 for job in finished) - started
            requests = engine.snapshot().requests
        finally:
            engine.stop()
            if listener is not None:
                listener.stop()
            store.close()
        queries = sum(requests.get(kind, 0) for kind in ("query", "list", "find"))
        stats = httpx.get(f"{base_url}/debug/stats", timeout=10).json()
        return Result(
            setup=setup,
            makespan=makespan,
            ideal=math.ceil(jobs / slots) * latency,
            queries_per_task=queries / jobs,
            requests=dict(requests),
            peak_concurrency=stats["peak_concurrency"],
            created_once=set(stats["created"].values()) == {1},
        )


def main() -> None:
    """Parse the options, run each set-up, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=3.0, help="T: seconds per task")
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.1, help="poll interval, polling only")
    parser.add_argument(
        "--poll-callbacks", type=float, default=1.0, help="backup poll interval with callbacks"
    )
    parser.add_argument("--setup", choices=("both", "callbacks", "polling"), default="both")
    args = parser.parse_args()
    setups = ("callbacks", "polling") if args.setup == "both" else (args.setup,)
    waves = math.ceil(args.jobs / args.slots)
    print(f"{args.jobs} jobs, {args.slots} slots, T = {args.latency:g} s, ideal {waves} x T")
    for setup in setups:
        poll = args.poll_callbacks if setup == "callbacks" else args.poll
        result = run_once(setup, args.latency, args.jobs, args.slots, poll)
        print(
            f"{setup:9} poll {poll:g} s: makespan {result.makespan:.2f} s, "
            f"makespan / ({waves} x T) = {result.ratio:.3f}, "
            f"queries per task {result.queries_per_task:.2f}, "
            f"peak concurrency {result.peak_concurrency}, "
            f"each task created once: {result.created_once}, "
            f"requests {dict(sorted(result.requests.items()))}"
        )


if __name__ == "__main__":
    main()
