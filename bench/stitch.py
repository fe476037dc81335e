"""Stitch benchmark: stream copy (stitch_deck) against a full re-encode with ffmpeg's concat filter.

A 10-slide deck at 1080p: 10 slide PNGs and 9 transition clips of 5 s at 24 fps (H.264 High
with B-frames, like Kling's pro output), generated once into a cache folder. Both ways build
the same video, hold(1), T(1->2), ..., hold(10) with 2 s holds:

* stream copy: `kling_ui.deck.stitch_deck` (holds encoded as stills, clips copied untouched);
* re-encode: the common approach, every input through `-filter_complex concat` into libx264
  at ffmpeg's defaults (preset medium, CRF 23).

Prints both wall times and the ratio. Not a test: run it by hand on a quiet machine.
With `--copy-only` the re-encode is skipped and the stream copy is timed `--runs` times after
one warm-up (median, min, max), with how many times each transition file was opened.

    python bench/stitch.py [--slides 10] [--clip-seconds 5] [--height 1080] [--cache DIR]
                           [--grain 0] [--copy-only] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import numpy as np
from PIL import Image, ImageDraw

from kling_ui.deck import stitch_deck
from kling_ui.video import probe

FPS = 24
HOLD_S = 2.0


def make_slide(index: int, size: tuple[int, int]) -> Image.Image:
    """A slide-like picture: a tinted background, a title bar, lines of 'text', a chart."""
    width, height = size
    hue = (index * 37) % 255
    image = Image.new("RGB", size, (245 - hue // 8, 245, 250 - hue // 6))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, height // 7), fill=(hue, 60, 140))
    for line in range(8):
        y = height // 5 + line * height // 14
        draw.rectangle(
            (width // 12, y, width // 12 + (width // 3) * (1 + line % 3) // 3, y + height // 40),
            fill=(40, 40, 50),
        )
    for bar in range(5):
        x = width // 2 + bar * width // 12
        top = height - height // 8 - (bar + index) % 6 * height // 12
        draw.rectangle(
            (x, top, x + width // 20, height - height // 8), fill=((hue + bar * 40) % 255, 120, 200)
        )
    return image


def make_clip(
    path: Path, first: Image.Image, last: Image.Image, seconds: int, grain: float = 0.0
) -> None:
    """A 'Kling-like' transition: a cross-fade with a gentle push-in, H.264 High, B-frames;
    with `grain`, moving noise of that standard deviation (real footage's texture and size)."""
    frames = seconds * FPS
    rng = np.random.default_rng(len(path.name))
    a = np.asarray(first, dtype=np.float32)
    b = np.asarray(last, dtype=np.float32)
    width, height = first.size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "veryfast", "profile": "high", "bf": "3", "crf": "20"}
        for index in range(frames):
            t = index / (frames - 1)
            blend = Image.fromarray(np.clip(a * (1 - t) + b * t, 0, 255).astype(np.uint8))
            zoom = 1 + 0.05 * np.sin(np.pi * t)  # push in and settle back on the last slide
            crop_w, crop_h = round(width / zoom), round(height / zoom)
            left, top = (width - crop_w) // 2, (height - crop_h) // 2
            pushed = blend.crop((left, top, left + crop_w, top + crop_h)).resize((width, height))
            if grain:
                noise = rng.normal(0, grain, (height, width, 1)).astype(np.float32)
                pixels = np.asarray(pushed, dtype=np.float32) + noise
                pushed = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
            frame = av.VideoFrame.from_image(pushed)
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def prepare(
    cache: Path, slides: int, seconds: int, size: tuple[int, int], grain: float = 0.0
) -> tuple[list[Path], list[Path]]:
    """Slides and clips in `cache`, generated only when missing."""
    cache.mkdir(parents=True, exist_ok=True)
    slide_paths = []
    for index in range(slides):
        path = cache / f"slide-{index + 1:02d}.png"
        if not path.exists():
            make_slide(index, size).save(path)
        slide_paths.append(path)
    clip_paths = []
    for index in range(slides - 1):
        path = cache / f"transition-{index + 1:02d}.mp4"
        if not path.exists():
            print(f"  generating {path.name} ...", flush=True)
            with Image.open(slide_paths[index]) as a, Image.open(slide_paths[index + 1]) as b:
                make_clip(path, a.convert("RGB"), b.convert("RGB"), seconds, grain)
        clip_paths.append(path)
    return slide_paths, clip_paths


def reencode_concat(slides: list[Path], clips: list[Path], out: Path) -> None:
    """The common approach: every hold and clip through ffmpeg's concat filter into libx264."""
    inputs: list[str] = []
    labels: list[str] = []
    filters: list[str] = []
    count = 0
    for index, slide in enumerate(slides):
        inputs += ["-loop", "1", "-framerate", str(FPS), "-t", str(HOLD_S), "-i", str(slide)]
        filters.append(f"[{count}:v]format=yuv420p,setsar=1[v{count}]")
        labels.append(f"[v{count}]")
        count += 1
        if index < len(clips):
            inputs += ["-i", str(clips[index])]
            filters.append(f"[{count}:v]format=yuv420p,setsar=1[v{count}]")
            labels.append(f"[v{count}]")
            count += 1
    graph = ";".join(filters) + ";" + "".join(labels) + f"concat=n={count}:v=1:a=0[out]"
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-v",
        "error",
        "-y",
        *inputs,
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        str(out),
    ]
    subprocess.run(command, check=True)


@contextmanager
def counting_opens() -> Iterator[Counter[str]]:
    """Count `av.open` calls per file name while the block runs."""
    opens: Counter[str] = Counter()
    real_open: Callable[..., Any] = av.open

    def counted(file: Any, *args: Any, **kwargs: Any) -> Any:
        opens[Path(str(file)).name] += 1
        return real_open(file, *args, **kwargs)

    av.open = counted
    try:
        yield opens
    finally:
        av.open = real_open


def copy_only(slides: list[Path], clips: list[Path], runs: int) -> None:
    """Time the stream copy alone: one warm-up, then `runs` timed runs (median per step)."""
    holds = [HOLD_S] * len(slides)
    times: list[float] = []
    steps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "copy.mp4"
        with counting_opens() as opens:
            stitch_deck(slides, clips, holds, out)
        for _ in range(runs):
            started = time.perf_counter()
            report = stitch_deck(slides, clips, holds, out)
            times.append(time.perf_counter() - started)
            for step, seconds in report.timings.items():
                steps.setdefault(step, []).append(seconds)
        length = probe(out).duration
    per_clip = sorted({opens[c.name] for c in clips})
    medians = ", ".join(
        f"{k} {statistics.median(v):.3f} s" for k, v in steps.items() if k != "total"
    )
    print(f"opens of each transition file per stitch: {per_clip}")
    print(
        f"stream copy (stitch_deck), {runs} runs after a warm-up: median "
        f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f}); "
        f"video {length:.3f} s"
    )
    print(f"  median per step: {medians}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slides", type=int, default=10)
    parser.add_argument("--clip-seconds", type=int, default=5)
    parser.add_argument("--height", type=int, default=1080)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "kling-bench-stitch"
    )
    parser.add_argument(
        "--grain", type=float, default=0.0, help="noise in the clips (e.g. 6: MB-sized clips)"
    )
    parser.add_argument("--copy-only", action="store_true", help="skip the re-encode")
    parser.add_argument("--runs", type=int, default=5, help="timed runs with --copy-only")
    args = parser.parse_args()
    size = (args.height * 16 // 9, args.height)
    grained = f"-grain{args.grain:g}" if args.grain else ""
    cache = args.cache / f"{args.slides}x{args.clip_seconds}s-{args.height}p{grained}"
    print(
        f"deck: {args.slides} slides, {args.slides - 1} clips of {args.clip_seconds} s at "
        f"{size[0]}x{size[1]} {FPS} fps, holds {HOLD_S:g} s (media cached in {cache})"
    )
    slides, clips = prepare(cache, args.slides, args.clip_seconds, size, args.grain)
    expected = args.slides * HOLD_S + sum(probe(c).duration for c in clips)
    if args.copy_only:
        copy_only(slides, clips, args.runs)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        copy_out = Path(tmp) / "copy.mp4"
        started = time.perf_counter()
        report = stitch_deck(slides, clips, [HOLD_S] * len(slides), copy_out)
        copy_s = time.perf_counter() - started

        encode_out = Path(tmp) / "reencode.mp4"
        started = time.perf_counter()
        reencode_concat(slides, clips, encode_out)
        encode_s = time.perf_counter() - started

        copy_len, encode_len = probe(copy_out).duration, probe(encode_out).duration

    steps = ", ".join(f"{k} {v:.2f} s" for k, v in report.timings.items() if k != "total")
    print(f"stream copy (stitch_deck):        {copy_s:7.2f} s   video {copy_len:.3f} s  ({steps})")
    print(f"re-encode (ffmpeg concat filter): {encode_s:7.2f} s   video {encode_len:.3f} s")
    print(f"expected video length:            {expected:.3f} s")
    print(f"ratio: stream copy is {encode_s / copy_s:.1f}x faster (goal >= 10x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
