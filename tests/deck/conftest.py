"""Fixtures for deck tests: slide PNGs and transition clips written into the test's folder."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from deck_media import encode_clip, slide_image
from PIL import Image


@pytest.fixture
def slide_files(tmp_path: Path) -> Callable[[int], list[Path]]:
    """Write `n` distinct slide PNGs at 320x180 and return their paths."""

    def make(count: int) -> list[Path]:
        folder = tmp_path / "slides-in"
        folder.mkdir(exist_ok=True)
        paths = []
        for index in range(count):
            path = folder / f"slide-{index + 1}.png"
            slide_image(index).save(path)
            paths.append(path)
        return paths

    return make


@pytest.fixture
def deck_clips(tmp_path: Path) -> Callable[..., list[Path]]:
    """Encode the transitions between consecutive slides (kwargs go to `encode_clip`)."""

    def make(slides: Sequence[Path], **options: object) -> list[Path]:
        folder = tmp_path / "clips-in"
        folder.mkdir(exist_ok=True)
        clips = []
        for index, (first, last) in enumerate(itertools.pairwise(slides)):
            with Image.open(first) as a, Image.open(last) as b:
                path = folder / f"transition-{index + 1}.mp4"
                clips.append(encode_clip(path, a, b, **options))  # type: ignore[arg-type]
        return clips

    return make
