"""Helpers shared by the job engine tests: stored jobs, credentials, simulator controls."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from waiting import wait_until

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import Job, JobSpec, JobStatus
from kling_ui.kling.client import RetryPolicy, new_external_task_id
from kling_ui.simulator import SimulatorServer

FAST_POLL = 0.05
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.02, max_wait=0.1)
WAIT = 30.0  # a generous ceiling for waits; tests never assert on speed

# engine_factory(server, start=True, **engine_kwargs) -> JobEngine (see conftest.py)
EngineFactory = Callable[..., JobEngine]


def make_job(frames: tuple[Path, Path], **fields: Any) -> Job:
    """A queued job for the two frames; `fields` override Job fields, `spec` JobSpec fields."""
    spec_fields = fields.pop("spec", {})
    spec = JobSpec(first_frame=frames[0], last_frame=frames[1], **spec_fields)
    now = time.time()
    values: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "external_task_id": new_external_task_id(),
        "task_id": None,
        "account": "acct-test",
        "spec": spec,
        "first_hash": "f" * 64,
        "last_hash": "l" * 64,
        "fingerprint": uuid.uuid4().hex,
        "status": JobStatus.QUEUED,
        "created_at": now,
        "updated_at": now,
    }
    values.update(fields)
    return Job(**values)


def credentials_for(server: SimulatorServer) -> Credentials:
    """The simulator's keys as engine credentials."""
    return Credentials.of(server.config.access_key, server.config.secret_key, server.base_url)


def sim_stats(server: SimulatorServer) -> dict[str, Any]:
    """The simulator's counters over HTTP, as any client would read them."""
    return httpx.get(f"{server.base_url}/debug/stats", timeout=30).json()


def sim_post(server: SimulatorServer, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a debug control (config, occupy) to the simulator."""
    response = httpx.post(f"{server.base_url}{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def wait_for(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    """Poll until `predicate()` holds; fail the test if it never does within `timeout`."""
    wait_until(predicate, timeout)
