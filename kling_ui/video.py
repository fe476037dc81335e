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


# --- Matching a clip's stream: read its parameters, encode stills and re-encode to them --------

# x264 settings shared by holds and normalized clips. Both use the same settings, so they share
# one SPS/PPS pair; a still needs no lookahead, no B-frames and no scene cuts.
HOLD_CRF = "16"
HOLD_PRESET = "superfast"
# A fixed GOP length, so holds of any length (and normalized clips) get identical SPS/PPS.
_X264_PARAMS = "keyint=600:scenecut=0:rc-lookahead=0:mbtree=0"

# AVColorSpace values (libavutil/pixfmt.h) mapped to swscale's matrices (SWS_CS_*). Unspecified
# follows ffmpeg's own default (BT.601), which is what a player assumes for an untagged stream.
_SWS_MATRIX = {1: "itu709", 4: "fcc", 5: "itu601", 6: "smpte170m", 7: "smpte240m", 9: "bt2020"}
_X264_PROFILES = {
    "baseline": "baseline",
    "constrained baseline": "baseline",
    "main": "main",
    "extended": "main",
    "high": "high",
    "high 10": "high10",
    "high 4:2:2": "high422",
    "high 4:4:4 predictive": "high444",
}
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


def encode_still(
    image: Image.Image, params: StreamParams, frames: int, out: Path, *, sps_id: int = 0
) -> None:
    """Write `frames` frames of `image` as an H.264 MP4 matching `params`.

    The image must already be `params`' size. Colours are converted with the clip's matrix and
    range and tagged the same way, so a player shows the still and the clip identically.
    `sps_id` numbers the SPS/PPS, letting them sit beside the clip's in one avcC record.
    """
    if image.size != (params.width, params.height):
        raise ValueError(f"still is {image.size}, stream is {params.width}x{params.height}")
    if frames < 1:
        raise ValueError("a still needs at least one frame")
    x264 = f"sps-id={sps_id}:{_X264_PARAMS}"
    with av.open(str(out), "w", format="mp4") as container:
        stream = _add_h264_stream(container, params, x264)
        frame = _to_stream_frame(image, params)
        for index in range(frames):
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def reencode_to(src: Path, params: StreamParams, out: Path, *, sps_id: int = 0) -> None:
    """Re-encode the video `src` to `params`' size, frame rate, pixel format and colours.

    Used only for a clip that cannot be stream-copied beside the others. Frames are resampled
    to the target rate by time (each output frame shows the latest source frame at its
    instant), so the duration is kept to within one frame.
    """
    info = probe(src)
    total = max(1, round(info.duration * params.fps))
    step = params.frame_duration
    x264 = f"sps-id={sps_id}:{_X264_PARAMS}"
    with av.open(str(src)) as source, av.open(str(out), "w", format="mp4") as container:
        stream = _add_h264_stream(container, params, x264)
        start: float | None = None
        emitted = 0
        current = None
        for decoded in source.decode(video=0):
            time = decoded.time if decoded.time is not None else 0.0
            start = time if start is None else start
            while current is not None and emitted < total and emitted * step < time - start:
                current.pts = emitted
                container.mux(stream.encode(current))
                emitted += 1
            current = _to_stream_frame(
                fit_image(decoded.to_image(), (params.width, params.height)), params
            )
        while current is not None and emitted < total:
            current.pts = emitted
            container.mux(stream.encode(current))
            emitted += 1
        container.mux(stream.encode(None))


def _add_h264_stream(
    container: av.container.OutputContainer, params: StreamParams, x264: str
) -> av.video.stream.VideoStream:
    stream = container.add_stream("libx264", rate=params.fps)
    stream.width = params.width
    stream.height = params.height
    stream.pix_fmt = params.pix_fmt
    stream.time_base = params.time_base
    options = {"preset": HOLD_PRESET, "crf": HOLD_CRF, "bf": "0", "x264-params": x264}
    profile = _X264_PROFILES.get((params.profile or "").lower())
    if profile:
        options["profile"] = profile
    if params.level:
        options["level"] = (
            "1b" if params.level == 9 else f"{params.level // 10}.{params.level % 10}"
        )
    stream.options = options
    ctx = stream.codec_context
    ctx.colorspace = params.colorspace
    ctx.color_range = params.color_range
    ctx.color_primaries = params.color_primaries
    ctx.color_trc = params.color_trc
    return stream


def _to_stream_frame(image: Image.Image, params: StreamParams) -> av.VideoFrame:
    frame = av.VideoFrame.from_image(image.convert("RGB"))
    return frame.reformat(
        format=params.pix_fmt,
        dst_colorspace=_SWS_MATRIX.get(params.colorspace, "itu601"),
        dst_color_range=2 if params.color_range == 2 or params.pix_fmt.startswith("yuvj") else 1,
    )
