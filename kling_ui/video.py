"""Facts about video files: probing what a file holds and whether it plays.

PyAV and Pillow are imported when a file is first read, not with this module: the engine and
the command line import it for its names, and most commands never touch a video.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import av
    import av.container
    import av.video.stream
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


class VideoReader:
    """A video file opened once: its first video stream's parameters and its packets, read in
    one pass (a context manager; `close` ends it).

    `packets()` yields the stream's packets in decode order and, on the way, decodes until the
    first frame comes out; after that `info()` and `params()` describe the stream. Raises
    `NotAVideo` for a missing, empty or unreadable file, one without a video stream, and one
    whose packets never give a frame.
    """

    def __init__(self, path: str | Path) -> None:
        import av

        self.path = Path(path)
        if not self.path.is_file() or self.path.stat().st_size == 0:
            raise NotAVideo(f"{self.path.name}: no such file or empty")
        try:
            self._container: av.container.InputContainer = av.open(str(self.path))
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise NotAVideo(f"{self.path.name}: {exc.__class__.__name__}") from exc
        if not self._container.streams.video:
            self._container.close()
            raise NotAVideo(f"{self.path.name}: no video stream")
        self.stream: av.video.stream.VideoStream = self._container.streams.video[0]
        ctx = self.stream.codec_context
        # What a stream copy must match is read from the header, before any decoding can
        # update the context from the bitstream (as a fresh open would read it).
        self._header = (
            ctx.profile or None,
            ctx.level if ctx.level and ctx.level > 0 else None,
            int(ctx.colorspace),
            int(ctx.color_range),
            int(ctx.color_primaries),
            int(ctx.color_trc),
            bytes(ctx.extradata or b""),
        )
        self._info: VideoInfo | None = None

    def packets(self, *, check: bool = True) -> Iterator[av.Packet]:
        """Every non-empty packet of the stream in decode order, from where reading stands.
        With `check`, packets are decoded until the first frame comes out (NotAVideo if none
        ever does)."""
        import av

        decoder = self.stream.codec_context
        try:
            # demux ends with an empty packet, which flushes a decoder still holding frames.
            for packet in self._container.demux(self.stream):
                if check and self._info is None and decoder.decode(packet):
                    self._info = self._read_info()
                    decoder.flush_buffers()  # done decoding: drop the frames it holds
                if packet.size:
                    yield packet
        except (av.error.FFmpegError, ValueError, OSError) as exc:
            raise NotAVideo(f"{self.path.name}: {exc.__class__.__name__}") from exc
        if check and self._info is None:
            raise NotAVideo(f"{self.path.name}: no decodable frame")

    def info(self) -> VideoInfo:
        """The stream's parameters. Free once `packets()` has run; before, it reads packets up
        to the first decoded frame (and `packets()` then goes on after them)."""
        if self._info is None:
            for _ in self.packets():
                if self._info is not None:
                    break
        assert self._info is not None
        return self._info

    def params(self) -> StreamParams:
        """Everything a stream copy must agree on (see `info` for what it reads)."""
        info = self.info()
        profile, level, colorspace, color_range, primaries, trc, extradata = self._header
        return StreamParams(
            codec=info.codec,
            width=info.width,
            height=info.height,
            fps=info.fps,
            pix_fmt=info.pix_fmt,
            time_base=info.time_base,
            profile=profile,
            level=level,
            colorspace=colorspace,
            color_range=color_range,
            color_primaries=primaries,
            color_trc=trc,
            extradata=extradata,
        )

    def close(self) -> None:
        """Close the file."""
        self._container.close()

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_info(self) -> VideoInfo:
        import av

        stream, container = self.stream, self._container
        fps = stream.average_rate or stream.guessed_rate or Fraction(0)
        time_base = stream.time_base or Fraction(0)
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        frames = stream.frames or (round(duration * fps) if fps else 0)
        ctx = stream.codec_context
        return VideoInfo(
            codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            fps=Fraction(fps),
            pix_fmt=ctx.pix_fmt or "",
            time_base=Fraction(time_base),
            frames=int(frames),
            duration=duration,
        )


def probe(path: str | Path) -> VideoInfo:
    """Open `path`, decode its first frame, and return the first video stream's parameters.

    Raises `NotAVideo` when the file cannot be opened or has no decodable video frame, so a
    half-downloaded or HTML "video" is caught before anyone tries to play it.
    """
    with VideoReader(path) as reader:
        return reader.info()


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
    with VideoReader(path) as reader:
        return reader.params()


def fit_image(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` as RGB at exactly `size`: resized, letterboxed in black if the aspect differs."""
    from PIL import Image

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
