"""Helpers shared by the reliability tests and the chaos/load benches: child-process
environments, simulator controls and counters, store snapshots, secret scanning."""

from __future__ import annotations

import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import httpx

from kling_ui.config import Settings
from kling_ui.kling.client import KlingClient, RetryPolicy
from kling_ui.runtime import Runtime
from kling_ui.simulator import SimulatorServer
from kling_ui.ui import build_studio, launch_kwargs

REPO = Path(__file__).resolve().parents[2]
WAIT = 90.0  # a generous ceiling for waits; tests never assert on speed
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}")


def real_looking_keys(tag: str) -> tuple[str, str]:
    """An access key and a secret key shaped like Kling's (long, random, recognisable)."""
    return f"AK{tag}{secrets.token_hex(14)}", f"SK{tag}{secrets.token_hex(20)}"


def child_env(
    data_dir: Path, server: SimulatorServer | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a Studio process (CLI or runner): no inherited Kling settings, the
    given data folder, fast polling; pointed at `server` with its keys when given (else demo)."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("KLING", "GRADIO_"))}
    env.update(
        PYTHONPATH=str(REPO),
        KLING_UI_DATA_DIR=str(data_dir),
        KLING_UI_POLL_INTERVAL="0.1",
        KLING_UI_DEMO_LATENCY="0.5",
        KLING_UI_DEMO_RENDER_HEIGHT="180",
    )
    if server is not None:
        env.update(
            KLING_BASE_URL=server.base_url,
            KLING_ACCESS_KEY=server.config.access_key,
            KLING_SECRET_KEY=server.config.secret_key,
        )
    env.update(extra)
    return env


def sim_stats(server: SimulatorServer) -> dict[str, Any]:
    """The simulator's counters over HTTP, as any client would read them."""
    return httpx.get(f"{server.base_url}/debug/stats", timeout=10).json()


def sim_configure(server: SimulatorServer, **changes: Any) -> None:
    """Change the simulator's behaviour at runtime through POST /debug/config."""
    httpx.post(f"{server.base_url}/debug/config", json=changes, timeout=10).raise_for_status()


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT, what: str = "condition") -> None:
    """Poll until `predicate()` holds; AssertionError naming `what` if it never does."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout:.0f} s")
        time.sleep(0.05)


# ---- a served Studio ---------------------------------------------------------------------


def studio_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Demo-mode settings with quick simulated tasks and small videos, isolated from any
    keys in the environment or a .env file; `overrides` on top (keys, base URL...)."""
    fields: dict[str, Any] = {
        "access_key": None,
        "secret_key": None,
        "api_key": None,
        "base_url": None,
        "auth": None,
        "public_url": None,
        "mcp": False,
        "data_dir": data_dir,
        "demo_latency": 1.0,
        "demo_render_height": 180,
        "poll_interval": 0.1,
    }
    fields.update(overrides)
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


@dataclass
class Served:
    """A Studio served on loopback."""

    url: str
    runtime: Runtime
    demo: gr.Blocks

    @property
    def db(self) -> Path:
        """The job store's file."""
        return self.runtime.store.path

    def close(self) -> None:
        """Stop the server, then the runtime."""
        self.demo.close()
        self.runtime.close()


def serve_studio(runtime: Runtime, **options: Any) -> Served:
    """Serve the Studio of a started runtime on loopback (`options` go to `launch()`)."""
    try:
        demo = build_studio(runtime)
        kwargs = launch_kwargs(runtime) | {"prevent_thread_lock": True, "quiet": True} | options
        _, url, _ = demo.launch(**kwargs)
    except BaseException:
        runtime.close()
        raise
    return Served(url.rstrip("/"), runtime, demo)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class StudioProcess:
    """`python -m kling_ui serve` in its own process, everything it prints kept in a file."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.pid = 0
        self._env, self._cwd = env, cwd
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> StudioProcess:
        """Start serving and wait until the page answers."""
        command = [sys.executable, "-m", "kling_ui", "serve", "--host", "127.0.0.1"]
        with self.log.open("wb") as out:
            self._process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                env=self._env,
                cwd=self._cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.pid = self._process.pid

        def answering() -> bool:
            assert self._process is not None
            if self._process.poll() is not None:
                raise AssertionError(f"the Studio exited early:\n{self.output()}")
            try:
                return httpx.get(f"{self.url}/", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(answering, timeout, "the Studio's page")
        return self

    def stop(self) -> None:
        """Stop it as Ctrl-C would, and wait (killed if it hangs)."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(2)  # SIGINT, as Ctrl-C
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(10)

    def output(self) -> str:
        """Everything the process printed so far (logs included)."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def still_serving(url: str) -> bool:
    """The Studio at `url` still answers: its page and its API's description."""
    page = httpx.get(f"{url}/", timeout=30)
    info = httpx.get(f"{url}/gradio_api/info", timeout=30)
    return page.status_code == 200 and info.status_code == 200 and "/generate" in info.text


# ---- the store ---------------------------------------------------------------------------


def store_rows(db_path: Path) -> list[dict[str, Any]]:
    """Every row of the jobs table as a dict (read-only; [] before the table exists)."""
    if not db_path.is_file():
        return []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as db:
        db.row_factory = sqlite3.Row
        try:
            rows = db.execute("SELECT * FROM jobs ORDER BY created_at, rowid").fetchall()
        except sqlite3.OperationalError:  # the table is not created yet
            return []
    return [dict(row) for row in rows]


def store_snapshot(db_path: Path) -> list[tuple[Any, ...]]:
    """The jobs table as comparable tuples: equal snapshots mean no row changed."""
    return [tuple(sorted(row.items())) for row in store_rows(db_path)]


# ---- what Kling (the simulator) saw -------------------------------------------------------


@dataclass(frozen=True)
class TaskSpan:
    """One task at the simulator: when it took a slot and when it gave it back."""

    task_id: str
    external_task_id: str | None
    status: str
    started: float
    ended: float | None


def task_spans(server: SimulatorServer) -> list[TaskSpan]:
    """Every task of the simulated account, read through Kling's own list endpoint."""
    retry = RetryPolicy(attempts=12, initial_wait=0.05, max_wait=0.5)
    config = server.config
    with KlingClient(server.base_url, config.access_key, config.secret_key, retry=retry) as client:
        tasks: list = []
        for page in range(1, 21):
            batch = client.list(page, 500)
            tasks += batch
            if len(batch) < 500:
                break
    spans = []
    for task in tasks:
        finished = task.task_status.finished
        spans.append(
            TaskSpan(
                task_id=task.task_id,
                external_task_id=task.external_task_id,
                status=task.task_status.value,
                started=(task.created_at or 0) / 1000,
                ended=(task.updated_at or 0) / 1000 if finished else None,
            )
        )
    return spans


def peak_overlap(spans: Iterable[TaskSpan]) -> int:
    """The most tasks that held a slot at one moment (a task ending frees its slot before
    another starting at the same millisecond takes one, as the simulator counts)."""
    events: list[tuple[float, int]] = []
    for span in spans:
        events.append((span.started, 1))
        events.append((span.ended if span.ended is not None else float("inf"), -1))
    events.sort(key=lambda event: (event[0], event[1]))
    peak = running = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


class OccupyBursts:
    """Another client of the same account: it holds `slots` of the account's slots from the
    start until one of our creates has met 1303 ("over the concurrency limit"), then every
    `every` seconds for `seconds` more. Holding until the first 1303 (read from the
    simulator's counters) makes sure the run meets one however slowly it starts."""

    def __init__(self, server: SimulatorServer, *, slots: int, seconds: float, every: float):
        self._server = server
        self._url = f"{server.base_url}/debug/occupy"
        self._slots = slots
        self._seconds = seconds
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="occupy-bursts", daemon=True)
        self.bursts = 0

    def __enter__(self) -> OccupyBursts:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Send no more bursts (the last one runs out by itself)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def _occupy(self, seconds: float) -> None:
        try:
            body = {"slots": self._slots, "seconds": seconds}
            httpx.post(self._url, json=body, timeout=5).raise_for_status()
            self.bursts += 1
        except httpx.HTTPError:
            pass

    def _refused_once(self) -> bool:
        try:
            return sim_stats(self._server).get("rejected_concurrency", 0) > 0
        except (httpx.HTTPError, ValueError):
            return False

    def _run(self) -> None:
        # Held in bursts back to back (each runs out by itself) until the first 1303.
        while not self._refused_once():
            self._occupy(self._seconds)
            if self._stop.wait(self._seconds):
                return
        while not self._stop.wait(self._every):
            self._occupy(self._seconds)


# ---- secrets -----------------------------------------------------------------------------


def leaks(blob: str | bytes, values: Iterable[str]) -> list[str]:
    """What in `blob` is a credential: any of `values`, or anything shaped like a JWT."""
    data = blob.encode("utf-8", "surrogateescape") if isinstance(blob, str) else blob
    found = [f"value {v[:4]}…" for v in values if v and v.encode() in data]
    found += [f"JWT {m.group()[:12].decode()}…" for m in JWT.finditer(data)]
    return found


def files_with_leaks(folder: Path, values: Iterable[str]) -> dict[str, list[str]]:
    """Every file under `folder` (recursively) holding a credential, with what it holds."""
    wanted = list(values)
    found: dict[str, list[str]] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            hits = leaks(path.read_bytes(), wanted)
            if hits:
                found[str(path.relative_to(folder))] = hits
    return found
