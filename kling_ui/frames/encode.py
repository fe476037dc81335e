"""Encoding a prepared frame for Kling: PNG when it fits the byte limit, else the best JPEG."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from kling_ui.frames import errors
from kling_ui.i18n import Text

DEFAULT_MAX_BYTES = 4_000_000  # the seed's 4 MB, below Kling's own 10 MB
JPEG_BEST_QUALITY = 95  # above this JPEG grows fast for no visible gain
JPEG_LOWEST_QUALITY = 60  # below this slide text starts to show ringing

FrameFormat = Literal["PNG", "JPEG"]

_ESTIMATE_FROM_PIXELS = 1_000_000  # below this a full PNG encode is cheap anyway
_BAND_ROWS = 16
_BAND_STEP = 4  # sample one band in four
_SURELY_OVER = 1.1  # estimates land within ~5%: this far over, a full encode cannot fit


@dataclass(frozen=True)
class Encoded:
    """The bytes of a frame and how they were made."""

    data: bytes
    format: FrameFormat
    quality: int | None
    note: Text


def encode(image: Image.Image, max_bytes: int) -> Encoded:
    """PNG if it is under `max_bytes` (slide text stays sharp), else the best JPEG under it.

    JPEG is written without chroma subsampling (4:4:4) so coloured text keeps its edges; the
    quality is the highest from 95 down that fits. Both encoders are deterministic: the same
    pixels always give the same bytes.
    """
    estimate = _png_estimate(image)
    if estimate is not None and estimate > _SURELY_OVER * max_bytes:
        png_size, approx = estimate, Text("about ", "约 ")
    else:
        png = _png(image)
        if len(png) < max_bytes:
            size = size_text(len(png))
            return Encoded(
                png, "PNG", None, Text(f"encoded as PNG ({size})", f"编码为 PNG（{size}）")
            )
        png_size, approx = len(png), Text("", "")
    quality, jpeg = _best_jpeg(image, max_bytes)
    made, png, limit = size_text(len(jpeg)), size_text(png_size), size_text(max_bytes)
    note = Text(
        f"encoded as JPEG at quality {quality} without chroma subsampling ({made}), "
        f"since PNG would be {approx.en}{png}, over the {limit} limit",
        f"编码为 JPEG，质量 {quality}，不做色度抽样（{made}），"
        f"因为 PNG {approx.zh}{png}，超过 {limit} 的上限",
    )
    return Encoded(jpeg, "JPEG", quality, note)


def _png_estimate(image: Image.Image) -> int | None:
    """The PNG size of a large image judged from every 4th band of 16 rows, or None when
    the image is small enough to simply encode.

    PNG compresses row by row, so evenly spread bands predict the whole closely; it saves
    the full encode (the slowest step) for photos that cannot be PNG anyway.
    """
    width, height = image.size
    if width * height < _ESTIMATE_FROM_PIXELS:
        return None
    tops = range(0, height, _BAND_ROWS * _BAND_STEP)
    sample = Image.new(image.mode, (width, _BAND_ROWS * len(tops)))
    rows = 0
    for top in tops:
        band = image.crop((0, top, width, min(height, top + _BAND_ROWS)))
        sample.paste(band, (0, rows))
        rows += band.height
    return round(len(_png(sample.crop((0, 0, width, rows)))) * height / rows)


def _png(image: Image.Image) -> bytes:
    """Lossless PNG with no metadata (metadata would make the bytes depend on more than pixels)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """Baseline JPEG, 4:4:4, with optimised Huffman tables where Pillow can make them.

    Pillow sizes the optimising encoder's buffer at one byte per pixel below quality 95; very
    noisy photos need more and fail ("Suspension not allowed"), so those are written with
    standard tables instead. Either way the same pixels give the same bytes.
    """
    try:
        return _save_jpeg(image, quality, optimize=True)
    except OSError:
        return _save_jpeg(image, quality, optimize=False)


def _save_jpeg(image: Image.Image, quality: int, *, optimize: bool) -> bytes:
    """One JPEG encode without chroma subsampling."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, subsampling=0, optimize=optimize)
    return buffer.getvalue()


def _best_jpeg(image: Image.Image, max_bytes: int) -> tuple[int, bytes]:
    """The highest quality whose JPEG is under the limit, found by bisection.

    JPEG size grows with quality almost always; bisection keeps only results that were
    actually measured under the limit, so an odd non-monotone step cannot break the cap.
    """
    best = _jpeg(image, JPEG_BEST_QUALITY)
    if len(best) < max_bytes:
        return JPEG_BEST_QUALITY, best
    low, high = JPEG_LOWEST_QUALITY, JPEG_BEST_QUALITY - 1
    found: tuple[int, bytes] | None = None
    while low <= high:
        quality = (low + high) // 2
        data = _jpeg(image, quality)
        if len(data) < max_bytes:
            found = (quality, data)
            low = quality + 1
        else:
            high = quality - 1
    if found is None:
        raise errors.cannot_fit(image.width, image.height, max_bytes)
    return found


def size_text(size: int) -> str:
    """A byte count as people read it: "30 KB", "2.5 MB"."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{size / 1000:.0f} KB"
