"""A deck runner over a real engine and a simulator, for the deck tests that run decks."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from kling_ui.deck.run import DeckRunner
from kling_ui.jobs.engine import Credentials, JobEngine
from kling_ui.jobs.store import JobStore
from kling_ui.kling.client import RetryPolicy
from kling_ui.simulator import SimulatorServer


@contextlib.contextmanager
def deck_runner(sim: SimulatorServer, data_dir: Path) -> Iterator[DeckRunner]:
    """A deck runner over a started engine on `sim` (quick polls and retries), stopped after."""
    with JobStore(data_dir / "jobs.sqlite3") as store:
        engine = JobEngine(
            store,
            Credentials.of(sim.config.access_key, sim.config.secret_key, sim.base_url),
            data_dir=data_dir,
            poll_interval=0.05,
            retry=RetryPolicy(attempts=5, initial_wait=0.02, max_wait=0.1),
        )
        engine.start()
        try:
            yield DeckRunner(engine, data_dir)
        finally:
            engine.stop()
