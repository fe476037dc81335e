"""Load, light version: 8 gradio_client sessions submit at the same moment to a Studio in demo
mode. The queue holds, every session is told its place while it waits, no event errors, the
page keeps answering, and every job ends done. The 20-session run with its figures (page
p50/p95, peak RSS) is bench/load.py; the scenario itself is load_run.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from load_run import LoadResult, run_load
from reliability_helpers import WAIT, Served, serve_studio, studio_settings, wait_for

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.engine import JobEngine
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.store import JobStore
from kling_ui.runtime import STORE_FILE, Runtime
from kling_ui.simulator import SimulatorServer, slide_png
from kling_ui.video import probe

pytestmark = pytest.mark.slow

SESSIONS = 8
ENGINE_SLOTS = 3


@pytest.fixture(scope="module")
def load(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoadResult, Served]]:
    """One load run against a Studio served for this module."""
    home = tmp_path_factory.mktemp("load")
    slides = (home / "first.png", home / "last.png")
    slides[0].write_bytes(slide_png(640, 360, "Load first"))
    slides[1].write_bytes(slide_png(640, 360, "Load last"))
    runtime = Runtime.from_settings(studio_settings(home / "data", demo_latency=1.0)).start()
    studio = serve_studio(runtime)
    try:
        yield run_load(studio.url, SESSIONS, slides), studio
    finally:
        studio.close()


def test_no_session_met_an_event_error(load: tuple[LoadResult, Served]) -> None:
    result, _ = load
    assert result.errors == []


def test_every_job_ends_done_with_a_video(load: tuple[LoadResult, Served]) -> None:
    result, _ = load
    for session in result.sessions:
        assert session.final is not None and session.final["status"] == "done"
        assert session.video is not None and probe(session.video).frames > 0
    assert len({s.final["id"] for s in result.sessions if s.final}) == SESSIONS


def test_every_session_that_waited_was_told_its_place(load: tuple[LoadResult, Served]) -> None:
    result, _ = load
    told = [s for s in result.sessions if s.saw_position]
    assert len(told) >= SESSIONS - ENGINE_SLOTS  # the queue really held, and said so
    for session in result.sessions:
        if session.statuses.count("queued") >= 2:  # waited at least one follow tick
            assert session.saw_position
        places = [p for p in session.positions if p is not None]
        assert all(1 <= p <= SESSIONS for p in places)
        assert places == sorted(places, reverse=True)  # a place only ever moves up


def test_the_engine_never_ran_more_than_three_at_once(load: tuple[LoadResult, Served]) -> None:
    simulator = load[1].runtime.simulator
    assert simulator is not None
    assert simulator.stats()["peak_concurrency"] <= ENGINE_SLOTS


def test_the_page_kept_answering_during_the_load(load: tuple[LoadResult, Served]) -> None:
    result, _ = load
    assert len(result.page_statuses) >= 3
    assert set(result.page_statuses) == {200}


# Gradio keeps a SessionState (a copy of every component's config, about 350 kB for the
# Studio's 205 blocks) for each session hash: every page load and every gradio_client
# connection. Entries are dropped only beyond `state_session_capacity` (Gradio's default
# 10000, about 3.4 GB); expiry frees only gr.State values, not the entry.
SESSION_BYTES = 350 * 1024
SESSION_MEMORY_BUDGET = 512 * 1024 * 1024


def test_memory_held_for_past_sessions_is_bounded(load: tuple[LoadResult, Served]) -> None:
    holder = load[1].demo.state_holder
    assert len(holder.session_data) >= SESSIONS  # each client had its own session
    assert holder.capacity * SESSION_BYTES <= SESSION_MEMORY_BUDGET


class GatedEngine(JobEngine):
    """A JobEngine whose create steps wait at a gate: it holds open the moment between a job
    leaving the line and its create being recorded, which a busy Studio hits by chance
    (bench/load.py counts 2-7 such answers per round of 20 sessions)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        create = self._steps.create

        def gated_create(live: Any) -> None:
            self.gate.wait(WAIT)
            create(live)

        self._steps.create = gated_create  # type: ignore[method-assign]


def test_a_job_the_store_calls_queued_always_has_a_place(
    tmp_path: Path, simulator: SimulatorServer
) -> None:
    config = simulator.config
    store = JobStore(tmp_path / "data" / STORE_FILE)
    engine = GatedEngine(
        store,
        Credentials.of(config.access_key, config.secret_key, simulator.base_url),
        data_dir=tmp_path / "data",
        poll_interval=0.05,
    )
    engine.start()
    try:
        frame = engine.save_frame(slide_png(480, 320, "Gate"), "png")
        job = engine.submit(JobSpec(first_frame=frame, last_frame=frame)).job
        wait_for(lambda: engine.snapshot().in_flight == 1, what="the job taken from the line")
        seen = engine.get(job.id)
        place = engine.queue_position(job.id)
        engine.gate.set()
        assert seen.status is not JobStatus.QUEUED or place is not None
    finally:
        engine.gate.set()
        engine.stop()
        store.close()
