"""The route Kling POSTs task callbacks to, and a small loopback server carrying only it.

Callbacks are unsigned, so the route only tells the engine to query that task now
(`JobEngine.on_callback`); nothing in the body is believed. The Studio mounts
`callback_route(engine)` on its own app (before mounting Gradio at `/`); the stand-alone
`CallbackListener` serves it for the command line, the bench and tests.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from kling_ui.jobs.engine import CALLBACK_PATH, JobEngine

log = logging.getLogger("kling_ui.jobs.callback")

MAX_BODY = 1 << 20  # a task's data object is a few kB


def callback_route(engine: JobEngine, path: str = CALLBACK_PATH) -> Route:
    """A Starlette POST route at `path` that hands each callback to `engine.on_callback`."""

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"ok": False, "error": "body too large"}, status_code=413)
        try:
            payload = json.loads(body)
        except ValueError:
            return JSONResponse({"ok": False, "error": "not JSON"}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"ok": False, "error": "not an object"}, status_code=400)
        engine.on_callback(payload)
        return JSONResponse({"ok": True})

    return Route(path, receive, methods=["POST"])


class CallbackListener:
    """Serves `callback_route(engine)` on a free loopback port from a thread."""

    def __init__(self, engine: JobEngine, host: str = "127.0.0.1") -> None:
        self.engine = engine
        self.host = host
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        """Start serving; returns the base URL to pass as the engine's callback_base_url."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        port = sock.getsockname()[1]
        self.base_url = f"http://{self.host}:{port}"
        app = Starlette(routes=[callback_route(self.engine)])
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
