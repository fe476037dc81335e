"""The client's contract tests run against both simulator modes: plain, and "realworld"
(nulls, integer ids, foreign tasks, an unsorted list, 400/1201 for unknown ids, a duplicate-id
refusal worded without "external_task_id", unknown statuses early in a task's life)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kling_ui.simulator import SimulatorConfig, SimulatorServer

FAST_LATENCY = 0.2
SMALL_RENDER_HEIGHT = 180
MODES = {"plain": {}, "realworld": {"realworld": True, "foreign_tasks": 12}}


@pytest.fixture(params=sorted(MODES))
def sim_mode(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The simulator's mode for this run of the test."""
    return MODES[request.param]


@pytest.fixture
def sim_config(sim_mode: dict[str, Any]) -> SimulatorConfig:
    """A fast simulator in this run's mode."""
    return SimulatorConfig(latency=FAST_LATENCY, render_height=SMALL_RENDER_HEIGHT, **sim_mode)


@pytest.fixture
def simulator_factory(sim_mode: dict[str, Any]) -> Iterator[Callable[..., SimulatorServer]]:
    """Like the suite-wide factory, in this run's mode."""
    started: list[SimulatorServer] = []

    def start(**overrides: Any) -> SimulatorServer:
        fields: dict[str, Any] = {"latency": FAST_LATENCY, "render_height": SMALL_RENDER_HEIGHT}
        fields.update(sim_mode)
        fields.update(overrides)
        server = SimulatorServer(SimulatorConfig(**fields))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
