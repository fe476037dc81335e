"""Fixtures for the job engine tests: frames on disk, stored jobs, engines on a simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from job_helpers import FAST_POLL, FAST_RETRY, EngineFactory, credentials_for

from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.store import JobStore
from kling_ui.simulator import SimulatorServer, slide_png


@pytest.fixture(scope="session")
def frame_bytes() -> tuple[bytes, bytes]:
    """Two small slide PNGs (generated once per session)."""
    return slide_png(480, 320, "First"), slide_png(480, 320, "Last")


@pytest.fixture
def frames(tmp_path: Path, frame_bytes: tuple[bytes, bytes]) -> tuple[Path, Path]:
    """The two slides as files under tmp_path/data/frames."""
    folder = tmp_path / "data" / "frames"
    folder.mkdir(parents=True)
    first, last = folder / "first.png", folder / "last.png"
    first.write_bytes(frame_bytes[0])
    last.write_bytes(frame_bytes[1])
    return first, last


@pytest.fixture
def store(tmp_path: Path) -> Iterator[JobStore]:
    """A fresh store at tmp_path/data/jobs.sqlite3."""
    with JobStore(tmp_path / "data" / "jobs.sqlite3") as opened:
        yield opened


@pytest.fixture
def engine_factory(tmp_path: Path) -> Iterator[EngineFactory]:
    """`engine_factory(server, start=True, **engine_kwargs)`: an engine on tmp_path/data
    against `server`, fast polling, stopped at teardown."""
    made: list[tuple[JobEngine, JobStore]] = []

    def make(server: SimulatorServer, *, start: bool = True, **kwargs: Any) -> JobEngine:
        data_dir = tmp_path / "data"
        store = JobStore(data_dir / "jobs.sqlite3")
        options: dict[str, Any] = {"poll_interval": FAST_POLL, "retry": FAST_RETRY}
        options.update(kwargs)
        credentials = options.pop("credentials", None) or credentials_for(server)
        engine = JobEngine(store, credentials, data_dir=data_dir, **options)
        made.append((engine, store))
        if start:
            engine.start()
        return engine

    yield make
    for engine, store in made:
        engine.stop()
        store.close()
