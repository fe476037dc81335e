"""Helpers for the simulator's contract tests: a plain httpx caller and stock request bodies."""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from kling_ui.simulator import SimulatorServer, sign_token, slide_b64

IMAGE2VIDEO = "/v1/videos/image2video"


@functools.cache
def slide(text: str, width: int = 640, height: int = 360) -> str:
    """A cached base64 slide (generating PNGs costs CPU on a shared machine)."""
    return slide_b64(width, height, text)


def transition_body(**overrides: Any) -> dict[str, Any]:
    """A valid first+last frame create body for kling-v2-6 pro 5 s, with overrides applied
    (an override of None removes the field)."""
    body: dict[str, Any] = {
        "model_name": "kling-v2-6",
        "mode": "pro",
        "duration": "5",
        "image": slide("Slide 1"),
        "image_tail": slide("Slide 2"),
        "prompt": "a gentle push-in",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class SimApi:
    """Plain httpx calls against one simulator, signed with its keys."""

    body = staticmethod(transition_body)
    slide = staticmethod(slide)

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.base_url, timeout=30.0)

    def headers(self) -> dict[str, str]:
        """A fresh bearer header for the server's current keys."""
        token = sign_token(self.server.config.access_key, self.server.config.secret_key)
        return {"Authorization": f"Bearer {token}"}

    def create(self, body: dict[str, Any] | None = None, **overrides: Any) -> httpx.Response:
        """POST a create (the stock transition body unless `body` is given)."""
        payload = body if body is not None else transition_body(**overrides)
        return self.http.post(IMAGE2VIDEO, json=payload, headers=self.headers())

    def create_ok(self, **overrides: Any) -> dict[str, Any]:
        """Create and return `data`, failing the test if Kling-style refusal came back."""
        response = self.create(**overrides)
        assert response.status_code == 200, response.text
        return response.json()["data"]

    def get(self, task_or_external_id: str) -> httpx.Response:
        """GET one task by the id in the path."""
        return self.http.get(f"{IMAGE2VIDEO}/{task_or_external_id}", headers=self.headers())

    def list(self, **params: Any) -> httpx.Response:
        """GET the list (or the ?external_task_id= query) with these parameters."""
        return self.http.get(IMAGE2VIDEO, params=params, headers=self.headers())

    def wait(self, task_id: str, timeout: float = 120.0) -> dict[str, Any]:
        """Poll until the task ends and return its `data`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data = self.get(task_id).json()["data"]
            if data["task_status"] in ("succeed", "failed"):
                return data
            time.sleep(0.05)
        raise AssertionError(f"task {task_id} did not end within {timeout}s")

    def stats(self) -> dict[str, Any]:
        """GET /debug/stats."""
        return self.http.get("/debug/stats").json()

    def debug_config(self, **changes: Any) -> httpx.Response:
        """POST /debug/config."""
        return self.http.post("/debug/config", json=changes)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()


@pytest.fixture
def api_for() -> Iterator[Callable[[SimulatorServer], SimApi]]:
    """Make a SimApi for any simulator; all are closed at teardown."""
    made: list[SimApi] = []

    def make(server: SimulatorServer) -> SimApi:
        made.append(SimApi(server))
        return made[-1]

    yield make
    for api in made:
        api.close()


@pytest.fixture
def api(simulator: SimulatorServer, api_for: Callable[[SimulatorServer], SimApi]) -> SimApi:
    """A SimApi for the default fast simulator."""
    return api_for(simulator)


@dataclass
class Receiver:
    """A loopback HTTP server that records POSTed JSON and serves fixed files on GET."""

    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, predicate: Callable[[list[dict[str, Any]]], bool], timeout: float = 120.0):
        """Block until `predicate(posts)` holds; the posts so far."""
        with self.arrived:
            self.arrived.wait_for(lambda: predicate(self.posts), timeout)
            return list(self.posts)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running Receiver on a free loopback port."""
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            payload = json.loads(self.rfile.read(length) or b"null")
            with state.arrived:
                state.posts.append(payload)
                state.arrived.notify_all()
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            content = state.files.get(self.path)
            self.send_response(200 if content is not None else 404)
            self.send_header("content-length", str(len(content or b"")))
            self.end_headers()
            self.wfile.write(content or b"")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
