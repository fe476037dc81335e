"""Frame-preparation bench: time to prepare a slide pair and a phone-photo pair for Kling.

Two pairs, each prepared with `kling_ui.frames.prepare_pair` (decode, orient, convert,
resize to the shared target, encode under 4 MB) several times; prints the median and the
spread. Also times `strategy_hint` on the same pairs.

* slides: two 1920x1080 PNG slides (white page, title bar, chart, text): stay PNG.
* photos: two 4000x3000 JPEG photos (smooth colour fields plus sensor grain): resized to
  1664x1248 and, being too big as PNG, encoded as the best 4:4:4 JPEG under 4 MB.

    python bench/frames.py [--runs 7]

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

from kling_ui.frames import PreparedPair, prepare_pair
from kling_ui.prompts import strategy_hint


def slide_png(title: str, bars: list[int]) -> bytes:
    """A 1920x1080 slide as PNG bytes."""
    image = Image.new("RGB", (1920, 1080), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1920, 160), fill=(20, 40, 120))
    draw.text((80, 40), title, fill="white", font_size=72)
    for index, height in enumerate(bars):
        left = 240 + index * 300
        draw.rectangle((left, 1000 - height, left + 200, 1000), fill=(200, 80, 40))
    for line in range(5):
        draw.text((1400, 300 + line * 80), f"Point {line + 1}", fill=(30, 30, 30), font_size=40)
    return _encode(image, "PNG")


def photo_jpeg(seed: int) -> bytes:
    """A 4000x3000 photo-like JPEG (quality 92), as a phone camera gives."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:3000, 0:4000].astype(np.float32)
    base = np.stack(
        [
            128 + 70 * np.sin(xx / (97.0 + seed)),
            128 + 70 * np.cos(yy / 61.0),
            128 + 70 * np.sin((xx + yy) / 143.0),
        ],
        axis=-1,
    )
    pixels = base + rng.normal(0, 40, base.shape).astype(np.float32)
    return _encode(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), "JPEG", quality=92)


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def timed(action: Callable[[], object], runs: int) -> list[float]:
    """Wall times of `runs` calls, after one warm-up call."""
    action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times


def describe(pair: PreparedPair, inputs: tuple[bytes, bytes]) -> str:
    """Sizes and formats of a prepared pair, and which frames were kept byte for byte."""
    frames = [pair.first] + ([pair.last] if pair.last else [])
    return ", ".join(
        f"{f.width}x{f.height} {f.format} {len(f.data) / 1e6:.2f} MB"
        + (" (kept as it was)" if f.data == given else "")
        for f, given in zip(frames, inputs, strict=False)
    )


def main() -> None:
    """Prepare each pair `--runs` times and print the median."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (default 7)")
    args = parser.parse_args()

    cases = {
        "1920x1080 slide pair (PNG)": (
            slide_png("Results", [300, 450, 600]),
            slide_png("Plan", [200, 500, 650]),
        ),
        "4000x3000 photo pair (JPEG)": (photo_jpeg(1), photo_jpeg(2)),
    }
    print(f"runs per case: {args.runs} (after one warm-up)")
    for name, (first, last) in cases.items():
        pair = prepare_pair(first, last)
        times = timed(lambda a=first, b=last: prepare_pair(a, b), args.runs)
        hint_times = timed(lambda a=first, b=last: strategy_hint(a, b), args.runs)
        print(f"\n{name}")
        print(f"  inputs: {len(first) / 1e6:.2f} MB + {len(last) / 1e6:.2f} MB")
        print(f"  output: {describe(pair, (first, last))}")
        print(
            f"  prepare_pair: median {statistics.median(times):.3f} s "
            f"(min {min(times):.3f}, max {max(times):.3f})"
        )
        print(
            f"  strategy_hint (from file bytes): median {statistics.median(hint_times):.3f} s "
            f"(min {min(hint_times):.3f}, max {max(hint_times):.3f})"
        )


if __name__ == "__main__":
    main()
