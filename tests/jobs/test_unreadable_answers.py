"""A Kling whose answers about a task cannot be read: one odd task never hides the others, and a
job whose task keeps answering unreadably ends with a clear protocol message after a bound
instead of an endless back-off."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from job_helpers import WAIT

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.kling.client import RetryPolicy


class GarbledKling(BaseHTTPRequestHandler):
    """Accepts creates; every answer about a task afterwards lacks its task id."""

    created = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        GarbledKling.created += 1
        self._answer({"task_id": "t-1", "task_status": "submitted", "task_info": None})

    def do_GET(self) -> None:
        if "pageNum" in self.path:
            self._answer([{"task_status": "succeed"}, "not a task"])
        else:
            self._answer({"task_status": "succeed", "task_result": {"videos": [{"url": 5}]}})

    def _answer(self, data: object) -> None:
        body = json.dumps({"code": 0, "message": "SUCCEED", "data": data}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def garbled() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), GarbledKling)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_task_whose_answers_stay_unreadable_fails_with_a_protocol_message(
    garbled: str, tmp_path: Path, frames: tuple[Path, Path]
) -> None:
    data_dir = tmp_path / "data"
    store = JobStore(data_dir / "jobs.sqlite3")
    engine = JobEngine(
        store,
        Credentials.of("ak", "sk", garbled),
        data_dir=data_dir,
        poll_interval=0.02,
        retry=RetryPolicy(attempts=1, initial_wait=0.01, max_wait=0.01),
    )
    try:
        engine.start()
        job = engine.submit(JobSpec(first_frame=frames[0], last_frame=frames[1])).job
        failed = engine.wait(job.id, WAIT)
    finally:
        engine.stop()
        store.close()
    assert failed.status is JobStatus.FAILED
    assert failed.error_code == "kling.protocol"
    assert "could not be read" in (failed.error_title_en or "")
    assert GarbledKling.created == 1
