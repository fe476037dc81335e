"""Fixtures for the Studio's tests: slide files and a Studio served in demo mode."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_helpers import Launched, fast_settings, launch

from kling_ui.simulator import slide_png


@pytest.fixture(scope="session")
def slide_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different 640x360 slides as PNG files (made once per session)."""
    folder = tmp_path_factory.mktemp("slides")
    first, last = folder / "first.png", folder / "last.png"
    first.write_bytes(slide_png(640, 360, "First slide"))
    last.write_bytes(slide_png(640, 360, "Last slide"))
    return first, last


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """The Studio in demo mode, served on loopback for the whole test module."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("studio-data")))
    yield launched
    launched.close()
