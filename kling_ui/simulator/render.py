"""The simulated video: a real H.264 MP4 of the transition between the frames it received.

A cross-fade from the first to the last frame while the outgoing frame pushes in gently and the
incoming one settles from slightly enlarged to exactly its own framing, so the first frame looks
like the first image and the last frame like the last image (a deck can cut to the slide
without a jump). A single image gets an eased push-in. A small "SIMULATED" badge sits in the
top-right corner.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps

BADGE_TEXT = "SIMULATED"
PUSH_IN = 0.06  # the largest extra scale of the push-in (6 %)
FADE_START, FADE_END = 0.15, 0.85  # the cross-fade runs over this share of the clip


class RenderCancelled(Exception):
    """Rendering stopped because the simulator is shutting down."""


@dataclass(frozen=True, slots=True)
class RenderJob:
    """What to render: the frames' bytes, the frame rate, length, height and output path."""

    first: bytes
    last: bytes | None
    fps: int
    seconds: int
    height: int
    output: Path


@dataclass(frozen=True, slots=True)
class RenderedVideo:
    """A finished file and its stream facts."""

    path: Path
    width: int
    height: int
    fps: int
    frames: int

    @property
    def duration_label(self) -> str:
        """The length as Kling reports it: a string with one decimal, rounded up ("5.1")."""
        return f"{math.ceil(self.frames / self.fps * 10 - 1e-9) / 10:.1f}"


def output_size(source_width: int, source_height: int, height: int) -> tuple[int, int]:
    """The video size: the given height and the source's aspect, both even (for yuv420p)."""
    even_height = max(2, height - height % 2)
    width = round(source_width / source_height * even_height / 2) * 2
    return max(2, width), even_height


def frame_count(fps: int, seconds: int) -> int:
    """Frames in a clip: one per tick plus the closing frame, as Kling's clips run a hair long."""
    return fps * seconds + 1


class RenderedClips:
    """The clips this process has encoded lately, by what they were made from, so asking twice
    for the same frames, length and height encodes once (the clip is the same to the byte).
    Bounded by total size; the least recently used clip goes first."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._clips: OrderedDict[str, tuple[bytes, RenderedVideo]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @staticmethod
    def key(job: RenderJob) -> str:
        """What makes a clip: both frames' bytes, frame rate, length and height."""
        digest = hashlib.sha256(job.first)
        digest.update(b"\0" + (job.last if job.last is not None else b"-"))
        return f"{digest.hexdigest()}/{job.fps}/{job.seconds}/{job.height}"

    def get(self, key: str) -> tuple[bytes, RenderedVideo] | None:
        """The clip made from `key`, if it is still kept."""
        with self._lock:
            found = self._clips.get(key)
            if found is not None:
                self._clips.move_to_end(key)
            return found

    def put(self, key: str, data: bytes, video: RenderedVideo) -> None:
        """Keep a clip, dropping the least recently used ones beyond `max_bytes`."""
        if len(data) > self.max_bytes:
            return
        with self._lock:
            if key in self._clips:
                return
            self._clips[key] = (data, video)
            self._size += len(data)
            while self._size > self.max_bytes:
                _, (dropped, _) = self._clips.popitem(last=False)
                self._size -= len(dropped)


CLIPS = RenderedClips()


def render(job: RenderJob, cancel: threading.Event | None = None) -> RenderedVideo:
    """Write the clip to `job.output` (a side file, renamed when complete), encoding it unless
    the same frames, length and height were encoded lately (`CLIPS`)."""
    key = RenderedClips.key(job)
    kept = CLIPS.get(key)
    if kept is not None:
        data, video = kept
        _write_whole(job.output, data)
        return RenderedVideo(job.output, video.width, video.height, video.fps, video.frames)
    video = _render(job, cancel)
    CLIPS.put(key, video.path.read_bytes(), video)
    return video


def _write_whole(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


def _render(job: RenderJob, cancel: threading.Event | None) -> RenderedVideo:
    first = _open_rgb(job.first)
    size = output_size(first.width, first.height, job.height)
    first = _cover(first, size)
    last = _cover(_open_rgb(job.last), size) if job.last is not None else None
    badge = _badge(size[1])
    badge_at = (size[0] - badge.width - _margin(size[1]), _margin(size[1]))
    frames = frame_count(job.fps, job.seconds)
    job.output.parent.mkdir(parents=True, exist_ok=True)
    partial = job.output.with_name(f".{job.output.name}.{os.getpid()}.part")
    try:
        _encode(
            partial,
            _frames(first, last, frames, badge, badge_at),
            size,
            job.fps,
            cancel,
        )
        partial.replace(job.output)
    finally:
        partial.unlink(missing_ok=True)
    return RenderedVideo(job.output, size[0], size[1], job.fps, frames)


def _encode(
    path: Path,
    frames: Iterator[Image.Image],
    size: tuple[int, int],
    fps: int,
    cancel: threading.Event | None,
) -> None:
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as out:
        stream = out.add_stream(
            "libx264", rate=fps, options={"preset": "veryfast", "crf": "23", "profile": "high"}
        )
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        time_base = Fraction(1, fps)
        for index, image in enumerate(frames):
            if cancel is not None and cancel.is_set():
                raise RenderCancelled(path.name)
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            frame.time_base = time_base
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _frames(
    first: Image.Image,
    last: Image.Image | None,
    count: int,
    badge: Image.Image,
    badge_at: tuple[int, int],
) -> Iterator[Image.Image]:
    for index in range(count):
        t = index / (count - 1)
        if last is None:
            image = _zoomed(first, 1 + PUSH_IN * _smoothstep(t))
        else:
            alpha = _smoothstep((t - FADE_START) / (FADE_END - FADE_START))
            eased = _smoothstep(t)
            if alpha <= 0.0:
                image = _zoomed(first, 1 + PUSH_IN * eased)
            elif alpha >= 1.0:
                image = _zoomed(last, 1 + PUSH_IN * (1 - eased))
            else:
                image = Image.blend(
                    _zoomed(first, 1 + PUSH_IN * eased),
                    _zoomed(last, 1 + PUSH_IN * (1 - eased)),
                    alpha,
                )
        if image is first or image is last:
            image = image.copy()
        image.paste(badge, badge_at, badge)
        yield image


def _smoothstep(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def _zoomed(image: Image.Image, scale: float) -> Image.Image:
    """`image` scaled by `scale` about its centre, cropped back to its own size."""
    if scale <= 1.0005:
        return image
    width, height = image.size
    crop_w, crop_h = width / scale, height / scale
    left, top = (width - crop_w) / 2, (height - crop_h) / 2
    box = (left, top, left + crop_w, top + crop_h)
    return image.resize(image.size, Image.Resampling.BILINEAR, box=box)


def _open_rgb(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        upright = ImageOps.exif_transpose(img)
        if upright.mode in ("RGBA", "LA", "P"):
            rgba = upright.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
            return flat
        return upright.convert("RGB")


def _cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Scale to fill `size` and crop the centre (the last frame may differ in aspect)."""
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)


def _margin(height: int) -> int:
    return max(3, round(height * 0.025))


def _badge(frame_height: int) -> Image.Image:
    """A small translucent dark pill with white text, sized to the frame."""
    font_size = max(9, round(frame_height * 0.032))
    font = ImageFont.load_default(size=font_size)
    left, top, right, bottom = font.getbbox(BADGE_TEXT)
    pad_x, pad_y = max(3, font_size // 2), max(2, font_size // 4)
    width, height = right - left + 2 * pad_x, bottom - top + 2 * pad_y
    badge = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    draw.rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=height // 2, fill=(20, 20, 20, 170)
    )
    draw.text((pad_x - left, pad_y - top), BADGE_TEXT, font=font, fill=(255, 255, 255, 235))
    return badge
