"""Stopping the simulator: it stops listening, cuts what it has in flight instead of waiting
for it, and its server ends even when asked to stop before it started serving."""

from __future__ import annotations

import socket
import threading
from email.utils import parsedate_to_datetime

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from waiting import wait_until

from kling_ui.simulator import SimulatorConfig, SimulatorServer
from kling_ui.simulator.prompt_stop import PromptStopServer

WAIT = 60.0


def test_a_stopped_simulator_refuses_new_connections() -> None:
    server = SimulatorServer(SimulatorConfig(latency=0.2))
    server.start()
    assert httpx.get(f"{server.base_url}/debug/stats").status_code == 200
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.base_url}/debug/stats")


def test_a_request_in_flight_when_the_simulator_stops_is_cut_with_a_transport_error(
    api_for,
) -> None:
    # Every answer is held back for ten minutes: the request is in flight when stop() comes.
    server = SimulatorServer(SimulatorConfig(latency=0.2, fault_slow=1.0, slow_seconds=600.0))
    server.start()
    api = api_for(server)
    outcome: list[BaseException | httpx.Response] = []

    def ask() -> None:
        try:
            outcome.append(api.list())
        except BaseException as error:  # the test inspects what came back
            outcome.append(error)

    asker = threading.Thread(target=ask)
    asker.start()
    wait_until(lambda: server.stats()["faults"].get("slow", 0) == 1, WAIT, "the slow request")
    server.stop()
    asker.join(WAIT)
    assert not asker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.TransportError)


def test_the_simulators_answers_carry_a_date_header() -> None:
    with SimulatorServer(SimulatorConfig(latency=0.2)) as server:
        answer = httpx.get(f"{server.base_url}/debug/stats")
    assert parsedate_to_datetime(answer.headers["date"]).year >= 2024


def test_a_server_asked_to_stop_before_it_serves_ends_without_serving() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(Starlette(), lifespan="off", log_config=None, access_log=False)
    server = PromptStopServer(config)
    server.request_stop()
    serving = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    serving.start()
    serving.join(WAIT)
    assert not serving.is_alive()


def test_a_server_asked_to_stop_while_serving_ends() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(Starlette(), lifespan="off", log_config=None, access_log=False)
    server = PromptStopServer(config)
    serving = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    serving.start()
    wait_until(lambda: server.started, WAIT, "serving")
    assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 404  # an empty app answers
    server.request_stop()
    serving.join(WAIT)
    assert not serving.is_alive()
