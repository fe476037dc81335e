"""stitch_deck: holds and transitions in one MP4, the transitions copied, never re-encoded."""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import imageio_ffmpeg
import pytest
from deck_media import (
    FPS,
    SIZE,
    decoded_frames,
    encode_clip,
    mean_difference,
    packets,
    slide_image,
    write_pdf,
)
from PIL import Image

from kling_ui.deck import load_slides, stitch, stitch_deck
from kling_ui.deck.avc import iter_nals, parse_avcc
from kling_ui.i18n import UserError
from kling_ui.video import probe

FRAME = 1 / FPS
# Encoded slides are compared with the PNGs they came from; H.264 at CRF 16-18 keeps flat
# slides within a few levels, while two different slides differ by tens.
SAME_PICTURE = 6.0

Slides = Callable[[int], list[Path]]
Clips = Callable[..., list[Path]]


def _ffmpeg_errors(path: Path) -> str:
    """What ffmpeg's decoder complains about when decoding the whole file."""
    result = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stderr.strip()


def _payloads(path: Path) -> list[bytes]:
    return [bytes(p) for p in packets(path)]


def _segment_payloads(out: Path, report_start_frame: int, count: int) -> list[bytes]:
    return _payloads(out)[report_start_frame : report_start_frame + count]


def _start_frame(report, kind: str, index: int) -> int:  # type: ignore[no-untyped-def]
    """Index of the segment's first packet in the output (segments are stored in order)."""
    frame = 0
    for span in report.segments:
        if (span.kind, span.index) == (kind, index):
            return frame
        frame += span.frames
    raise AssertionError(f"no {kind} {index} in the report")


def test_duration_is_the_holds_plus_the_transitions_within_one_frame(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    holds = [2.0, 1.5, 0.5, 1.0]
    report = stitch_deck(slides, clips, holds, tmp_path / "deck.mp4")
    expected = sum(holds) + sum(probe(c).duration for c in clips)
    assert abs(probe(tmp_path / "deck.mp4").duration - expected) <= FRAME
    assert abs(report.duration - expected) <= FRAME


def test_transition_packets_are_copied_byte_for_byte(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [1.0] * 4, out)
    for index, clip in enumerate(clips):
        original = _payloads(clip)
        inside = _segment_payloads(out, _start_frame(report, "transition", index), len(original))
        assert inside == original, f"transition {index + 1} was altered"
    assert report.normalized == ()
    assert report.inlined_parameter_sets == ()


def test_every_frame_decodes_without_errors(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, deck_clips(slides), [1.0, 0.5, 1.0], out)
    assert _ffmpeg_errors(out) == ""
    assert len(decoded_frames(out)) == report.frames == (24 + 12 + 24) + 2 * 24


def test_hold_midpoints_show_their_slides(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, deck_clips(slides), [1.0] * 4, out)
    frames = decoded_frames(out)
    for span in (s for s in report.segments if s.kind == "hold"):
        middle = _start_frame(report, "hold", span.index) + span.frames // 2
        with Image.open(slides[span.index]) as slide:
            assert mean_difference(frames[middle], slide) < SAME_PICTURE
            other = slides[(span.index + 1) % len(slides)]
            with Image.open(other) as neighbour:
                assert mean_difference(frames[middle], neighbour) > 4 * SAME_PICTURE


def test_each_transition_ends_on_the_slide_its_hold_starts_with(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, deck_clips(slides), [1.0] * 3, out)
    frames = decoded_frames(out)
    for index in (1, 2):
        first_of_hold = _start_frame(report, "hold", index)
        assert mean_difference(frames[first_of_hold - 1], frames[first_of_hold]) < SAME_PICTURE


def test_a_zero_second_hold_is_left_out(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, deck_clips(slides), [0.0, 1.0, 0.0], out)
    assert [(s.kind, s.index) for s in report.segments] == [
        ("transition", 0),
        ("hold", 1),
        ("transition", 1),
    ]
    assert abs(probe(out).duration - 3.0) <= FRAME


def test_decode_times_step_one_frame_across_seams_with_b_frames(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    out = tmp_path / "deck.mp4"
    stitch_deck(slides, deck_clips(slides, bframes=3), [1.0] * 3, out)
    stamps = [(p.pts, p.dts) for p in packets(out)]
    assert all(pts >= dts for pts, dts in stamps)
    decode_steps = {b - a for a, b in itertools.pairwise(d for _, d in stamps)}
    shown = sorted(pts for pts, _ in stamps)
    show_steps = {b - a for a, b in itertools.pairwise(shown)}
    # One frame apart everywhere: no squeezed samples at a seam, in decode or display order.
    assert len(show_steps) == 1
    assert decode_steps == show_steps


def test_holds_have_the_clips_stream_parameters(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(2)
    clips = deck_clips(slides, fps=30, frames=30)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [1.0, 1.0], out)
    clip, whole = probe(clips[0]), probe(out)
    assert (whole.codec, whole.width, whole.height, whole.pix_fmt, whole.fps) == (
        clip.codec,
        clip.width,
        clip.height,
        clip.pix_fmt,
        Fraction(30),
    )
    assert whole.time_base == clip.time_base == report.params.time_base
    assert report.frames == 30 + 30 + 30


def test_the_output_lists_the_clips_and_the_holds_parameter_sets_side_by_side(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(2)
    clips = deck_clips(slides)
    out = tmp_path / "deck.mp4"
    stitch_deck(slides, clips, [1.0, 1.0], out)
    with av.open(str(out)) as whole, av.open(str(clips[0])) as clip:
        merged = parse_avcc(bytes(whole.streams.video[0].codec_context.extradata))
        own = parse_avcc(bytes(clip.streams.video[0].codec_context.extradata))
    assert set(own.sps) < set(merged.sps) and set(own.pps) < set(merged.pps)
    assert sorted(key for key in merged.parameter_sets()) == [
        ("pps", 0),
        ("pps", 1),
        ("sps", 0),
        ("sps", 1),
    ]


def test_a_clip_of_another_size_is_reencoded_alone(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    with Image.open(slides[1]) as a, Image.open(slides[2]) as b:
        encode_clip(clips[1], a, b, size=(480, 270))
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [0.5] * 4, out)
    assert report.normalized == (1,)
    info = probe(out)
    assert (info.width, info.height) == SIZE
    for index in (0, 2):
        original = _payloads(clips[index])
        start = _start_frame(report, "transition", index)
        assert _segment_payloads(out, start, len(original)) == original
    assert _ffmpeg_errors(out) == ""
    assert abs(info.duration - (2.0 + 3 * 1.0)) <= FRAME


def test_a_first_clip_of_another_size_is_reencoded_and_the_others_copied(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    with Image.open(slides[0]) as a, Image.open(slides[1]) as b:
        encode_clip(clips[0], a, b, size=(480, 270))
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [0.5] * 4, out)
    assert report.normalized == (0,)
    info = probe(out)
    assert (info.width, info.height) == SIZE
    for index in (1, 2):
        original = _payloads(clips[index])
        start = _start_frame(report, "transition", index)
        assert _segment_payloads(out, start, len(original)) == original
    assert _ffmpeg_errors(out) == ""


def test_a_clip_at_another_frame_rate_is_reencoded_alone(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    with Image.open(slides[2]) as a, Image.open(slides[3]) as b:
        encode_clip(clips[2], a, b, fps=30, frames=30)
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [0.5] * 4, out)
    assert report.normalized == (2,)
    assert probe(out).fps == FPS
    transition = next(s for s in report.segments if s.kind == "transition" and s.index == 2)
    assert transition.frames == FPS
    assert abs(transition.duration - 1.0) <= FRAME


def test_clips_from_another_encoder_carry_their_parameter_sets_in_band(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides)
    # Same size and rate, but Main profile without B-frames: other SPS/PPS under the same id.
    with Image.open(slides[1]) as a, Image.open(slides[2]) as b:
        encode_clip(clips[1], a, b, profile="main", bframes=0, preset="faster")
    out = tmp_path / "deck.mp4"
    report = stitch_deck(slides, clips, [1.0] * 3, out)
    assert report.normalized == ()
    assert report.inlined_parameter_sets == (1,)
    original = _payloads(clips[1])
    inside = _segment_payloads(out, _start_frame(report, "transition", 1), len(original))
    assert inside[1:] == original[1:]
    prefix = inside[0][: len(inside[0]) - len(original[0])]
    assert inside[0].endswith(original[0])
    assert {nal[0] & 0x1F for nal in iter_nals(prefix)} == {7, 8}  # only SPS and PPS added
    assert _ffmpeg_errors(out) == ""
    frames = decoded_frames(out)
    middle = _start_frame(report, "hold", 2) + FPS // 2
    with Image.open(slides[2]) as slide:
        assert mean_difference(frames[middle], slide) < SAME_PICTURE


def test_a_six_page_pdf_and_its_transitions_become_one_video(
    tmp_path: Path, deck_clips: Clips
) -> None:
    pdf = write_pdf(tmp_path / "talk.pdf", [slide_image(i, (640, 360)) for i in range(6)])
    slides = [s.path for s in load_slides([pdf], target=(640, 360), workdir=tmp_path / "work")]
    clips = deck_clips(slides, size=SIZE)
    holds = [1.0] * 6
    out = tmp_path / "talk.mp4"
    report = stitch_deck(slides, clips, holds, out)
    assert abs(probe(out).duration - (6 * 1.0 + 5 * 1.0)) <= FRAME
    frames = decoded_frames(out)
    for index, slide_path in enumerate(slides):
        middle = _start_frame(report, "hold", index) + FPS // 2
        with Image.open(slide_path) as slide:
            assert mean_difference(frames[middle], slide.resize(SIZE, Image.LANCZOS)) < SAME_PICTURE
    for index, clip in enumerate(clips):
        original = _payloads(clip)
        start = _start_frame(report, "transition", index)
        assert _segment_payloads(out, start, len(original)) == original


def test_an_unreadable_clip_is_refused_naming_the_transition(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides)
    clips[1].write_bytes(b"<html>not a video</html>")
    with pytest.raises(UserError) as caught:
        stitch_deck(slides, clips, [1.0] * 3, tmp_path / "deck.mp4")
    assert caught.value.code == "deck.bad_clip"
    assert "2" in caught.value.message.en and "2" in caught.value.message.zh
    assert not (tmp_path / "deck.mp4").exists()


def test_counts_that_do_not_fit_together_are_a_programming_error(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides)
    with pytest.raises(ValueError):
        stitch_deck(slides, clips[:1], [1.0] * 3, tmp_path / "a.mp4")
    with pytest.raises(ValueError):
        stitch_deck(slides, clips, [1.0] * 2, tmp_path / "b.mp4")
    with pytest.raises(ValueError):
        stitch_deck(slides, clips, [1.0, -1.0, 1.0], tmp_path / "c.mp4")


def test_each_transition_file_is_opened_once(
    tmp_path: Path,
    slide_files: Slides,
    deck_clips: Clips,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slides = slide_files(4)
    clips = deck_clips(slides)
    opened: Counter[str] = Counter()
    real_open = av.open

    def counting_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened[str(file)] += 1
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(av, "open", counting_open)
    stitch_deck(slides, clips, [1.0] * 4, tmp_path / "deck.mp4")
    assert [opened[str(clip)] for clip in clips] == [1] * len(clips)


def test_clips_beyond_the_memory_budget_are_read_again_into_the_same_video(
    tmp_path: Path,
    slide_files: Slides,
    deck_clips: Clips,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides, bframes=3)
    held = stitch_deck(slides, clips, [1.0] * 3, tmp_path / "held.mp4")
    monkeypatch.setattr(stitch, "KEEP_IN_MEMORY_BYTES", 0)
    reread = stitch_deck(slides, clips, [1.0] * 3, tmp_path / "reread.mp4")
    assert (tmp_path / "reread.mp4").read_bytes() == (tmp_path / "held.mp4").read_bytes()
    assert reread.segments == held.segments
