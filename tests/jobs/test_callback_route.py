"""The callback route is reachable by anyone: it refuses big bodies without reading them,
answers bad JSON with a plain 400, and lets at most one callback per task per second (or a
real step forward in Kling's lifecycle) reach the engine."""

from __future__ import annotations

import json
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from job_helpers import EngineFactory, sim_stats

from kling_ui.jobs.callback import MAX_BODY, CallbackListener, TaskRateLimit
from kling_ui.jobs.engine import CALLBACK_PATH
from kling_ui.simulator import SimulatorServer


class ManualClock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingEngine:
    """Stands in for the engine: remembers every callback handed to it."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []

    def on_callback(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)


class Route:
    """A callback route served on loopback, its recording engine and its clock."""

    def __init__(self, listener: CallbackListener, engine: RecordingEngine, clock: ManualClock):
        self.url = listener.base_url + CALLBACK_PATH
        self.engine = engine
        self.clock = clock
        self.client = httpx.Client(timeout=10)

    def post(self, body: Any) -> httpx.Response:
        return self.client.post(self.url, json=body)

    def raw(self, request: bytes) -> bytes:
        """Send `request` bytes as they are and return what the server answers first,
        leaving the connection open (the body may be unfinished on purpose)."""
        address = urlsplit(self.url)
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            sock.sendall(request)
            return sock.recv(65536)


@pytest.fixture
def route() -> Iterator[Route]:
    engine, clock = RecordingEngine(), ManualClock()
    with CallbackListener(engine, rate_limit=TaskRateLimit(clock=clock)) as listener:
        route = Route(listener, engine, clock)
        yield route
        route.client.close()


@pytest.fixture
def server_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record the server logs, also from uvicorn's loggers (which Gradio may have
    configured not to propagate)."""
    caplog.set_level(logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error")]
    for logger in loggers:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in loggers:
        logger.removeHandler(caplog.handler)


def callback(task_id: str, status: str = "processing") -> dict[str, Any]:
    """A callback body as Kling sends it: the task's data object."""
    return {"task_id": task_id, "task_status": status, "task_info": {}}


# ---- what is forwarded ---------------------------------------------------------------------


def test_a_callback_naming_a_task_is_handed_to_the_engine(route: Route) -> None:
    answer = route.post(callback("task-1"))
    assert answer.status_code == 200 and answer.json() == {"ok": True}
    assert route.engine.payloads == [callback("task-1")]


def test_a_callback_naming_our_external_task_id_is_handed_to_the_engine(route: Route) -> None:
    body = {"data": {"task_status": "succeed", "task_info": {"external_task_id": "kts-1"}}}
    assert route.post(body).status_code == 200
    assert route.engine.payloads == [body]


@pytest.mark.parametrize(
    "body",
    [{"hello": "world"}, {"task_id": 12345}, {"task_id": "x" * 1000}, {"data": {"task_id": ""}}],
)
def test_a_callback_naming_no_task_is_answered_but_not_forwarded(
    route: Route, body: dict[str, Any]
) -> None:
    assert route.post(body).json() == {"ok": True}
    assert route.engine.payloads == []


def test_a_body_of_exactly_64_kb_is_accepted(route: Route) -> None:
    body = callback("task-1") | {"padding": ""}
    body["padding"] = "p" * (MAX_BODY - len(json.dumps(body)))
    content = json.dumps(body).encode()
    assert len(content) == MAX_BODY
    answer = httpx.post(route.url, content=content, timeout=10)
    assert answer.status_code == 200 and len(route.engine.payloads) == 1


# ---- big bodies ----------------------------------------------------------------------------


def test_a_body_declared_over_64_kb_is_refused_before_any_of_it_is_sent(route: Route) -> None:
    # Only the headers are sent: an answer proves the server did not wait for the body.
    head = (
        f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: kling\r\nContent-Type: application/json\r\n"
        f"Content-Length: {1 << 30}\r\n\r\n"
    )
    answer = route.raw(head.encode())
    assert answer.startswith(b"HTTP/1.1 413")
    assert route.engine.payloads == []


def test_a_chunked_body_is_refused_as_soon_as_it_passes_64_kb(route: Route) -> None:
    # 80 kB of chunks and no final chunk: the answer comes while the body is still open.
    head = f"POST {CALLBACK_PATH} HTTP/1.1\r\nHost: kling\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"4000\r\n" + b"[" * 0x4000 + b"\r\n"
    answer = route.raw(head.encode() + chunk * 5)
    assert answer.startswith(b"HTTP/1.1 413")
    assert route.engine.payloads == []


def test_a_streamed_body_from_a_generator_is_refused_with_413(route: Route) -> None:
    def one_megabyte() -> Iterator[bytes]:
        for _ in range(64):
            yield b"x" * 16384

    answer = httpx.post(route.url, content=one_megabyte(), timeout=30)
    assert answer.status_code == 413 and answer.json()["error"] == "body too large"
    assert route.engine.payloads == []


# ---- bad JSON ------------------------------------------------------------------------------


def test_malformed_json_is_refused_with_400(route: Route) -> None:
    for content in (b"not json", b'{"task_id": ', b"\xff\xfe", b""):
        assert httpx.post(route.url, content=content, timeout=10).status_code == 400
    assert route.engine.payloads == []


def test_deeply_nested_json_is_refused_with_400_and_no_traceback(
    route: Route, server_log: pytest.LogCaptureFixture
) -> None:
    nested = b"[" * 60_000 + b"]" * 4_000  # 64 kB, far deeper than Python's recursion limit
    answer = httpx.post(route.url, content=nested, timeout=10)
    assert answer.status_code == 400 and answer.json()["error"] == "not JSON"
    assert not [r for r in server_log.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in server_log.text


def test_json_that_is_not_an_object_is_refused_with_400(route: Route) -> None:
    for body in ([callback("task-1")], "task-1", 42, None):
        assert route.post(body).status_code == 400
    assert route.engine.payloads == []


# ---- how often a task reaches the engine ---------------------------------------------------


def test_fifty_callbacks_for_one_task_within_a_second_reach_the_engine_once(
    route: Route,
) -> None:
    for _ in range(50):
        assert route.post(callback("task-1")).json() == {"ok": True}
        route.clock.advance(0.019)
    assert len(route.engine.payloads) == 1


def test_a_task_reaches_the_engine_again_once_its_second_has_passed(route: Route) -> None:
    route.post(callback("task-1"))
    route.clock.advance(0.999)
    route.post(callback("task-1"))
    route.clock.advance(0.001)
    route.post(callback("task-1"))
    assert len(route.engine.payloads) == 2


def test_a_status_further_along_kling_s_lifecycle_is_forwarded_at_once(route: Route) -> None:
    for status in ("submitted", "processing", "succeed"):
        route.post(callback("task-1", status))
    assert [p["task_status"] for p in route.engine.payloads] == [
        "submitted",
        "processing",
        "succeed",
    ]


def test_a_status_flipping_back_and_forth_is_held_to_once_a_second(route: Route) -> None:
    for _ in range(20):
        route.post(callback("task-1", "processing"))
        route.post(callback("task-1", "succeed"))
        route.post(callback("task-1", "bogus"))
    assert [p["task_status"] for p in route.engine.payloads] == ["processing", "succeed"]


def test_a_busy_task_does_not_hold_back_another(route: Route) -> None:
    for _ in range(10):
        route.post(callback("busy"))
    route.post(callback("quiet"))
    assert [p["task_id"] for p in route.engine.payloads] == ["busy", "quiet"]


def test_the_rate_limit_remembers_a_bounded_number_of_tasks() -> None:
    clock = ManualClock()
    limit = TaskRateLimit(capacity=100, clock=clock)
    assert all(limit.allow(f"task-{n}") for n in range(10_000))
    assert len(limit) == 100
    assert not limit.allow("task-9999")  # the newest are the ones remembered


# ---- with the real engine ------------------------------------------------------------------


def test_callbacks_for_tasks_the_engine_does_not_know_cost_no_store_read_and_no_kling_query(
    simulator: SimulatorServer, engine_factory: EngineFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_factory(simulator)
    store_calls: list[str] = []
    for name in [n for n in dir(engine.store) if not n.startswith("_")]:
        method = getattr(engine.store, name)
        if callable(method):
            monkeypatch.setattr(engine.store, name, counted(method, name, store_calls))
    before = sim_stats(simulator)
    with CallbackListener(engine) as listener, httpx.Client(timeout=10) as client:
        for _ in range(200):
            body = callback(uuid.uuid4().hex, "succeed")
            assert client.post(listener.base_url + CALLBACK_PATH, json=body).status_code == 200
    assert store_calls == []
    assert sim_stats(simulator)["requests"] == before["requests"]


def counted(method: Callable[..., Any], name: str, calls: list[str]) -> Callable[..., Any]:
    """`method`, noting its name in `calls` each time it is called on behalf of a request
    (the engine's own dispatcher renews its claims in the store on a timer: not counted)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name != "kling-dispatch":
            calls.append(name)
        return method(*args, **kwargs)

    return wrapper
