"""The chaos run: many jobs against a faulty simulated Kling, one SIGKILL, one restart.

Shared by tests/reliability/test_chaos.py (a scaled-down run) and bench/chaos.py (30 jobs).

1. A simulator starts in this process with real-looking keys, task latency, and faults on
   a share of all API requests (5xx, 1302, dropped connections, slow answers, split evenly),
   some tasks failing, and 1303 from "another client of the account" holding slots in
   bursts. The simulated account's limit is set above the engine's 3, so the peak measured
   is the engine's own cap, not one the simulator enforces.
2. A Studio process (chaos_child.py, the real Runtime) submits single transitions from
   three submitters and a deck; it is killed with SIGKILL mid-run, with tasks in flight.
3. `python -m kling_ui resume` restarts the work from the store and waits for every job.
4. `python -m kling_ui deck` on the same slides resumes the deck: it retries only the
   transitions Kling failed (task failures switched off for this step, faults still on) and
   stitches the presentation video.
5. The store, the simulator's counters and its task list tell what happened.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reliability_helpers import (
    WAIT,
    OccupyBursts,
    TaskSpan,
    child_env,
    peak_overlap,
    real_looking_keys,
    sim_configure,
    sim_stats,
    store_rows,
    task_spans,
    wait_for,
)

from kling_ui.runtime import STORE_FILE
from kling_ui.simulator import SimulatorConfig, SimulatorServer, slide_png

CHILD = Path(__file__).with_name("chaos_child.py")
IN_FLIGHT = ("submitting", "submitted", "processing", "downloading")
DECK_TITLE = "chaos deck"
DECK_PROMPT = "The camera glides forward as one slide becomes the next"


@dataclass(frozen=True)
class ChaosPlan:
    """How big and how hostile the run is."""

    singles: int = 8
    deck_slides: int = 5  # a deck of N slides is N-1 transition jobs
    latency: float = 1.5  # seconds from create to a task's end
    fault_rate: float = 0.2  # share of API requests with a fault (5xx, 1302, drop, slow)
    slow_seconds: float = 0.4
    fail_rate: float = 0.15  # share of tasks Kling fails
    account_limit: int = 5  # the simulated account's limit (the engine's own is 3)
    occupy_slots: int = 3  # held by another client of the account, at the start and then
    # every `occupy_every` seconds for `occupy_seconds`
    occupy_seconds: float = 2.0
    occupy_every: float = 4.0
    kill_after_done: int = 2  # SIGKILL once this many jobs are done, others in flight/queued
    seed: int = 314  # its first draws hold every fault kind and early task failures

    @property
    def jobs(self) -> int:
        """Jobs submitted before the kill: the singles and the deck's transitions."""
        return self.singles + self.deck_slides - 1


@dataclass
class ChaosResult:
    """Everything the run left behind, for tests to check and the bench to print."""

    plan: ChaosPlan
    data_dir: Path
    rows: list[dict[str, Any]]
    spans: list[TaskSpan]
    stats: dict[str, Any]
    statuses_at_kill: Counter[str]
    in_flight_at_kill: int
    resume_code: int
    resume_summaries: list[dict[str, Any]]
    deck_code: int
    deck_summary: dict[str, Any]
    wall_seconds: float
    bursts: int
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def created(self) -> dict[str, int]:
        """How many times the simulator created a task for each external_task_id."""
        return dict(self.stats["created"])

    @property
    def peak_concurrency(self) -> int:
        """The most of this account's tasks that ever ran at once (slots held by the other
        client's bursts are not tasks, so they do not count)."""
        return peak_overlap(self.spans)

    @property
    def done(self) -> list[dict[str, Any]]:
        """Rows of jobs that ended done."""
        return [row for row in self.rows if row["status"] == "done"]

    @property
    def failed_by_kling(self) -> list[dict[str, Any]]:
        """Rows of jobs whose task Kling itself failed."""
        return [
            row for row in self.rows if row["status"] == "failed" and row["error_stage"] == "task"
        ]

    @property
    def queries_per_task(self) -> float:
        """Status requests of any kind (query, list, find) per task created."""
        tasks = max(1, len(self.spans))
        return (self.stats["requests"] - self.stats["create_attempts"]) / tasks


def run_chaos(plan: ChaosPlan, workdir: Path) -> ChaosResult:
    """Run the whole scenario in `workdir`; see the module docstring."""
    workdir.mkdir(parents=True, exist_ok=True)
    data_dir = workdir / "data"
    access, secret = real_looking_keys("chaos")
    share = plan.fault_rate / 4
    config = SimulatorConfig(
        access_key=access,
        secret_key=secret,
        latency=plan.latency,
        concurrency=plan.account_limit,
        fault_5xx=share,
        fault_1302=share,
        fault_drop=share,
        fault_slow=share,
        slow_seconds=plan.slow_seconds,
        fail_rate=plan.fail_rate,
        render_height=180,
        seed=plan.seed,
    )
    started = time.monotonic()
    with SimulatorServer(config) as server:
        # The killed process's claims run out in 2 s (not 30): `resume` takes over soon.
        env = child_env(data_dir, server, KLING_UI_LEASE_SECONDS="2")
        plan_file, slides = _write_inputs(plan, workdir)
        with OccupyBursts(
            server, slots=plan.occupy_slots, seconds=plan.occupy_seconds, every=plan.occupy_every
        ) as bursts:
            statuses, in_flight = _run_until_killed(plan, plan_file, env, workdir, server)
            resumed = _cli(["resume", "--json"], env, workdir, "resume")
            sim_configure(server, fail_rate=0.0)
            deck = _cli(_deck_args(slides), env, workdir, "deck")
        sim_configure(server, fault_5xx=0, fault_1302=0, fault_drop=0, fault_slow=0)
        wall = time.monotonic() - started
        spans = task_spans(server)
        stats = sim_stats(server)
    return ChaosResult(
        plan=plan,
        data_dir=data_dir,
        rows=store_rows(data_dir / STORE_FILE),
        spans=spans,
        stats=stats,
        statuses_at_kill=statuses,
        in_flight_at_kill=in_flight,
        resume_code=resumed.returncode,
        resume_summaries=_last_json(resumed.stdout, []),
        deck_code=deck.returncode,
        deck_summary=_last_json(deck.stdout, {}),
        wall_seconds=wall,
        bursts=bursts.bursts,
        logs={"resume": resumed.stderr, "deck": deck.stderr},
    )


def _write_inputs(plan: ChaosPlan, workdir: Path) -> tuple[Path, list[Path]]:
    """Slide files and the child's plan file; returns the plan file and the deck's slides."""
    slides_dir = workdir / "inputs"
    slides_dir.mkdir(exist_ok=True)
    singles = []
    for number in range(plan.singles):
        first, last = slides_dir / f"single{number}a.png", slides_dir / f"single{number}b.png"
        first.write_bytes(slide_png(640, 360, f"Single {number} start"))
        last.write_bytes(slide_png(640, 360, f"Single {number} end"))
        singles.append(
            {
                "first": str(first),
                "last": str(last),
                "prompt": f"Take {number}: a slow push-in while the chart grows",
                "submitter": f"person-{number % 3}",
                "label": f"chaos single {number}",
            }
        )
    deck_slides = []
    for number in range(plan.deck_slides):
        path = slides_dir / f"deck-slide{number + 1:02d}.png"
        path.write_bytes(slide_png(640, 360, f"Deck slide {number + 1}"))
        deck_slides.append(path)
    plan_file = workdir / "plan.json"
    plan_file.write_text(
        json.dumps(
            {
                "singles": singles,
                "deck": {
                    "slides": [str(p) for p in deck_slides],
                    "settings": {
                        "title": DECK_TITLE,
                        "model": "kling-v2-6",
                        "mode": "pro",
                        "duration": "5",
                        "hold_seconds": 1.0,
                    },
                    "prompt": DECK_PROMPT,
                    "negative": "",
                },
            }
        ),
        encoding="utf-8",
    )
    return plan_file, deck_slides


def _run_until_killed(
    plan: ChaosPlan, plan_file: Path, env: dict[str, str], workdir: Path, server: SimulatorServer
) -> tuple[Counter[str], int]:
    """Start the Studio process and SIGKILL it mid-run; the store's statuses and the
    simulator's in-flight tasks at that moment."""
    db = Path(env["KLING_UI_DATA_DIR"]) / STORE_FILE
    log = (workdir / "child.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, str(CHILD), str(plan_file)],
        env=env,
        cwd=workdir,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:

        def mid_run() -> bool:
            if child.poll() is not None:
                raise AssertionError(f"the Studio process exited early ({child.returncode})")
            statuses = Counter(row["status"] for row in store_rows(db))
            return (
                sum(statuses.values()) == plan.jobs
                and statuses["done"] >= plan.kill_after_done
                and statuses["queued"] > 0
                and sum(statuses[s] for s in IN_FLIGHT) > 0
            )

        wait_for(mid_run, WAIT, "a mid-run moment to kill the Studio process")
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        statuses = Counter(row["status"] for row in store_rows(db))
        return statuses, int(sim_stats(server)["in_flight"])
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
        log.close()


def _deck_args(slides: list[Path]) -> list[str]:
    return [
        "deck",
        *[str(p) for p in slides],
        "--prompt", DECK_PROMPT,
        "--title", DECK_TITLE,
        "--model", "kling-v2-6",
        "--mode", "pro",
        "--duration", "5",
        "--hold", "1",
        "--json",
    ]  # fmt: skip


def _cli(
    args: list[str], env: dict[str, str], cwd: Path, what: str
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=WAIT * 3,
    )
    (cwd / f"{what}.log").write_text(done.stderr, encoding="utf-8")
    return done


def _last_json(stdout: str, default: Any) -> Any:
    lines = stdout.strip().splitlines()
    if not lines:
        return default
    try:
        return json.loads(lines[-1])
    except ValueError:
        return default


__all__ = ["ChaosPlan", "ChaosResult", "run_chaos"]
