"""Properties every prepared pair has, whatever sizes, modes and formats come in.

Sized by the Hypothesis profile (tests/conftest.py): "ci" by default, a fixed set of examples
so every run tries the same ones; HYPOTHESIS_PROFILE=thorough tries many new ones."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kling_ui.frames import MAX_RATIO, MIN_SIDE, PreparedFrame, prepare_pair

# The modes each format can store (Pillow refuses the others for that format).
MODES_BY_FORMAT = {
    "PNG": ("RGB", "RGBA", "L", "LA", "P", "1", "I;16"),
    "JPEG": ("RGB", "L", "CMYK"),
    "WEBP": ("RGB", "RGBA"),
    "BMP": ("RGB", "L", "P", "1"),
    "TIFF": ("RGB", "RGBA", "L", "CMYK", "I;16", "F"),
    "GIF": ("P", "L"),
}

MAX_BYTES = 4_000_000  # the default limit, the seed's 4 MB

sides = st.one_of(st.integers(1, 700), st.integers(700, 2600))


@st.composite
def image_files(draw: st.DrawFn) -> bytes:
    """Bytes of an image of any size, in any mode its format stores, with varied content."""
    fmt = draw(st.sampled_from(sorted(MODES_BY_FORMAT)))
    mode = draw(st.sampled_from(MODES_BY_FORMAT[fmt]))
    width, height = draw(sides), draw(sides)
    seed = draw(st.integers(0, 2**16))
    noisy = draw(st.booleans())
    rng = np.random.default_rng(seed)
    # Noise drawn small and scaled up keeps making the pictures cheap at any size.
    cells = (max(1, height // (1 if noisy else 40)), max(1, width // (1 if noisy else 40)), 4)
    base = Image.fromarray(rng.integers(0, 256, cells, dtype=np.uint8), "RGBA")
    image = base.resize((width, height), Image.Resampling.BILINEAR)
    if mode == "I;16":
        image = Image.fromarray(
            (np.asarray(image.convert("L"), dtype=np.uint16) * 257).astype(np.uint16)
        )
    elif mode == "F":
        image = Image.fromarray(np.asarray(image.convert("L"), dtype=np.float32) / 255.0, "F")
    elif mode == "P":
        image = image.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    else:
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def assert_kling_accepts(frame: PreparedFrame, max_bytes: int) -> None:
    """The frame is within every Kling limit and decodes as what it claims to be."""
    assert min(frame.width, frame.height) >= MIN_SIDE
    assert frame.width <= MAX_RATIO * frame.height
    assert frame.height <= MAX_RATIO * frame.width
    assert len(frame.data) < max_bytes
    decoded = Image.open(io.BytesIO(frame.data))
    decoded.load()
    assert decoded.format == frame.format in ("PNG", "JPEG")
    assert decoded.size == (frame.width, frame.height)
    assert decoded.mode == "RGB"


@pytest.mark.slow
@settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    first=image_files(),
    last=image_files(),
    fit=st.sampled_from(["fit", "cover", "stretch"]),
)
def test_every_prepared_pair_matches_in_size_and_meets_klings_limits(first, last, fit):
    pair = prepare_pair(first, last, fit=fit)

    assert pair.first.size == pair.last.size == pair.target
    assert_kling_accepts(pair.first, MAX_BYTES)
    assert_kling_accepts(pair.last, MAX_BYTES)
