"""Peer bench: our engine against a plain client like NanoBanana-PPT-Skills' kling_api.py, on
one strict Kling mock: 12 transitions, 3 slots, task latency 8 s (ideal makespan 32 s).

Two modes of the mock: "clear" (no refusals) and "busy" (30 % of all creates refused with
429/1303 "parallel task over resource pack limit", whatever they carry). Runs alternate
between the two drivers:
- peer: 3 worker threads, one create per task with no external id, a fixed 5 s poll, no retry
  of a 1303 (such a transition is lost), then the download;
- ours: the real JobEngine, polling only (poll interval 5 s, as the Studio) and with callbacks
  (a loopback callback route), from the first submit to the last video saved.

    python bench/peer.py [--runs 2] [--latency 8] [--jobs 12] [--slots 3] [--refusals 0.3]

Prints makespan, makespan/ideal, transitions done and query requests per task for each run,
then the medians. It is not a test; it never hangs (an overall --timeout, default 1800 s).
"""

from __future__ import annotations

import argparse
import base64
import math
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
from scheduler import SimulatorFailed, Watchdog, simulator_process

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.callback import CallbackListener
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import sign_token, slide_png

PEER_POLL = 5.0
PEER_WORKERS = 3


@dataclass(frozen=True)
class Outcome:
    """One run of one driver."""

    driver: str
    mode: str
    makespan: float
    ideal: float
    done: int
    jobs: int
    queries_per_task: float

    @property
    def ratio(self) -> float:
        """Makespan over the ideal."""
        return self.makespan / self.ideal


def peer_run(base_url: str, keys: tuple[str, str], jobs: int, folder: Path) -> tuple[int, int]:
    """What the peer's client does: 3 threads, create (no external id), poll every 5 s,
    download; a refused create is a lost transition. Returns (done, query requests)."""
    first = base64.b64encode(slide_png(640, 360, "First")).decode()
    last = base64.b64encode(slide_png(640, 360, "Last")).decode()
    todo = list(range(jobs))
    lock = threading.Lock()
    done = queries = 0

    def headers() -> dict[str, str]:
        return {"Authorization": f"Bearer {sign_token(*keys)}"}

    def worker() -> None:
        nonlocal done, queries
        with httpx.Client(base_url=base_url, timeout=60) as http:
            while True:
                with lock:
                    if not todo:
                        return
                    n = todo.pop(0)
                body = {
                    "model_name": "kling-v2-6", "image": first, "image_tail": last,
                    "prompt": f"take {n}", "mode": "pro", "duration": "5",
                }  # fmt: skip
                answer = http.post("/v1/videos/image2video", json=body, headers=headers()).json()
                if answer.get("code") != 0:
                    continue  # the peer does not retry a refused create
                task_id = answer["data"]["task_id"]
                while True:
                    time.sleep(PEER_POLL)
                    with lock:
                        queries += 1
                    got = http.get(f"/v1/videos/image2video/{task_id}", headers=headers()).json()
                    status = (got.get("data") or {}).get("task_status")
                    if status in ("succeed", "failed"):
                        break
                if status == "succeed":
                    url = got["data"]["task_result"]["videos"][0]["url"]
                    (folder / f"{n}.mp4").write_bytes(httpx.get(url, timeout=60).content)
                    with lock:
                        done += 1

    threads = [threading.Thread(target=worker) for _ in range(PEER_WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, queries


def ours_run(
    base_url: str,
    keys: tuple[str, str],
    jobs: int,
    slots: int,
    folder: Path,
    callbacks: bool,
    left: Callable[[], float],
) -> tuple[int, int]:
    """Our engine on the same mock; returns (done, query requests)."""
    store = JobStore(folder / "jobs.sqlite3")
    engine = JobEngine(
        store, Credentials.of(keys[0], keys[1], base_url), data_dir=folder, concurrency=slots
    )
    listener = CallbackListener(engine) if callbacks else None
    if listener is not None:
        engine.set_callback_base(listener.start())
    engine.start()
    try:
        first = engine.save_frame(slide_png(640, 360, "First"), "png")
        last = engine.save_frame(slide_png(640, 360, "Last"), "png")
        ids = [
            engine.submit(JobSpec(first_frame=first, last_frame=last, prompt=f"take {n}")).job.id
            for n in range(jobs)
        ]
        finished = [engine.wait(job_id, timeout=left()) for job_id in ids]
        requests = engine.snapshot().requests
    finally:
        engine.stop()
        if listener is not None:
            listener.stop()
        store.close()
    queries = sum(requests.get(kind, 0) for kind in ("query", "list", "find"))
    return sum(job.status is JobStatus.DONE for job in finished), queries


def measure(driver: str, mode: str, args: argparse.Namespace, watchdog: Watchdog) -> Outcome:
    """One run of `driver` against a fresh mock in `mode`."""
    keys = ("peer" + secrets.token_hex(8), secrets.token_hex(16))
    refusals = args.refusals if mode == "busy" else 0.0
    with (
        simulator_process(args.latency, args.slots, keys, 60, watchdog) as base_url,
        tempfile.TemporaryDirectory() as folder,
    ):
        httpx.post(f"{base_url}/debug/config", json={"fault_1303": refusals}, timeout=10)
        started = time.monotonic()
        if driver == "peer":
            done, queries = peer_run(base_url, keys, args.jobs, Path(folder))
        else:
            done, queries = ours_run(
                base_url, keys, args.jobs, args.slots, Path(folder),
                callbacks=driver == "ours+callbacks", left=watchdog.left,
            )  # fmt: skip
        makespan = time.monotonic() - started
    return Outcome(
        driver, mode, makespan, math.ceil(args.jobs / args.slots) * args.latency, done,
        args.jobs, queries / args.jobs,
    )  # fmt: skip


def main() -> int:
    """Alternate the drivers in both modes; print every run and the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--latency", type=float, default=8.0)
    parser.add_argument("--jobs", type=int, default=12)
    parser.add_argument("--slots", type=int, default=3)
    parser.add_argument("--refusals", type=float, default=0.3)
    parser.add_argument("--timeout", type=float, default=1800.0)
    args = parser.parse_args()
    watchdog = Watchdog(args.timeout)
    outcomes: list[Outcome] = []
    try:
        for run in range(args.runs):
            for mode in ("clear", "busy"):
                for driver in ("peer", "ours", "ours+callbacks"):
                    outcome = measure(driver, mode, args, watchdog)
                    outcomes.append(outcome)
                    print(
                        f"run {run + 1} {mode:5} {driver:15} makespan {outcome.makespan:6.1f} s "
                        f"ratio {outcome.ratio:.2f} done {outcome.done}/{outcome.jobs} "
                        f"queries/task {outcome.queries_per_task:.1f}",
                        flush=True,
                    )
    except SimulatorFailed as exc:
        print(f"bench: {exc}")
        return 2
    print("medians:")
    for mode in ("clear", "busy"):
        for driver in ("peer", "ours", "ours+callbacks"):
            runs = [o for o in outcomes if o.mode == mode and o.driver == driver]
            makespan = statistics.median(o.makespan for o in runs)
            print(
                f"  {mode:5} {driver:15} makespan {makespan:6.1f}"
                f" s ratio {statistics.median(o.ratio for o in runs):.2f} done "
                f"{statistics.median(o.done for o in runs):.0f}/{args.jobs} queries/task "
                f"{statistics.median(o.queries_per_task for o in runs):.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
