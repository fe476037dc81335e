"""The simulator encodes a clip once per (frames, length, height) and copies it after that."""

from __future__ import annotations

from pathlib import Path

from kling_ui.simulator import render as rendering
from kling_ui.simulator import slide_png
from kling_ui.simulator.render import RenderedClips, RenderJob, render


def job(output: Path, first: bytes, last: bytes | None, seconds: int = 1) -> RenderJob:
    return RenderJob(first=first, last=last, fps=12, seconds=seconds, height=90, output=output)


def test_the_same_frames_are_encoded_once_and_the_copy_is_the_same_clip(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setattr(rendering, "CLIPS", RenderedClips())
    encoded: list[Path] = []
    real_encode = rendering._encode

    def counting_encode(path, *args, **kwargs):
        encoded.append(path)
        return real_encode(path, *args, **kwargs)

    monkeypatch.setattr(rendering, "_encode", counting_encode)
    first, last = slide_png(320, 180, "A"), slide_png(320, 180, "B")
    made = render(job(tmp_path / "one.mp4", first, last))
    again = render(job(tmp_path / "two.mp4", first, last))
    assert len(encoded) == 1
    assert again.path == tmp_path / "two.mp4"
    assert again.path.read_bytes() == made.path.read_bytes()
    assert (again.width, again.height, again.frames) == (made.width, made.height, made.frames)


def test_other_frames_or_another_length_are_encoded_anew(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rendering, "CLIPS", RenderedClips())
    first, last = slide_png(320, 180, "A"), slide_png(320, 180, "B")
    one = render(job(tmp_path / "one.mp4", first, last))
    swapped = render(job(tmp_path / "swapped.mp4", last, first))
    longer = render(job(tmp_path / "longer.mp4", first, last, seconds=2))
    alone = render(job(tmp_path / "alone.mp4", first, None))
    clips = {one.path.read_bytes(), swapped.path.read_bytes(), longer.path.read_bytes()}
    assert len(clips | {alone.path.read_bytes()}) == 4
    assert longer.frames > one.frames


def test_kept_clips_stay_within_their_byte_budget_dropping_the_oldest() -> None:
    clips = RenderedClips(max_bytes=10)
    video = rendering.RenderedVideo(Path("x.mp4"), 2, 2, 12, 13)
    clips.put("a", b"12345", video)
    clips.put("b", b"12345", video)
    assert clips.get("a") is not None  # now the most recently used
    clips.put("c", b"12345", video)
    assert clips.get("b") is None
    assert clips.get("a") is not None and clips.get("c") is not None
    clips.put("huge", b"x" * 11, video)
    assert clips.get("huge") is None
