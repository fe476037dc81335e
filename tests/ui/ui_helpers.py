"""Helpers for the Studio's tests: fast demo settings, a launched Studio, finished-job waits."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from kling_ui.config import Settings
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.runtime import Runtime
from kling_ui.ui import build_studio, launch_kwargs
from kling_ui.ui.access import AccessPolicy

WAIT = 60.0  # a generous ceiling for waits; tests never assert on speed


def fast_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Demo-mode settings with quick simulated tasks and small videos, isolated from any
    keys in the environment or a .env file."""
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
        "poll_interval": 0.2,
    }
    fields.update(overrides)
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]


@dataclass
class Launched:
    """A Studio served on loopback for one test module or test."""

    url: str
    runtime: Runtime
    demo: gr.Blocks

    def close(self) -> None:
        """Stop the server, then the runtime."""
        self.demo.close()
        self.runtime.close()


def launch(settings: Settings, *, policy: AccessPolicy | None = None, **kwargs: Any) -> Launched:
    """Start a runtime and serve the Studio on loopback (`kwargs` go to `launch()`)."""
    runtime = Runtime.from_settings(settings).start()
    try:
        demo = build_studio(runtime, policy=policy)
        options = launch_kwargs(runtime) | {"prevent_thread_lock": True, "quiet": True} | kwargs
        _, url, _ = demo.launch(**options)
    except BaseException:
        runtime.close()
        raise
    return Launched(url.rstrip("/"), runtime, demo)


def wait_finished(runtime: Runtime, job_id: str) -> Job:
    """The job once it has settled (done, failed, cancelled, timed out)."""
    return runtime.engine.wait(job_id, timeout=WAIT)


def make_job(first: Path, last: Path | None = None, **fields: Any) -> Job:
    """A job row as the store would return it; `spec` holds JobSpec fields."""
    spec = JobSpec(first_frame=first, last_frame=last, **fields.pop("spec", {}))
    now = fields.pop("created_at", time.time())
    values: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "external_task_id": uuid.uuid4().hex,
        "task_id": None,
        "account": "acct-test",
        "spec": spec,
        "first_hash": "f" * 64,
        "last_hash": None if last is None else "l" * 64,
        "fingerprint": uuid.uuid4().hex,
        "status": JobStatus.QUEUED,
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Job(**values)


def studio_ready(page: Any) -> None:
    """Wait until the Studio page has loaded and its load event has filled the controls (the
    cost line is empty until then): a click before that can be undone by the load's answer."""
    from playwright.sync_api import expect

    expect(page.locator("#kts-generate")).to_be_visible()
    expect(page.locator("#kts-cost")).to_contain_text(re.compile(r"\S"))


def check(radio: Any) -> None:
    """Check a radio button, clicking again if the page took the click back: Gradio's page
    re-applies every component's state for each status message of any of its events, and a
    click landing in that moment is undone (seen right after a page load, while the load's
    follow-up events answer)."""
    from playwright.sync_api import Error

    for _ in range(4):
        try:
            radio.check()
            return
        except Error as exc:
            if "did not change its state" not in str(exc):
                raise
    radio.check()


def api_client(url: str, **options: Any) -> Any:
    """A gradio_client session on the Studio at `url` with generous timeouts (its default,
    5 s per request, runs out on a loaded machine)."""
    from gradio_client import Client

    return Client(url, verbose=False, httpx_kwargs={"timeout": WAIT}, **options)
