"""Fixtures for the command-line tests: a working folder with two slide images."""

from __future__ import annotations

from pathlib import Path

import pytest

from kling_ui.simulator import slide_png


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """tmp_path holding first.png and last.png (small slides); the commands run here."""
    (tmp_path / "first.png").write_bytes(slide_png(480, 320, "First"))
    (tmp_path / "last.png").write_bytes(slide_png(480, 320, "Last"))
    return tmp_path
