"""Stitch slide holds and transition clips into one MP4 without re-encoding the clips.

The video is hold(slide 1), T(1->2), hold(slide 2), ..., hold(slide N). Each hold is a still of
its slide encoded to the clips' own stream parameters; then every segment's packets are copied
into one H.264 track with rebased timestamps. Two details make that copy exact where a plain
`ffmpeg -f concat -c copy` is not:

* Parameter sets. MP4 keeps an H.264 stream's SPS/PPS in one avcC record, and the concat
  demuxer keeps only the first file's (or, with its default auto_convert, rewrites every
  keyframe to carry them in-band). Here the holds are encoded with their own SPS/PPS id, and
  the output's avcC lists the clips' sets and the holds' sets side by side, so every slice
  finds its own parameter sets and every clip packet is copied byte for byte. Only a clip whose
  sets clash with an earlier one under the same id gets them in-band on its first keyframe.
* Decode order. Clips with B-frames start decoding before they start showing; a still does
  not. Copied naively, the timestamps at each seam go backwards (ffmpeg warns "Non-monotonic
  DTS" and squeezes frames). Here every segment's decode times are shifted by the same delay,
  the largest any segment needs, which keeps them increasing across seams.

A clip whose size, frame rate or pixel format differs from the majority is re-encoded alone to
the majority's parameters. Only video is kept: Kling's first+last-frame clips are silent.

Every file is opened once: one pass checks its first frame decodes, reads its parameters and
scans its packets, which are held until they are copied (up to KEEP_IN_MEMORY_BYTES).
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
from PIL import Image, UnidentifiedImageError

from kling_ui.deck import errors
from kling_ui.deck.avc import (
    NAL_PPS,
    NAL_SPS,
    AvcConfig,
    AvcFormatError,
    ParamKey,
    iter_nals,
    length_prefixed,
    parse_avcc,
    pps_id,
    sps_id,
)
from kling_ui.deck.encode import encode_still, reencode_to
from kling_ui.video import NotAVideo, StreamParams, VideoReader, fit_image

log = logging.getLogger("kling_ui.deck.stitch")

SegmentKind = Literal["hold", "transition"]
# Each file is read once and its packets are held in memory until they are copied; beyond
# this many bytes of files, the rest are read a second time when copied instead.
KEEP_IN_MEMORY_BYTES = 128 * 2**20


@dataclass(frozen=True, slots=True)
class SegmentSpan:
    """Where one hold or transition sits in the stitched video."""

    kind: SegmentKind
    index: int
    start: float
    duration: float
    frames: int


@dataclass(frozen=True, slots=True)
class StitchReport:
    """What `stitch_deck` produced and how.

    `normalized` lists the transitions that had to be re-encoded to match the others;
    `inlined_parameter_sets` the transitions whose first keyframe got their SPS/PPS in-band
    (their slices are still copied unchanged). Both are empty for clips from one encoder.
    """

    out: Path
    duration: float
    frames: int
    params: StreamParams
    segments: tuple[SegmentSpan, ...]
    normalized: tuple[int, ...]
    inlined_parameter_sets: tuple[int, ...]
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class _Segment:
    """One MP4 file to copy into the output, with what the copy needs to know about it.

    `packets` holds the file's packets as read (None when they did not fit in memory: then
    the file is read again when copied); `reader` is the file, still open, when its stream is
    the model of the output's.
    """

    kind: SegmentKind
    index: int
    path: Path
    config: AvcConfig
    time_base: Fraction
    start: int
    first_dts: int
    end: int
    frames: int
    inband: list[tuple[ParamKey, bytes]]
    packets: list[av.Packet] | None
    starts_on_keyframe: bool = True
    reader: VideoReader | None = None


@dataclass(slots=True)
class _Budget:
    """Bytes of files whose packets may still be held in memory."""

    left: int

    def take(self, path: Path) -> bool:
        """Whether `path`'s packets may be kept (and if so, count them)."""
        size = path.stat().st_size
        if size > self.left:
            return False
        self.left -= size
        return True


def stitch_deck(
    slides: Sequence[Path], clips: Sequence[Path], holds: Sequence[float], out: Path
) -> StitchReport:
    """Write `out`: hold(slide 1), clip 1, hold(slide 2), ..., hold(slide N).

    `holds[i]` is slide i's hold in seconds, rounded to whole frames; 0 leaves the hold out.
    Slides are resized to the clips' size. Raises `UserError` (deck.bad_clip,
    deck.bad_image) for a clip or slide that cannot be read.
    """
    if len(slides) < 2 or len(clips) != len(slides) - 1 or len(holds) != len(slides):
        raise ValueError("need N >= 2 slides, N - 1 clips and N hold times")
    if any(not math.isfinite(h) or h < 0 for h in holds):
        raise ValueError("hold times must be finite and >= 0")
    out = Path(out)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    budget = _Budget(KEEP_IN_MEMORY_BYTES)

    with ExitStack() as held:
        # The first clip stays open to the end: its stream is the model of the output's, and
        # every packet held in memory is pointed at it, so that no packet keeps another file's
        # decoder (used to check that file's first frame) alive.
        first = held.enter_context(_open_clip(0, Path(clips[0])))
        anchor = first.stream
        read = [_read_clip(0, first, budget, anchor)]
        for index, clip in enumerate(clips[1:], start=1):
            with _open_clip(index, Path(clip)) as reader:
                read.append(_read_clip(index, reader, budget, anchor))
        if read[0][1] is not None:
            read[0][1].reader = first
        clip_params = [params for params, _ in read]
        ref = _reference(clip_params)
        copyable = [_copyable(p, ref) for p in clip_params]
        hold_sps_id = _free_id(p for p, ok in zip(clip_params, copyable, strict=True) if ok)
        timings["probe"] = time.perf_counter() - started

        out.parent.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.TemporaryDirectory(dir=out.parent, prefix=".stitch-") as tmp,
            ExitStack() as own,
        ):
            work = Path(tmp)
            mark = time.perf_counter()
            transitions: list[_Segment] = []
            normalized: list[int] = []
            for index, (clip, (_, segment)) in enumerate(zip(clips, read, strict=True)):
                if copyable[index] and segment is not None:
                    transitions.append(_checked(segment))
                    continue
                log.info("transition %d differs from the others: re-encoding it alone", index + 1)
                if segment is not None:
                    segment.packets = None  # never copied
                target = work / f"normalized-{index:03d}.mp4"
                reencode_to(Path(clip), ref, target, sps_id=hold_sps_id)
                keep_open = own if index == 0 else None
                transitions.append(
                    _read_own("transition", index, target, budget, anchor, keep_open)
                )
                normalized.append(index)
            timings["normalize"] = time.perf_counter() - mark

            mark = time.perf_counter()
            hold_files = [
                _encode_hold(i, Path(s), h, ref, work, hold_sps_id)
                for i, (s, h) in enumerate(zip(slides, holds, strict=True))
            ]
            timings["holds"] = time.perf_counter() - mark

            mark = time.perf_counter()
            segments: list[_Segment] = []
            for index, hold_file in enumerate(hold_files):
                if hold_file is not None:
                    segments.append(_read_own("hold", index, hold_file, budget, anchor, None))
                if index < len(transitions):
                    segments.append(transitions[index])
            partial = work / "stitched.mp4"
            spans, frames, inlined = _concat(segments, ref, partial)
            os.replace(partial, out)
            timings["mux"] = time.perf_counter() - mark

    timings["total"] = time.perf_counter() - started
    duration = sum(s.duration for s in spans)
    log.info("stitched %d segments into %s (%.2f s)", len(spans), out.name, duration)
    return StitchReport(
        out=out,
        duration=duration,
        frames=frames,
        params=ref,
        segments=tuple(spans),
        normalized=tuple(normalized),
        inlined_parameter_sets=tuple(inlined),
        timings=timings,
    )


def _open_clip(index: int, path: Path) -> VideoReader:
    """Open transition `index` (0-based), or refuse it naming the transition."""
    try:
        return VideoReader(path)
    except NotAVideo as exc:
        raise errors.bad_clip(index + 1, path.name) from exc


def _read_clip(
    index: int, reader: VideoReader, budget: _Budget, anchor: av.video.stream.VideoStream
) -> tuple[StreamParams, _Segment | None]:
    """Read an open transition once: check it decodes, read its parameters and its packets
    (the segment is None when the clip is not MP4 H.264 and so can only be re-encoded)."""
    try:
        segment = _read_segment("transition", index, reader, budget, anchor, check=True)
        return reader.params(), segment
    except (NotAVideo, AvcFormatError) as exc:
        raise errors.bad_clip(index + 1, reader.path.name) from exc


def _read_own(
    kind: SegmentKind,
    index: int,
    path: Path,
    budget: _Budget,
    anchor: av.video.stream.VideoStream,
    keep_open: ExitStack | None,
) -> _Segment:
    """Read a hold or a re-encoded clip (made here, so known to decode) once; with
    `keep_open`, the file stays open on the segment until that stack ends."""
    reader = VideoReader(path)
    try:
        segment = _read_segment(kind, index, reader, budget, anchor, check=False)
        if segment is None:
            raise errors.bad_clip(index + 1, path.name)
    except BaseException:
        reader.close()
        raise
    if keep_open is None:
        reader.close()
    else:
        segment.reader = keep_open.enter_context(reader)
    return _checked(segment)


def _checked(segment: _Segment) -> _Segment:
    """The segment, if it can be copied: it must start on a keyframe."""
    if not segment.starts_on_keyframe:
        raise errors.bad_clip(segment.index + 1, segment.path.name)
    return segment


def _reference(params: list[StreamParams]) -> StreamParams:
    """The parameters most clips share (the first such clip's), preferring H.264 clips."""
    h264 = [p for p in params if _is_mp4_h264(p)]
    pool = h264 or params
    counts = Counter(p.copy_key() for p in pool)
    best = max(counts.values())
    ref = next(p for p in pool if counts[p.copy_key()] == best)
    if not h264:
        # Nothing can be copied: everything is encoded to H.264 at the majority's size and rate.
        ref = replace(
            ref, codec="h264", pix_fmt="yuv420p", profile="High", level=None, extradata=b""
        )
    return ref


def _is_mp4_h264(params: StreamParams) -> bool:
    return params.codec == "h264" and _avcc_length_size(params.extradata) == 4


def _copyable(params: StreamParams, ref: StreamParams) -> bool:
    return _is_mp4_h264(params) and params.copy_key() == ref.copy_key()


def _free_id(params: Iterator[StreamParams]) -> int:
    """The smallest SPS/PPS id no copied clip uses, for the holds' own parameter sets."""
    used = {key[1] for p in params for key in parse_avcc(p.extradata).parameter_sets()}
    return next((i for i in range(32) if i not in used), 0)


def _encode_hold(
    index: int, slide: Path, seconds: float, ref: StreamParams, work: Path, sps: int
) -> Path | None:
    frames = round(Fraction(seconds) * ref.fps)
    if frames == 0:
        return None
    try:
        with Image.open(slide) as image:
            still = fit_image(image, (ref.width, ref.height))
    except (OSError, UnidentifiedImageError) as exc:
        raise errors.bad_image(slide.name) from exc
    target = work / f"hold-{index:03d}.mp4"
    encode_still(still, ref, frames, target, sps_id=sps)
    return target


def _read_segment(
    kind: SegmentKind,
    index: int,
    reader: VideoReader,
    budget: _Budget,
    anchor: av.video.stream.VideoStream,
    *,
    check: bool,
) -> _Segment | None:
    """Read a file's packets once: its time span, decode delay and in-band parameter sets,
    and the packets themselves while the memory budget allows (pointed at `anchor`, a stream
    open until they are copied). None when the stream is not MP4 H.264 (then there is
    nothing to scan: it can only be re-encoded)."""
    stream = reader.stream
    extradata = bytes(stream.codec_context.extradata or b"")
    h264 = stream.codec_context.name == "h264" and _avcc_length_size(extradata) == 4
    kept: list[av.Packet] | None = [] if h264 and budget.take(reader.path) else None
    time_base = Fraction(stream.time_base) if stream.time_base else Fraction(0)
    fallback = _frame_ticks(stream, time_base) if h264 else 1
    start = first_dts = end = None
    frames = 0
    keyframe_first = True
    inband: list[tuple[ParamKey, bytes]] = []
    for packet in reader.packets(check=check):
        if not h264 or packet.pts is None:
            continue
        dts = packet.dts if packet.dts is not None else packet.pts
        if frames == 0:
            keyframe_first = bool(packet.is_keyframe)
        first_dts = dts if first_dts is None else first_dts
        start = packet.pts if start is None else min(start, packet.pts)
        stop = packet.pts + (packet.duration or fallback)
        end = stop if end is None else max(end, stop)
        frames += 1
        inband.extend(_inband_sets(bytes(packet)))
        if kept is not None:
            packet.stream = anchor
            kept.append(packet)
    if not h264:
        return None
    if start is None or first_dts is None or end is None:
        raise errors.bad_clip(index + 1, reader.path.name)
    return _Segment(
        kind,
        index,
        reader.path,
        parse_avcc(extradata),
        time_base,
        start,
        first_dts,
        end,
        frames,
        inband,
        kept,
        keyframe_first,
    )


def _avcc_length_size(extradata: bytes) -> int | None:
    """The NAL length size of an avcC record, None when the bytes are not one."""
    try:
        config = parse_avcc(extradata)
        config.parameter_sets()
    except AvcFormatError:
        return None
    return config.length_size


def _frame_ticks(stream: av.video.stream.VideoStream, time_base: Fraction) -> int:
    rate = stream.average_rate or stream.guessed_rate or 24
    return max(1, round(1 / (Fraction(rate) * time_base)))


def _inband_sets(payload: bytes) -> Iterator[tuple[ParamKey, bytes]]:
    for nal in iter_nals(payload):
        kind = nal[0] & 0x1F
        if kind == NAL_SPS:
            yield ("sps", sps_id(nal)), nal
        elif kind == NAL_PPS:
            yield ("pps", pps_id(nal)), nal


def _concat(
    segments: list[_Segment], ref: StreamParams, out: Path
) -> tuple[list[SegmentSpan], int, list[int]]:
    """Copy every segment's packets into `out`, one after the other."""
    out_tb = ref.time_base
    header, needs_inband = _merge_parameter_sets(segments)

    def ticks(value: int, segment: _Segment) -> int:
        return round(value * segment.time_base / out_tb)

    # Decode delay: how long before its first shown frame a segment starts decoding.
    delays = [max(0, ticks(s.start - s.first_dts, s)) for s in segments]
    shift = max(delays)
    spans: list[SegmentSpan] = []
    inlined: list[int] = []
    offset = 0
    last_dts: int | None = None
    total_frames = 0
    template = next(s for s in segments if s.kind == "transition").reader
    assert template is not None, "the first transition's file is held open as the model"
    with av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream_from_template(template.stream)
        stream.time_base = out_tb
        stream.codec_context.extradata = header.to_bytes()
        for segment, delay, prefix in zip(segments, delays, needs_inband, strict=True):
            if prefix and segment.kind == "transition":
                inlined.append(segment.index)
            first_packet = True
            for packet in _packets_of(segment):
                if packet.pts is None:
                    continue
                dts = packet.dts if packet.dts is not None else packet.pts
                pts_out = offset + ticks(packet.pts - segment.start, segment)
                dts_out = offset + ticks(dts - segment.start, segment) - (shift - delay)
                if last_dts is not None and dts_out <= last_dts:
                    dts_out = last_dts + 1
                dts_out = min(dts_out, pts_out)
                duration = ticks(packet.duration, segment) if packet.duration else None
                if first_packet and prefix:
                    packet = _with_prefix(packet, prefix)
                first_packet = False
                packet.stream = stream
                packet.time_base = out_tb
                packet.pts, packet.dts = pts_out, dts_out
                if duration:
                    packet.duration = duration
                container.mux(packet)
                last_dts = dts_out
            segment.packets = None  # copied: let the memory go
            length = ticks(segment.end - segment.start, segment)
            spans.append(
                SegmentSpan(
                    kind=segment.kind,
                    index=segment.index,
                    start=float(offset * out_tb),
                    duration=float(length * out_tb),
                    frames=segment.frames,
                )
            )
            total_frames += segment.frames
            offset += length
    return spans, total_frames, inlined


def _packets_of(segment: _Segment) -> Iterator[av.Packet]:
    """The segment's packets: those held in memory, else read again from its file."""
    if segment.packets is not None:
        yield from segment.packets
        return
    with VideoReader(segment.path) as reader:
        yield from reader.packets(check=False)


def _with_prefix(packet: av.Packet, prefix: bytes) -> av.Packet:
    fresh = av.Packet(prefix + bytes(packet))
    fresh.is_keyframe = True
    return fresh


def _merge_parameter_sets(segments: list[_Segment]) -> tuple[AvcConfig, list[bytes]]:
    """One avcC for the whole track, and for each segment the NAL units it must carry in-band.

    Models what a decoder holds: it starts with the avcC's sets; a segment whose sets differ
    from those held under the same ids carries its own on its first keyframe.
    """
    base = next(s for s in segments if s.kind == "transition").config
    held: dict[ParamKey, bytes] = {}
    for segment in segments:
        for key, nal in segment.config.parameter_sets().items():
            held.setdefault(key, nal)
    header = AvcConfig(
        profile=base.profile,
        compatibility=base.compatibility,
        level=max(s.config.level for s in segments),
        length_size=4,
        sps=tuple(nal for key, nal in sorted(held.items()) if key[0] == "sps"),
        pps=tuple(nal for key, nal in sorted(held.items()) if key[0] == "pps"),
        trailer=base.trailer,
    )
    active = dict(held)
    prefixes: list[bytes] = []
    for segment in segments:
        wanted = segment.config.parameter_sets()
        if any(active.get(key) != nal for key, nal in wanted.items()):
            ordered = sorted(wanted.items(), key=lambda item: (item[0][0] != "sps", item[0][1]))
            prefixes.append(length_prefixed([nal for _, nal in ordered]))
            active.update(wanted)
        else:
            prefixes.append(b"")
        active.update(dict(segment.inband))
    return header, prefixes
