"""Facts about video files: probing what a file holds and whether it plays."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """The stream parameters of a file's first video stream."""

    codec: str
    width: int
    height: int
    fps: Fraction
    pix_fmt: str
    time_base: Fraction
    frames: int
    duration: float


class NotAVideo(ValueError):
    """The file is missing, empty, or holds no decodable video stream."""


def probe(path: str | Path) -> VideoInfo:
    """Open `path`, decode its first frame, and return the first video stream's parameters.

    Raises `NotAVideo` when the file cannot be opened or has no decodable video frame, so a
    half-downloaded or HTML "video" is caught before anyone tries to play it.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise NotAVideo(f"{path.name}: no such file or empty")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise NotAVideo(f"{path.name}: no video stream")
            stream = container.streams.video[0]
            first = next(container.decode(stream), None)
            if first is None:
                raise NotAVideo(f"{path.name}: no decodable frame")
            fps = stream.average_rate or stream.guessed_rate or Fraction(0)
            time_base = stream.time_base or Fraction(0)
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / av.time_base
            else:
                duration = 0.0
            frames = stream.frames or (round(duration * fps) if fps else 0)
            return VideoInfo(
                codec=stream.codec_context.name,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=Fraction(fps),
                pix_fmt=stream.codec_context.pix_fmt or "",
                time_base=Fraction(time_base),
                frames=int(frames),
                duration=duration,
            )
    except NotAVideo:
        raise
    except (av.error.FFmpegError, StopIteration, ValueError, OSError) as exc:
        raise NotAVideo(f"{path.name}: {exc.__class__.__name__}") from exc


# --- What a stream copy must match --------------------------------------------------------

# Differences in aspect ratio below this are stretched away, as an encoder rounding its output
# size does; larger ones are letterboxed so nothing is distorted.
_ASPECT_TOLERANCE = 0.01


@dataclass(frozen=True, slots=True)
class StreamParams:
    """Everything a stream copy must agree on, and what an encoder needs to match a clip."""

    codec: str
    width: int
    height: int
    fps: Fraction
    pix_fmt: str
    time_base: Fraction
    profile: str | None
    level: int | None
    colorspace: int
    color_range: int
    color_primaries: int
    color_trc: int
    extradata: bytes

    def copy_key(self) -> tuple[str, int, int, Fraction, str]:
        """The parameters two clips must share to follow each other in one stream copy."""
        return (self.codec, self.width, self.height, self.fps, self.pix_fmt)

    @property
    def frame_duration(self) -> Fraction:
        """One frame's duration in seconds."""
        return 1 / self.fps


def stream_params(path: str | Path) -> StreamParams:
    """The first video stream's parameters, after checking it decodes (see `probe`)."""
    info = probe(path)
    try:
        with av.open(str(path)) as container:
            ctx = container.streams.video[0].codec_context
            return StreamParams(
                codec=info.codec,
                width=info.width,
                height=info.height,
                fps=info.fps,
                pix_fmt=info.pix_fmt,
                time_base=info.time_base,
                profile=ctx.profile or None,
                level=ctx.level if ctx.level and ctx.level > 0 else None,
                colorspace=int(ctx.colorspace),
                color_range=int(ctx.color_range),
                color_primaries=int(ctx.color_primaries),
                color_trc=int(ctx.color_trc),
                extradata=bytes(ctx.extradata or b""),
            )
    except (av.error.FFmpegError, OSError) as exc:
        raise NotAVideo(f"{Path(path).name}: {exc.__class__.__name__}") from exc


def fit_image(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` as RGB at exactly `size`: resized, letterboxed in black if the aspect differs."""
    image = image.convert("RGB")
    if image.size == size:
        return image
    width, height = size
    src_aspect = image.width / image.height
    if abs(src_aspect / (width / height) - 1) <= _ASPECT_TOLERANCE:
        return image.resize(size, Image.Resampling.LANCZOS)
    scale = min(width / image.width, height / image.height)
    inner = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(
        image.resize(inner, Image.Resampling.LANCZOS),
        ((width - inner[0]) // 2, (height - inner[1]) // 2),
    )
    return canvas
