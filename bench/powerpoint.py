"""PowerPoint bench: time to turn a 20-slide .pptx into 1920x1080 deck slides.

The deck is made here with python-pptx (16:9; per slide a title, a bullet text box, a 5-bar
chart of rectangles with labels, and speaker notes). Each run is what the Deck tab and the
CLI do with an upload: `kling_ui.deck.load_slides`, which reads the notes with python-pptx,
renders the file to PDF with headless LibreOffice (a fresh private profile each time) and
draws every PDF page to a 1920x1080 PNG with PDFium. The LibreOffice part is also timed
alone (`presentation_to_pdf`), as is writing the PowerPoint back with the 19 transitions
inside (`write_pptx`, small 1 s clips so the clip size does not dominate).

    python bench/powerpoint.py [--runs 3] [--slides 20]

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Pt

from kling_ui.deck import SlideSource, load_slides, write_pptx
from kling_ui.deck.office import find_soffice, presentation_to_pdf

WIDE = (12_192_000, 6_858_000)


def make_deck(path: Path, count: int) -> Path:
    """A 16:9 presentation of `count` slides: title, bullets, a bar chart, notes."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Emu(WIDE[0]), Emu(WIDE[1])
    width, height = WIDE
    for index in range(count):
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        title = slide.shapes.title
        if title is not None:
            title.text = f"Quarter {index % 4 + 1}: results and outlook ({index + 1})"
        box = slide.shapes.add_textbox(width // 20, height // 4, width * 4 // 10, height // 2)
        for line in range(5):
            paragraph = box.text_frame.add_paragraph()
            paragraph.text = f"Point {line + 1}: revenue grew in region {line + 1}"
            paragraph.font.size = Pt(20)
        for bar in range(5):
            tall = height * (2 + (index + bar * 3) % 6) // 12
            left = width // 2 + bar * width // 11
            shape = slide.shapes.add_shape(
                MSO_SHAPE.RECTANGLE, left, height * 9 // 10 - tall, width // 14, tall
            )
            shape.fill.solid()
            shape.fill.fore_color.rgb = RGBColor(40 + 40 * bar, 90, 200 - 30 * bar)
            shape.text_frame.text = f"{20 + 7 * bar}%"
        slide.notes_slide.notes_text_frame.text = f"Slide {index + 1}: zoom into the chart."
    presentation.save(str(path))
    return path


def small_clip(path: Path, first: Path, last: Path) -> Path:
    """A 1 s cross-fade at 320x180 between two slide PNGs (H.264)."""
    a = np.asarray(Image.open(first).convert("RGB").resize((320, 180)), dtype=np.float32)
    b = np.asarray(Image.open(last).convert("RGB").resize((320, 180)), dtype=np.float32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(24):
            mix = (a * (1 - index / 23) + b * index / 23).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(mix, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def timed(runs: int, work: Callable[[int], object]) -> list[float]:
    """Wall times of `runs` calls of `work(run_number)`."""
    times = []
    for run in range(runs):
        start = time.perf_counter()
        work(run)
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float]) -> str:
    """'label: median (min-max) s'."""
    return (
        f"{label}: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} runs)"
    )


def main() -> None:
    """Make the deck, time the three steps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slides", type=int, default=20)
    args = parser.parse_args()
    soffice = find_soffice()
    if soffice is None:
        sys.exit(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-impress-nogui"
        )
    with tempfile.TemporaryDirectory(prefix="bench-pptx-") as scratch:
        folder = Path(scratch)
        deck = make_deck(folder / "talk.pptx", args.slides)
        print(f"deck: {args.slides} slides, {deck.stat().st_size / 1000:.0f} kB; {soffice}")
        convert = timed(args.runs, lambda run: presentation_to_pdf(deck, folder / f"pdf-{run}"))
        slides: list = []

        def render(run: int) -> None:
            slides[:] = load_slides([deck], target=(1920, 1080), workdir=folder / f"w-{run}")

        whole = timed(args.runs, render)
        assert len(slides) == args.slides and all(s.notes for s in slides)
        with Image.open(slides[0].path) as first:
            size = first.size
        clips = [
            small_clip(folder / f"clip-{i}.mp4", a.path, b.path)
            for i, (a, b) in enumerate(itertools.pairwise(slides))
        ]
        sources = [SlideSource(s.path, s.notes, s.origin) for s in slides]
        write = timed(
            args.runs,
            lambda run: write_pptx(folder / f"out-{run}.pptx", sources, clips, source=deck),
        )
        print(line("LibreOffice .pptx -> PDF alone", convert))
        print(line(f"load_slides (notes + LibreOffice + {size[0]}x{size[1]} PNGs)", whole))
        print(line(f"write_pptx ({2 * args.slides - 1} slides, originals kept)", write))
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
