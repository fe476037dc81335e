"""The route Kling POSTs task callbacks to, and a small loopback server carrying only it.

Callbacks are unsigned and the route is reachable by anyone, so it is built to be cheap to
hit: a body over 64 kB is refused before it is read (by its Content-Length) or as soon as the
streamed bytes pass the limit (chunked or lying bodies), malformed or deeply nested JSON gets
a plain 400, and at most one callback per task per second reaches the engine (a status
further along Kling's lifecycle goes at once). What passes only tells the engine to query
that task now (`JobEngine.on_callback`, which ignores tasks it is not watching without
touching the store); nothing in the body is believed. The Studio mounts
`callback_route(engine)` on its own app (before mounting Gradio at `/`); the stand-alone
`CallbackListener` serves it for the command line, the bench and tests.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kling_ui.jobs.engine import CALLBACK_PATH

log = logging.getLogger("kling_ui.jobs.callback")

MAX_BODY = 64 * 1024  # a task's data object is a few kB
MAX_TASK_KEY = 256  # Kling's task ids and ours (kts-<32 hex>) are far shorter
CALLBACK_INTERVAL = 1.0
REMEMBERED_TASKS = 10_000


class CallbackSink(Protocol):
    """What the route hands callbacks to: the `JobEngine` (or a test's stand-in)."""

    def on_callback(self, payload: dict[str, Any]) -> None:
        """Query the task `payload` names now, if it is one being watched."""


# Kling's lifecycle: a task only moves forward through these.
STATUS_RANK = {"submitted": 0, "processing": 1, "succeed": 2, "failed": 2}


class TaskRateLimit:
    """Which callbacks reach the engine: at most one per task per `interval` seconds, except
    that a status further along Kling's lifecycle (submitted, processing, succeed or failed)
    than any forwarded for that task goes at once, so quick real transitions are never held
    back while a flood (or a forged status flipping back and forth) costs at most one query a
    second. Remembers at most `capacity` tasks, forgetting the least recently forwarded."""

    def __init__(
        self,
        interval: float = CALLBACK_INTERVAL,
        capacity: int = REMEMBERED_TASKS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.capacity = capacity
        self._clock = clock
        # task key -> (when its last callback was forwarded, the furthest status rank forwarded)
        self._forwarded: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, status: object = None) -> bool:
        """True when a callback for task `key` reporting `status` may be forwarded now
        (and counts it)."""
        rank = STATUS_RANK.get(status, -1) if isinstance(status, str) else -1
        with self._lock:
            now = self._clock()
            seen = self._forwarded.get(key)
            if seen is not None:
                at, furthest = seen
                if now - at < self.interval and rank <= furthest:
                    return False
                rank = max(rank, furthest)
            self._forwarded[key] = (now, rank)
            self._forwarded.move_to_end(key)
            if len(self._forwarded) > self.capacity:
                self._forwarded.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._forwarded)


def task_of(payload: dict[str, Any]) -> tuple[str, object] | None:
    """The task a callback names (Kling's task_id, else our external_task_id) and the status
    it reports, read as the engine reads them; None when it names no task the engine could be
    watching."""
    data = payload.get("data") if isinstance(payload.get("data"), dict) else payload
    status = data.get("task_status")
    task_id = data.get("task_id")
    if isinstance(task_id, str) and 0 < len(task_id) <= MAX_TASK_KEY:
        return f"task:{task_id}", status
    info = data.get("task_info")
    external = info.get("external_task_id") if isinstance(info, dict) else None
    if isinstance(external, str) and 0 < len(external) <= MAX_TASK_KEY:
        return f"external:{external}", status
    return None


class BodyTooLarge(Exception):
    """The request body passed the limit (declared or while streaming)."""


async def read_body(request: Request, limit: int = MAX_BODY) -> bytes:
    """The request body, read chunk by chunk; `BodyTooLarge` as soon as it is known to pass
    `limit` bytes: from Content-Length before anything is read, else while streaming."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge
    return bytes(body)


def _refusal(status: int, error: str, *, close: bool = False) -> JSONResponse:
    # With the rest of an oversized body unread, closing the connection stops the sender
    # instead of letting the server parse and discard whatever else it sends.
    headers = {"connection": "close"} if close else None
    log.debug("callback refused (%d): %s", status, error)
    return JSONResponse({"ok": False, "error": error}, status_code=status, headers=headers)


def callback_route(
    engine: CallbackSink, path: str = CALLBACK_PATH, *, rate_limit: TaskRateLimit | None = None
) -> Route:
    """A Starlette POST route at `path` that hands each acceptable callback to
    `engine.on_callback`, as often as `rate_limit` (by default a `TaskRateLimit`) allows."""
    limit = TaskRateLimit() if rate_limit is None else rate_limit

    async def receive(request: Request) -> JSONResponse:
        try:
            body = await read_body(request)
        except BodyTooLarge:
            return _refusal(413, "body too large", close=True)
        except ClientDisconnect:
            return _refusal(400, "disconnected")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply
            return _refusal(400, "not JSON")
        if not isinstance(payload, dict):
            return _refusal(400, "not an object")
        task = task_of(payload)
        if task is not None and limit.allow(*task):
            engine.on_callback(payload)
        return JSONResponse({"ok": True})

    return Route(path, receive, methods=["POST"])


class CallbackListener:
    """Serves `callback_route(engine)` on a free loopback port from a thread."""

    def __init__(
        self,
        engine: CallbackSink,
        host: str = "127.0.0.1",
        *,
        rate_limit: TaskRateLimit | None = None,
    ) -> None:
        self.engine = engine
        self.host = host
        self.base_url = ""
        self._rate_limit = rate_limit
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; returns the base URL to pass as the engine's callback_base_url."""
        # With proto 0, asyncio does not set TCP_NODELAY on accepted connections, and every
        # answer then waits ~40 ms for a delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((self.host, 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://{self.host}:{port}"
        app = Starlette(routes=[callback_route(self.engine, rate_limit=self._rate_limit)])
        config = uvicorn.Config(app, http="h11", lifespan="off", access_log=False, log_config=None)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="kling-callbacks", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            self.stop()
            raise RuntimeError("the callback listener did not start")
        return self.base_url

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    def __enter__(self) -> CallbackListener:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
