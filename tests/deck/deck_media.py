"""Media made on the spot for deck tests: slides, PDFs (plain, empty, encrypted), clips.

Clips are encoded like a Kling transition: H.264 High with B-frames, a cross-fade from one
slide to the next whose first frame is the first slide and last frame the next slide. Sizes
stay small (320x180, 1 s) so the suite is quick on a shared machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from pdf_samples import empty_pdf_bytes, encrypted_pdf_bytes
from PIL import Image, ImageDraw

SIZE = (320, 180)
FPS = 24

# Distinct, flat-ish slides: a background colour and a block whose position tells them apart.
PALETTE = [
    (235, 235, 240),
    (30, 60, 120),
    (200, 80, 40),
    (40, 150, 90),
    (120, 40, 140),
    (250, 210, 60),
    (20, 20, 20),
    (90, 190, 220),
]


def slide_image(index: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """Slide `index`: its own background colour and a white block placed by its number."""
    width, height = size
    image = Image.new("RGB", size, PALETTE[index % len(PALETTE)])
    draw = ImageDraw.Draw(image)
    left = width // 10 + (index % 5) * width // 8
    draw.rectangle((left, height // 4, left + width // 6, height * 3 // 4), fill=(255, 255, 255))
    return image


def encode_clip(
    path: Path,
    first: Image.Image,
    last: Image.Image,
    *,
    frames: int = FPS,
    fps: int = FPS,
    size: tuple[int, int] | None = None,
    profile: str = "high",
    preset: str = "veryfast",
    bframes: int = 3,
    x264_params: str = "",
) -> Path:
    """A cross-fade from `first` to `last` as an H.264 MP4 (first/last frame = the slides)."""
    size = size or first.size
    a = np.asarray(first.convert("RGB").resize(size), dtype=np.float32)
    b = np.asarray(last.convert("RGB").resize(size), dtype=np.float32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        options = {"preset": preset, "bf": str(bframes), "profile": profile, "crf": "18"}
        if x264_params:
            options["x264-params"] = x264_params
        stream.options = options
        for index in range(frames):
            t = index / (frames - 1) if frames > 1 else 1.0
            pixels = np.clip(a * (1 - t) + b * t, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_pdf(path: Path, images: Sequence[Image.Image]) -> Path:
    """A PDF with one page per image (72 dpi: a page is as many points as the image has px)."""
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, format="PDF", save_all=True, append_images=rest, resolution=72)
    return path


def write_empty_pdf(path: Path) -> Path:
    """A well-formed PDF whose page tree has no pages."""
    path.write_bytes(empty_pdf_bytes())
    return path


def write_encrypted_pdf(path: Path, user_password: str) -> Path:
    """A one-page PDF that opens only with `user_password` (RC4, revision 2)."""
    path.write_bytes(encrypted_pdf_bytes(user_password))
    return path


def packets(path: Path) -> list[av.Packet]:
    """The non-empty video packets of a file, in file order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [p for p in container.demux(stream) if p.size]


def decoded_frames(path: Path) -> list[np.ndarray]:
    """Every frame of the file's video, decoded to RGB arrays."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def mean_difference(a: np.ndarray | Image.Image, b: np.ndarray | Image.Image) -> float:
    """Mean absolute difference of two RGB images, 0..255."""
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())
