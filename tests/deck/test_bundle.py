"""The deck's ZIP: final video, clips, slides and the presenter page that refers to them."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from kling_ui.deck import stitch_deck, write_bundle, write_presenter

Slides = Callable[[int], list[Path]]
Clips = Callable[..., list[Path]]


def test_the_zip_holds_the_video_clips_slides_and_a_working_page(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides, frames=12)
    video = tmp_path / "talk.mp4"
    stitch_deck(slides, clips, [0.5] * 3, video)
    presenter = write_presenter(tmp_path / "presenter", slides, clips, "Talk").parent
    bundle = write_bundle(tmp_path / "out" / "talk-bundle.zip", video, clips, slides, presenter)

    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        assert names == {
            "talk-bundle/talk.mp4",
            "talk-bundle/index.html",
            "talk-bundle/slides/slide-01.png",
            "talk-bundle/slides/slide-02.png",
            "talk-bundle/slides/slide-03.png",
            "talk-bundle/clips/transition-01.mp4",
            "talk-bundle/clips/transition-02.mp4",
        }
        assert archive.read("talk-bundle/talk.mp4") == video.read_bytes()
        assert archive.read("talk-bundle/clips/transition-02.mp4") == clips[1].read_bytes()
        assert archive.read("talk-bundle/slides/slide-03.png") == slides[2].read_bytes()
        page = archive.read("talk-bundle/index.html").decode()
        assert archive.getinfo("talk-bundle/talk.mp4").compress_type == zipfile.ZIP_STORED
    match = re.search(r'<script type="application/json" id="deck">(.*?)</script>', page, re.S)
    assert match is not None
    deck = json.loads(match.group(1))
    for reference in [*deck["slides"], *deck["clips"]]:
        assert f"talk-bundle/{reference}" in names


def test_a_bundle_leaves_no_temporary_files(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(2)
    clips = deck_clips(slides, frames=12)
    presenter = write_presenter(tmp_path / "presenter", slides, clips, "Talk").parent
    out = tmp_path / "out"
    write_bundle(out / "b.zip", clips[0], clips, slides, presenter)
    assert [p.name for p in out.iterdir()] == ["b.zip"]


def test_extra_files_such_as_the_powerpoint_sit_beside_the_final_video(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(2)
    clips = deck_clips(slides, frames=12)
    presenter = write_presenter(tmp_path / "presenter", slides, clips, "Talk").parent
    pptx = tmp_path / "talk.pptx"
    pptx.write_bytes(b"PK\x03\x04 a presentation")
    bundle = write_bundle(tmp_path / "b.zip", clips[0], clips, slides, presenter, extras=[pptx])
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("b/talk.pptx") == pptx.read_bytes()
        assert archive.getinfo("b/talk.pptx").compress_type == zipfile.ZIP_STORED
