"""Scheduler bench: how close the job engine comes to the ideal makespan, and what it costs.

Runs N jobs (default 12, from 3 submitters) of latency T (default 3 s) through the real
JobEngine against the simulator (in its own process) with S slots (default 3). The ideal makespan is
ceil(N/S) * T; the engine's makespan runs from the first submit to the last video saved.
Also prints the query requests (get + list + find) per task. Two set-ups are measured:
callbacks (a loopback callback route, backup polling at --poll-callbacks) and polling only
(at --poll).

    python bench/scheduler.py [--latency 3] [--jobs 12] [--slots 3] [--poll 0.1]
                              [--timeout 600]

Prints figures; it is not a test. It never hangs: the simulator's keys reach it through its
environment (a key starting with "-" on its command line would read as an option), the
simulator must answer its debug endpoint within --start-timeout seconds, and the whole bench
ends after --timeout seconds whatever it is doing. Exit status: 0 done, 1 a job did not
finish, 2 the simulator could not start (its own words are printed), 3 out of time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.callback import CallbackListener
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import slide_png

REPO = Path(__file__).resolve().parents[1]
EXIT_UNFINISHED = 1
EXIT_NO_SIMULATOR = 2
EXIT_OUT_OF_TIME = 3


class Watchdog:
    """Ends the whole bench after `seconds`, whatever it is doing: it kills the simulator
    processes it was told about and exits with EXIT_OUT_OF_TIME."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self._children: list[subprocess.Popen[str]] = []
        timer = threading.Timer(seconds, self._fire)
        timer.daemon = True
        timer.start()

    def left(self) -> float:
        """Seconds until the bench is ended."""
        return max(0.0, self.deadline - time.monotonic())

    def watch(self, process: subprocess.Popen[str]) -> None:
        """Kill `process` too if time runs out."""
        self._children.append(process)

    def _fire(self) -> None:
        print(f"bench: out of time after {self.seconds:g} s, stopping", file=sys.stderr, flush=True)
        for process in self._children:
            process.kill()
        # os._exit: the engine's threads or a blocked wait must not keep the bench alive.
        os._exit(EXIT_OUT_OF_TIME)


class SimulatorFailed(Exception):
    """The simulator process did not come up; the message says why."""


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
def simulator_process(
    latency: float,
    slots: int,
    keys: tuple[str, str],
    start_timeout: float,
    watchdog: Watchdog,
    extra: tuple[str, ...] = (),
) -> Iterator[str]:
    """The simulator in its own process (as Kling is: its rendering does not compete with
    the engine for this process's GIL); yields its base URL once its debug endpoint answers.
    SimulatorFailed, with the simulator's own error output, when it does not within
    `start_timeout` seconds."""
    command = [
        sys.executable, "-m", "kling_ui", "simulator", "--port", "0",
        "--latency", str(latency), "--concurrency", str(slots), "--render-height", "180",
        *extra,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("KLING")}
    env.update(PYTHONPATH=str(REPO), KLING_SIM_ACCESS_KEY=keys[0], KLING_SIM_SECRET_KEY=keys[1])
    with (
        tempfile.TemporaryFile("w+") as errors,
        subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        ) as process,
    ):
        watchdog.watch(process)
        try:
            yield _wait_until_up(process, min(start_timeout, watchdog.left()), errors)
        finally:
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(process: subprocess.Popen[str], timeout: float, errors: IO[str]) -> str:
    """The simulator's base URL (its first stdout line), once GET /debug/stats answers."""
    deadline = time.monotonic() + timeout
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        base_url = lines.get(timeout=timeout).strip()
    except queue.Empty:
        base_url = ""
    if not base_url:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(2)  # an empty line is its stdout closing: let the exit status arrive
    while base_url.startswith("http") and process.poll() is None:
        try:
            if httpx.get(f"{base_url}/debug/stats", timeout=2).status_code == 200:
                return base_url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    code = process.poll()
    state = f"exited with status {code}" if code is not None else f"not up after {timeout:g} s"
    errors.seek(0)
    said = errors.read().strip()
    raise SimulatorFailed(f"the simulator {state}" + (f":\n{said}" if said else ""))


def run_once(
    setup: str,
    latency: float,
    jobs: int,
    slots: int,
    poll: float,
    start_timeout: float,
    watchdog: Watchdog,
    account: tuple[str, ...] = (),
) -> Result:
    """Run `jobs` jobs through a fresh engine and simulator (`account`: extra simulator flags,
    e.g. a busy account's); measure."""
    keys = (secrets.token_urlsafe(24), secrets.token_urlsafe(32))
    with (
        simulator_process(latency, slots, keys, start_timeout, watchdog, account) as base_url,
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
            finished = [engine.wait(job_id, timeout=watchdog.left()) for job_id in ids]
            if any(job.status is not JobStatus.DONE for job in finished):
                statuses = [job.status.value for job in finished]
                late = watchdog.left() == 0
                print(f"{setup}: {'out of time' if late else 'not every job finished'}: {statuses}")
                raise SystemExit(EXIT_OUT_OF_TIME if late else EXIT_UNFINISHED)
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


def main() -> int:
    """Parse the options, run each set-up, print the figures; the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=3.0, help="T: seconds per task")
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--poll", type=float, default=0.1, help="poll interval, polling only")
    parser.add_argument(
        "--poll-callbacks", type=float, default=1.0, help="backup poll interval with callbacks"
    )
    parser.add_argument("--setup", choices=("both", "callbacks", "polling"), default="both")
    parser.add_argument(
        "--realworld", action="store_true", help="the simulator answers as real Kling may"
    )
    parser.add_argument(
        "--foreign-tasks", type=int, default=0, help="other apps' tasks on the account"
    )
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="bound on the whole bench, seconds"
    )
    parser.add_argument(
        "--start-timeout", type=float, default=30.0, help="bound on the simulator's start"
    )
    args = parser.parse_args()
    watchdog = Watchdog(args.timeout)
    setups = ("callbacks", "polling") if args.setup == "both" else (args.setup,)
    waves = math.ceil(args.jobs / args.slots)
    account = ("--foreign-tasks", str(args.foreign_tasks))
    account += ("--realworld",) if args.realworld else ()
    print(
        f"{args.jobs} jobs, {args.slots} slots, T = {args.latency:g} s, ideal {waves} x T, "
        f"{args.foreign_tasks} foreign tasks{', realworld answers' if args.realworld else ''}"
    )
    for setup in setups:
        poll = args.poll_callbacks if setup == "callbacks" else args.poll
        try:
            result = run_once(
                setup, args.latency, args.jobs, args.slots, poll, args.start_timeout, watchdog,
                account,
            )  # fmt: skip
        except SimulatorFailed as exc:
            print(f"bench: cannot run the {setup} set-up: {exc}", file=sys.stderr)
            return EXIT_NO_SIMULATOR
        print(
            f"{setup:9} poll {poll:g} s: makespan {result.makespan:.2f} s, "
            f"makespan / ({waves} x T) = {result.ratio:.3f}, "
            f"queries per task {result.queries_per_task:.2f}, "
            f"peak concurrency {result.peak_concurrency}, "
            f"each task created once: {result.created_once}, "
            f"requests {dict(sorted(result.requests.items()))}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
