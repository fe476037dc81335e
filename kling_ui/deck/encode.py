"""Encoding to a clip's stream parameters: slide holds (stills) and, rarely, a whole clip.

Holds and normalized clips use one set of x264 settings, so they share one SPS/PPS pair, which
the stitcher numbers apart from the clips' own (`sps_id`).

A hold is one keyframe of the slide followed by frames that repeat it. Encoding those repeats
costs x264 a full analysis per frame, yet their bitstream is the same for any picture: every
macroblock is "skipped" (copied from the previous frame with no change). So the repeats are
encoded once per stream shape from a flat picture, checked to really copy an arbitrary
picture untouched, and reused after each hold's own keyframe. A hold then costs about one
frame of encoding instead of one per frame of hold.
"""

from __future__ import annotations

import io
import logging
import os
import threading
from pathlib import Path

import av
from PIL import Image

from kling_ui.video import StreamParams, fit_image, probe

log = logging.getLogger("kling_ui.deck.encode")

CRF = "16"
PRESET = "superfast"
# A fixed GOP length keeps the SPS the same for holds of any length; the repeat frames come
# from one GOP, so a hold longer than this is encoded frame by frame instead.
KEYINT = 2400
_X264_PARAMS = f"keyint={KEYINT}:scenecut=0:rc-lookahead=0:mbtree=0"

# AVColorSpace values (libavutil/pixfmt.h) mapped to swscale's matrices (SWS_CS_*). Unspecified
# follows ffmpeg's own default (BT.601), which is also what a player assumes for it.
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

_repeats: dict[tuple[object, ...], list[bytes]] = {}
_repeats_lock = threading.Lock()


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
    picture = _to_stream_frame(image, params)
    repeats = _repeat_frames(params, sps_id, frames - 1) if frames > 1 else []
    with av.open(str(out), "w", format="mp4") as container:
        stream = _add_h264_stream(container, params, sps_id)
        if repeats is None:
            for index in range(frames):
                picture.pts = index
                container.mux(stream.encode(picture))
            container.mux(stream.encode(None))
            return
        picture.pts = 0
        container.mux([*stream.encode(picture), *stream.encode(None)])
        for index, payload in enumerate(repeats, start=1):
            packet = av.Packet(payload)
            packet.stream = stream
            packet.time_base = stream.codec_context.time_base
            packet.pts = packet.dts = index
            container.mux(packet)


def reencode_to(src: Path, params: StreamParams, out: Path, *, sps_id: int = 0) -> None:
    """Re-encode the video `src` to `params`' size, frame rate, pixel format and colours.

    Used only for a clip that cannot be stream-copied beside the others. Frames are resampled
    to the target rate by time (each output frame shows the latest source frame at its
    instant), so the duration is kept to within one frame.
    """
    info = probe(src)
    total = max(1, round(info.duration * params.fps))
    step = params.frame_duration
    with av.open(str(src)) as source, av.open(str(out), "w", format="mp4") as container:
        stream = _add_h264_stream(container, params, sps_id)
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
            fitted = fit_image(decoded.to_image(), (params.width, params.height))
            current = _to_stream_frame(fitted, params)
        while current is not None and emitted < total:
            current.pts = emitted
            container.mux(stream.encode(current))
            emitted += 1
        container.mux(stream.encode(None))


def _repeat_frames(params: StreamParams, sps_id: int, count: int) -> list[bytes] | None:
    """`count` encoded frames that each repeat the previous one, or None if unavailable."""
    if count >= KEYINT:
        return None
    key = (
        params.width,
        params.height,
        params.fps,
        params.pix_fmt,
        params.time_base,
        params.profile,
        params.level,
        params.colorspace,
        params.color_range,
        params.color_primaries,
        params.color_trc,
        sps_id,
    )
    with _repeats_lock:
        cached = _repeats.get(key)
        if cached is None or len(cached) < count:
            # Grow in steps, so holds of slowly rising length do not re-encode every time.
            wanted = min(KEYINT - 1, max(count, 2 * len(cached or []), 2 * int(params.fps)))
            cached = _encode_repeats(params, sps_id, wanted)
            _repeats[key] = cached
    return cached[:count] if cached else None


def _encode_repeats(params: StreamParams, sps_id: int, count: int) -> list[bytes]:
    """Encode a flat picture for 1 + `count` frames; keep the repeats if they copy exactly.

    Mid-grey is what intra prediction starts from, so the keyframe is exact and x264 codes
    every following frame as all-skip. That is checked by decoding the repeats after a
    keyframe of noise: each must come out identical to it. Empty when the check fails.
    """
    flat = av.VideoFrame(params.width, params.height, params.pix_fmt)
    for plane in flat.planes:
        plane.update(b"\x80" * plane.buffer_size)
    encoded, extradata = _encode_alone(params, sps_id, [flat] * (count + 1))
    repeats = encoded[1:]
    pixels = os.urandom(params.width * params.height * 3)
    noise = av.VideoFrame.from_image(
        Image.frombytes("RGB", (params.width, params.height), pixels)
    ).reformat(format=params.pix_fmt)
    keyframe, _ = _encode_alone(params, sps_id, [noise])
    if len(repeats) != count or not _repeats_copy(extradata, keyframe, repeats):
        log.warning("x264 did not code a still's repeats as skips: encoding holds in full")
        return []
    return repeats


def _encode_alone(
    params: StreamParams, sps_id: int, frames: list[av.VideoFrame]
) -> tuple[list[bytes], bytes]:
    """The raw encoder output for `frames` with the hold settings, and the encoder's SPS/PPS."""
    with av.open(io.BytesIO(), "w", format="mp4") as container:
        stream = _add_h264_stream(container, params, sps_id)
        packets: list[av.Packet] = []
        for index, frame in enumerate(frames):
            frame.pts = index
            packets += stream.encode(frame)
        packets += stream.encode(None)
        return [bytes(p) for p in packets], bytes(stream.codec_context.extradata or b"")


def _repeats_copy(extradata: bytes, keyframe: list[bytes], repeats: list[bytes]) -> bool:
    decoder = av.CodecContext.create("h264", "r")
    decoder.extradata = extradata
    pictures = []
    for payload in [*keyframe, *repeats]:
        pictures += decoder.decode(av.Packet(payload))
    pictures += decoder.decode(None)
    if len(pictures) != 1 + len(repeats):
        return False
    first = [bytes(plane) for plane in pictures[0].planes]
    return all([bytes(plane) for plane in picture.planes] == first for picture in pictures[1:])


def _add_h264_stream(
    container: av.container.OutputContainer, params: StreamParams, sps_id: int
) -> av.video.stream.VideoStream:
    stream = container.add_stream("libx264", rate=params.fps)
    stream.width = params.width
    stream.height = params.height
    stream.pix_fmt = params.pix_fmt
    stream.time_base = params.time_base
    options = {
        "preset": PRESET,
        "crf": CRF,
        "bf": "0",
        "x264-params": f"sps-id={sps_id}:{_X264_PARAMS}",
    }
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
