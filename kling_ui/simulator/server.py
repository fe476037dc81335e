"""SimulatorServer: the simulated Kling API on a loopback port, run by uvicorn in a thread."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from kling_ui.simulator import realworld
from kling_ui.simulator.app import SimulatorContext, create_app
from kling_ui.simulator.callbacks import CallbackSender
from kling_ui.simulator.config import SimulatorConfig
from kling_ui.simulator.faults import FaultInjector, install_drop_log_filter
from kling_ui.simulator.prompt_stop import PromptStopServer
from kling_ui.simulator.simtask import SimTask
from kling_ui.simulator.tasks import TaskStore
from kling_ui.simulator.workers import LifecycleClock, RenderWorker

log = logging.getLogger("kling_ui.simulator.server")

START_TIMEOUT = 15.0


class SimulatorServer:
    """A running simulated Kling account; also a context manager (`with SimulatorServer() as s`).

    `config` may be changed at runtime (directly or through POST /debug/config). Videos are
    kept in `data_dir`, or in a temporary directory removed by `stop()`.
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: Path | None = None,
    ) -> None:
        self._config = config or SimulatorConfig()
        self.host = host
        self.port = port
        self.base_url = ""
        self._data_dir = Path(data_dir) if data_dir is not None else None
        self._temp_dir: Path | None = None
        self._server: PromptStopServer | None = None
        self._thread: threading.Thread | None = None
        self._store = TaskStore()
        self._store.reseed(self._config.seed)
        self._callbacks = CallbackSender(self._store)
        self._store.on_change = self._on_status_change
        self._renderer = RenderWorker(self._store)
        self._clock = LifecycleClock(self._store)
        self._faults = FaultInjector(self._config)
        self._stopped = False

    def __enter__(self) -> SimulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SimulatorServer(base_url={self.base_url!r})"

    @property
    def config(self) -> SimulatorConfig:
        """The live config; change its fields at any time (or assign a whole new one)."""
        return self._config

    @config.setter
    def config(self, new: SimulatorConfig) -> None:
        # The routes and workers hold the live object: copy the new values into it.
        self._config.apply(new.as_dict())
        self._faults.reseed()
        self._store.reseed(self._config.seed)

    @property
    def videos_dir(self) -> Path | None:
        """Where the rendered videos are written (None before `start`)."""
        return self._data_dir or self._temp_dir

    def start(self) -> str:
        """Bind, start serving, and return the base URL once the server answers."""
        if self._thread is not None:
            return self.base_url
        if self._stopped:
            raise RuntimeError("a stopped SimulatorServer cannot be started again; make a new one")
        if self._data_dir is not None:
            self._data_dir.mkdir(parents=True, exist_ok=True)
        else:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="kling-sim-"))
        videos_dir = self.videos_dir
        assert videos_dir is not None
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        display_host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        self.base_url = f"http://{_url_host(display_host)}:{self.port}"
        app = create_app(
            SimulatorContext(
                config=self._config,
                store=self._store,
                faults=self._faults,
                renderer=self._renderer,
                clock=self._clock,
                videos_dir=videos_dir,
            )
        )
        install_drop_log_filter()
        self._server = PromptStopServer(
            uvicorn.Config(
                app,
                http="h11",
                lifespan="off",
                access_log=False,
                log_config=None,
                timeout_graceful_shutdown=2,
            )
        )
        self._renderer.start()
        self._clock.start()
        self._callbacks.start()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="sim-http", daemon=True
        )
        self._thread.start()
        self._store.sync_foreign(
            finished=self._config.foreign_tasks,
            in_flight=self._config.foreign_in_flight,
            latency=self._config.latency,
            now=time.time(),
            base_url=self.base_url,
        )
        self._clock.wake()
        self._wait_until_answering()
        log.info("Kling simulator at %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        """Stop serving, stop the workers, and remove the temporary video directory."""
        if self._stopped:
            return
        self._stopped = True
        if self._server is not None:
            self._server.request_stop()
        if self._thread is not None:
            self._thread.join(10)
        self._renderer.stop()
        self._clock.stop()
        self._callbacks.stop()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
        self._thread = None
        self._server = None

    def stats(self) -> dict[str, Any]:
        """The same counters as GET /debug/stats."""
        return self._store.stats(time.time())

    @property
    def render_seconds(self) -> list[float]:
        """Wall seconds each finished render took, oldest first."""
        return list(self._renderer.render_seconds)

    def _on_status_change(self, task: SimTask, data: dict[str, Any]) -> None:
        """Pass a status change to the callbacks, in realworld shape when configured."""
        if self._config.realworld:
            data = realworld.query_data(task, task.updated_at, queueing=False)
        self._callbacks.on_status_change(task, data)

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=1.0) as probe:  # one client: each builds a TLS context
            while time.monotonic() < deadline:
                if self._thread is not None and not self._thread.is_alive():
                    break
                try:
                    if probe.get(f"{self.base_url}/debug/stats").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the Kling simulator did not start on {self.host}:{self.port}")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket names its protocol, and without it every answer waits ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
