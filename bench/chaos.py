"""Chaos bench: 30 jobs against a faulty simulated Kling, one SIGKILL mid-run, one restart.

24 single transitions from three submitters and a 7-slide deck (6 transitions) go to a
Studio process (the real Runtime and JobEngine) pointed at a simulator with faults on 20 %
of API requests (5xx, 1302, dropped connections, slow answers), 15 % of tasks failed by
Kling, and another client of the same account holding 3 of its 5 slots in bursts (1303).
The process is killed with SIGKILL mid-run; `python -m kling_ui resume` restarts the work;
`python -m kling_ui deck` on the same slides retries the transitions Kling failed and stitches
the deck. The scenario is tests/reliability/chaos_run.py (the test runs it scaled down).

    python bench/chaos.py [--singles 24] [--deck-slides 7] [--latency 3] [--fault-rate 0.2]
                          [--fail-rate 0.15] [--seed 314] [--keep DIR]

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "reliability")]

from chaos_run import ChaosPlan, ChaosResult, run_chaos  # noqa: E402

from kling_ui.video import NotAVideo, probe  # noqa: E402


def playable(result: ChaosResult) -> int:
    """How many done jobs have a video that decodes."""
    count = 0
    for row in result.done:
        with contextlib.suppress(NotAVideo):
            count += probe(result.data_dir / row["video_path"]).frames > 0
    return count


def report(result: ChaosResult) -> None:
    """Print the run's figures."""
    plan, stats = result.plan, result.stats
    created, tasks = result.created, len(result.spans)
    kling_failed = {row["id"] for row in result.failed_by_kling}
    others = [r for r in result.rows if r["status"] != "done" and r["id"] not in kling_failed]
    faults = dict(sorted(Counter(stats["faults"]).items()))
    deck = result.deck_summary
    lines = [
        ("jobs submitted before the kill", f"{plan.jobs} ({plan.singles} singles, "
         f"a {plan.deck_slides}-slide deck)"),
        ("deck transitions run again", f"{len(result.rows) - plan.jobs} (Kling had failed them)"),
        ("jobs done / failed by Kling", f"{len(result.done)} / {len(kling_failed)} "
         f"(other endings: {len(others)})"),
        ("done jobs with a playable video", f"{playable(result)} / {len(result.done)}"),
        ("deck video", f"{deck.get('status')} ({deck.get('duration')} s)"),
        ("at the SIGKILL", f"{dict(result.statuses_at_kill)}; "
         f"{result.in_flight_at_kill} tasks in flight at Kling"),
        ("creates per external id", f"max {max(created.values(), default=0)} "
         f"({len(created)} ids, {tasks} tasks)"),
        ("peak concurrency, our tasks", f"{result.peak_concurrency} (account limit "
         f"{plan.account_limit}; {stats['peak_concurrency']} with the other client's slots)"),
        ("faults met", f"{sum(faults.values())} of {stats['requests']} requests {faults}"),
        ("1303 answers", f"{stats['rejected_concurrency']} (in {result.bursts} bursts)"),
        ("create requests", f"{stats['create_attempts']} for {tasks} tasks"),
        ("queries per task", f"{result.queries_per_task:.2f} (status requests / tasks)"),
        ("wall time", f"{result.wall_seconds:.1f} s"),
    ]  # fmt: skip
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label:<{width}} : {value}")


def main() -> None:
    """Run the chaos scenario once and print what happened."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--singles", type=int, default=24)
    parser.add_argument("--deck-slides", type=int, default=7)
    parser.add_argument("--latency", type=float, default=3.0)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument("--fail-rate", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=314)
    parser.add_argument("--keep", type=Path, default=None, help="keep the run's files here")
    args = parser.parse_args()
    plan = ChaosPlan(
        singles=args.singles,
        deck_slides=args.deck_slides,
        latency=args.latency,
        fault_rate=args.fault_rate,
        fail_rate=args.fail_rate,
        seed=args.seed,
        kill_after_done=6,
    )
    if args.keep is not None:
        report(run_chaos(plan, args.keep))
        return
    with tempfile.TemporaryDirectory(prefix="kling-chaos-") as folder:
        report(run_chaos(plan, Path(folder)))


if __name__ == "__main__":
    main()
