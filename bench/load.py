"""Load bench: 20 gradio_client sessions submit to the Studio at the same moment.

The Studio runs as its own process (`python -m kling_ui serve`, demo mode: the embedded
simulator with 3 slots, task latency --latency, videos 180 px high). Each round, N sessions
connect, submit /generate together (distinct prompts, so no job is answered by another) and
follow their job through /job_status to the end, while the page is fetched every 0.2 s. The
scenario is tests/reliability/load_run.py (the test runs 8 sessions).

Printed per round: event errors, jobs done, the Gradio queue ranks and engine queue places
the sessions were told, answers that said "queued" without a place, the page's p50/p95/max
during the load, and the Studio process's RSS; at the end its peak RSS (VmHWM).

    python bench/load.py [--sessions 20] [--rounds 3] [--latency 2]

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "reliability")]

from load_run import LoadResult, run_load  # noqa: E402
from reliability_helpers import StudioProcess, child_env  # noqa: E402

from kling_ui.simulator import slide_png  # noqa: E402

MB = 1024 * 1024


def memory_kb(pid: int, field: str) -> int:
    """A memory figure of a process from /proc/PID/status (VmRSS now, VmHWM peak), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class RssSampler:
    """Samples a process's resident set size every 0.1 s while the load runs."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, memory_kb(self.pid, "VmRSS"))


def report_round(number: int, result: LoadResult, rss_peak_kb: int, rss_after_kb: int) -> None:
    """Print one round's figures."""
    sessions = result.sessions
    done = sum(1 for s in sessions if s.final and s.final["status"] == "done")
    ranks = [r for s in sessions for r in s.gradio_ranks]
    places = [p for s in sessions for p in s.positions if p is not None]
    placeless = sum(1 for s in sessions for p in s.positions if p is None)
    lines = [
        ("sessions / jobs done", f"{len(sessions)} / {done}"),
        ("event errors", f"{len(result.errors)} {result.errors[:3] if result.errors else ''}"),
        ("Gradio queue ranks seen", f"{sum(1 for s in sessions if s.gradio_ranks)} sessions, "
         f"ranks 0-{max(ranks, default=0)}"),
        ("engine places told", f"{sum(1 for s in sessions if s.saw_position)} sessions, "
         f"places 1-{max(places, default=0)}"),
        ("'queued' without a place", f"{placeless} answers"),
        ("page GET during the load", f"p50 {result.page_percentile(0.5) * 1000:.0f} ms, "
         f"p95 {result.page_percentile(0.95) * 1000:.0f} ms, "
         f"max {max(result.page_seconds, default=0) * 1000:.0f} ms "
         f"({len(result.page_seconds)} fetches, statuses {sorted(set(result.page_statuses))})"),
        ("Studio RSS", f"peak {rss_peak_kb / 1024:.0f} MB during the round, "
         f"{rss_after_kb / 1024:.0f} MB after"),
        ("wall time", f"{result.wall_seconds:.1f} s"),
    ]  # fmt: skip
    print(f"round {number}")
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"  {label:<{width}} : {value}")


def main() -> None:
    """Serve the Studio, run the rounds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency", type=float, default=2.0, help="simulated task seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kling-load-") as folder:
        home = Path(folder)
        slides = (home / "first.png", home / "last.png")
        slides[0].write_bytes(slide_png(640, 360, "Load first"))
        slides[1].write_bytes(slide_png(640, 360, "Load last"))
        env = child_env(
            home / "data",
            KLING_UI_DEMO_LATENCY=str(args.latency),
            KLING_UI_POLL_INTERVAL="0.5",
            GRADIO_TEMP_DIR=str(home / "uploads"),
        )
        studio = StudioProcess(env, home, home / "studio.log").start()
        try:
            print(f"Studio RSS when ready: {memory_kb(studio.pid, 'VmRSS') / 1024:.0f} MB")
            for number in range(1, args.rounds + 1):
                with RssSampler(studio.pid) as sampler:
                    result = run_load(studio.url, args.sessions, slides, round_=number)
                report_round(number, result, sampler.peak_kb, memory_kb(studio.pid, "VmRSS"))
            print(f"Studio peak RSS (VmHWM): {memory_kb(studio.pid, 'VmHWM') / 1024:.0f} MB")
        finally:
            studio.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process ({args.sessions} clients) peak RSS: {own:.0f} MB")


if __name__ == "__main__":
    main()
