"""UI benchmarks: how fast the Studio is ready, and how long its live-progress timer takes.

1. Ready: seconds from starting `python app.py` (a fresh process, demo mode) until the page
   answers HTTP 200 on `/`. Goal: <= 10 s.
2. Timer: the latency of each `gr.Timer` tick handler (Studio progress and result panel,
   History table, Prompt lab, Deck) with 3 running and 30 queued jobs of one browser (the
   worst case: every job is in its Studio list and History), called in-process like Gradio
   calls them. Goal: handler p95 <= 100 ms.
3. Page load: the server's and the browser's CPU seconds for one page load in a fresh
   browser context, and the event requests it sends (optional, with Chromium).
4. Open pages: the CPU share of the server and of the browser with no page, one idle page
   and one page following a running job of its own (headless Chromium via Playwright,
   optional): what each person watching the Studio costs the machine that serves it, and
   their own.

Run: python bench/ui.py [--runs 3] [--samples 200] [--page-loads 5] [--no-browser]
Prints a table; it is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

RUNNING, QUEUED = 3, 30
BROWSER_ID = "bench"  # the browser whose jobs the ticks list


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment without Kling or Gradio settings (demo mode), plus a data folder."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("KLING", "GRADIO_"))}
    env.update(PYTHONPATH=str(REPO), KLING_UI_DATA_DIR=str(data_dir))
    env.update(extra)
    return env


def time_to_ready(timeout: float = 120.0) -> float:
    """Seconds from launching `python app.py` until `/` answers 200."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        env = clean_env(Path(folder) / "data", GRADIO_SERVER_PORT=str(port))
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while time.perf_counter() - started < timeout:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                        return time.perf_counter() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
            raise TimeoutError("the page never answered")
        finally:
            process.terminate()
            process.wait(timeout=30)


def percentile(values: list[float], share: float) -> float:
    """The `share` (0..1) percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(values_ms: list[float]) -> str:
    """p50 / p95 / max in milliseconds."""
    return (
        f"p50 {statistics.median(values_ms):7.1f} ms   p95 {percentile(values_ms, 0.95):7.1f} ms"
        f"   max {max(values_ms):7.1f} ms   (n={len(values_ms)})"
    )


def busy_studio(data_dir: Path) -> tuple[Any, Any, str]:
    """A demo Studio with 3 running and 30 queued jobs (tasks take 10 minutes), served."""
    from kling_ui.config import Settings
    from kling_ui.jobs.models import JobStatus
    from kling_ui.jobs.requests import JobRequest, store_pair, submit
    from kling_ui.runtime import Runtime
    from kling_ui.simulator import slide_png
    from kling_ui.ui import build_studio, launch_kwargs

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        access_key=None,
        secret_key=None,
        api_key=None,
        base_url=None,
        data_dir=data_dir,
        demo_latency=600.0,
        demo_render_height=180,
        poll_interval=1.0,
        max_queued=RUNNING + QUEUED + 8,  # one browser may have all of them waiting
    )
    runtime = Runtime.from_settings(settings).start()
    demo = build_studio(runtime)
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(runtime))
    slides = data_dir / "slides"
    slides.mkdir(parents=True, exist_ok=True)
    (slides / "a.png").write_bytes(slide_png(640, 360, "Bench A"))
    (slides / "b.png").write_bytes(slide_png(640, 360, "Bench B"))
    frames = store_pair(runtime.engine, slides / "a.png", slides / "b.png", "fit")
    for index in range(RUNNING + QUEUED):
        request = JobRequest(
            prompt=f"Bench transition number {index}: the camera slowly pushes in.",
            negative_prompt="blur",
            model="kling-v2-6",
            mode="pro",
            duration="5",
            submitter=f"browser:{BROWSER_ID}",
        )
        submit(runtime.engine, frames, request, None)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        counts = runtime.store.counts()
        running = sum(counts.get(s.value, 0) for s in (JobStatus.SUBMITTED, JobStatus.PROCESSING))
        if running == RUNNING and counts.get(JobStatus.QUEUED.value, 0) == QUEUED:
            break
        time.sleep(0.2)
    return runtime, demo, url.rstrip("/")


def tick_handlers(demo: Any) -> list[tuple[str, Callable[..., Any], list[Any]]]:
    """Every tab's share of the page's one timer event (ui/ticking.py), with its inputs'
    initial values."""
    ctx = demo.studio_context

    def initial(component: Any) -> Any:
        return BROWSER_ID if component is ctx.browser_id else getattr(component, "value", None)

    found = []
    for part in ctx.ticks.parts:
        name = f"{part.handler.__module__.rsplit('.', 1)[-1]}.{part.handler.__name__}"
        found.append((name, part.handler, [initial(component) for component in part.inputs]))
    return found


def measure_handlers(demo: Any, samples: int) -> dict[str, list[float]]:
    """Milliseconds per call of each tick handler, and of one whole tick (all of them)."""
    import gradio as gr

    request = gr.Request(headers={"accept-language": "en-US,en;q=0.9"})
    timings: dict[str, list[float]] = {}
    handlers = tick_handlers(demo)
    for _ in range(samples):
        whole = 0.0
        for name, fn, values in handlers:
            started = time.perf_counter()
            fn(*values, request)
            spent = (time.perf_counter() - started) * 1000
            timings.setdefault(name, []).append(spent)
            whole += spent
        timings.setdefault("one tick (all handlers)", []).append(whole)
    return timings


def chromium_cpu() -> float:
    """CPU seconds spent so far by every Chromium process on this machine (Linux /proc;
    0.0 elsewhere): the benchmark's own browser, when nothing else runs one."""
    ticks, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if b"chrom" in command:
            fields = stat[stat.rindex(")") + 2 :].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def cpu_per_second(seconds: float, wait: Callable[[float], None]) -> tuple[float, float]:
    """CPU seconds per second spent while `wait(seconds)` runs by this process (the served
    Studio, its engine, its simulator) and by Chromium."""
    server, browser = time.process_time(), chromium_cpu()
    wait(seconds)
    return (time.process_time() - server) / seconds, (chromium_cpu() - browser) / seconds


def measure_page_loads(url: str, loads: int) -> list[tuple[float, float, int]]:
    """Per page load in a fresh browser context (a new visitor): the server's and the
    browser's CPU seconds from opening the page until its load event has filled the controls
    (the cost line has words) and what that answer sets off has settled (a second without a
    request), and how many event requests the page sent meanwhile."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium-headless-shell") or "/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for _ in range(loads + 1):  # the first load warms the server up and is not counted
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            page = context.new_page()
            events: list[str] = []
            page.on("request", lambda request, sent=events: sent.append(request.method))

            server, chromium = time.process_time(), chromium_cpu()
            page.goto(url)
            page.wait_for_function(
                "() => (document.querySelector('#kts-cost')?.textContent || '').trim() !== ''",
                timeout=60_000,
            )
            # What the load's answer sets off comes after it: wait until the page has sent
            # nothing for a second (the timer's first tick is due later).
            while True:
                before = len(events)
                page.wait_for_timeout(1000)
                if len(events) == before:
                    break
            results.append(
                (time.process_time() - server, chromium_cpu() - chromium, events.count("POST"))
            )
            context.close()
        browser.close()
    return results[1:]


def measure_open_pages(url: str, seconds: float, slide: Path) -> dict[str, tuple[float, float]]:
    """The server's and the browser's CPU share (CPU-s per s) with no page open, one idle page
    open (no job of its own: the page refreshes every 3 s), and one page following a running
    job of its own (every second). The page is headless Chromium via Playwright."""
    from playwright.sync_api import sync_playwright

    shares = {"no page open": cpu_per_second(seconds, time.sleep)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium-headless-shell") or "/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#kts-generate", timeout=60_000)
        page.wait_for_timeout(2000)  # the load's own events settle
        pause = lambda length: page.wait_for_timeout(length * 1000)  # noqa: E731
        shares["one idle page"] = cpu_per_second(seconds, pause)
        page.locator("#kts-first input[type=file]").set_input_files(str(slide))
        page.wait_for_selector("#kts-generate:not([disabled])", timeout=60_000)
        page.locator("#kts-generate").click()
        page.wait_for_selector("#kts-progress .kts-job", timeout=60_000)
        shares["one page following its job"] = cpu_per_second(seconds, pause)
        browser.close()
    return shares


def main() -> int:
    """Run the benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts to time")
    parser.add_argument("--samples", type=int, default=200, help="timer ticks to time")
    parser.add_argument("--browser-seconds", type=float, default=20.0)
    parser.add_argument("--page-loads", type=int, default=5, help="fresh page loads to time")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    ready = [time_to_ready() for _ in range(args.runs)]
    print(
        f"ready: python app.py -> page answers: median {statistics.median(ready):.2f} s, "
        f"max {max(ready):.2f} s over {len(ready)} cold starts (goal <= 10 s)"
    )

    with tempfile.TemporaryDirectory() as folder:
        runtime, demo, url = busy_studio(Path(folder) / "data")
        try:
            counts = runtime.store.counts()
            print(f"timer: jobs in the store: {counts}")
            for name, values in measure_handlers(demo, args.samples).items():
                print(f"timer handler {name:<28} {summary(values)}")
            if not args.no_browser:
                loads = measure_page_loads(url, args.page_loads)
                print(
                    f"page load (fresh context, until settled), median of {len(loads)}: "
                    f"server {statistics.median(c[0] for c in loads):.2f} CPU-s, "
                    f"browser {statistics.median(c[1] for c in loads):.2f} CPU-s, "
                    f"{statistics.median(c[2] for c in loads):.0f} event requests"
                )
                slide = Path(folder) / "data" / "slides" / "a.png"
                for case, (server, browser) in measure_open_pages(
                    url, args.browser_seconds, slide
                ).items():
                    print(
                        f"CPU, {case:<28} server {server * 100:5.1f} %, "
                        f"browser {browser * 100:5.1f} % of a core"
                    )
        finally:
            demo.close()
            runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
