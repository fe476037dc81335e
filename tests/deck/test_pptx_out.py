"""write_pptx without LibreOffice: a deck of pictures (from a PDF or images) with its notes, and a
PowerPoint source rearranged by the person (order followed, dropped slides left out, hidden
slides kept hidden), each slide followed by its transition video."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx_media import write_talk

from kling_ui.deck import SlideSource, write_pptx
from kling_ui.deck.pptx_in import is_hidden
from kling_ui.deck.pptx_timing import P_NS
from kling_ui.video import probe

Slides = Callable[[int], list[Path]]
Clips = Callable[..., list[Path]]


def _kinds(path: Path) -> list[str]:
    """Each slide as "picture", "video" or "title:<text>"."""
    kinds = []
    for slide in Presentation(str(path)).slides:
        types = {shape.shape_type for shape in slide.shapes}
        if MSO_SHAPE_TYPE.MEDIA in types:
            kinds.append("video")
        elif types == {MSO_SHAPE_TYPE.PICTURE}:
            kinds.append("picture")
        else:
            title = slide.shapes.title
            kinds.append(f"title:{title.text if title is not None else ''}")
    return kinds


def test_a_deck_of_pictures_gets_a_picture_slide_then_a_video_slide_each(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    slides = slide_files(3)
    clips = deck_clips(slides)
    sources = [SlideSource(slides[0], "Hello"), SlideSource(slides[1]), SlideSource(slides[2])]
    report = write_pptx(tmp_path / "deck.pptx", sources, clips, title="Talk")
    assert not report.kept_originals and (report.slides, report.videos) == (5, 2)
    assert _kinds(report.path) == ["picture", "video", "picture", "video", "picture"]
    shown = Presentation(str(report.path))
    assert shown.core_properties.title == "Talk"
    assert shown.slide_width * 180 == shown.slide_height * 320  # the slides' own 16:9
    first = shown.slides[0]
    assert first.has_notes_slide and first.notes_slide.notes_text_frame.text == "Hello"
    assert not shown.slides[2].has_notes_slide
    for slide, clip in zip(list(shown.slides)[1::2], clips, strict=True):
        transition = slide.element.find(f"{{{P_NS}}}transition")
        assert transition is not None and transition.get("advClick") == "0"
        assert int(transition.get("advTm")) == math.ceil(probe(clip).duration * 1000)


def test_a_rearranged_powerpoint_keeps_its_slides_in_the_decks_order(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    source = write_talk(
        tmp_path / "talk.pptx", ["one", "two (backup)", "three", "four", "five"], hidden=[1]
    )
    images = slide_files(3)
    clips = deck_clips(images)
    # The deck shows slides 4, 1, 3 of the file; 5 was dropped in the tab; 2 is hidden.
    sources = [SlideSource(images[0], "four", 3), SlideSource(images[1], "one", 0)]
    sources.append(SlideSource(images[2], "three", 2))
    report = write_pptx(tmp_path / "out.pptx", sources, clips, source=source)
    assert report.kept_originals and report.slides == 6
    assert _kinds(report.path) == [
        "title:Slide 4",
        "video",
        "title:Slide 1",
        "video",
        "title:Slide 3",
        "title:Slide 2",
    ]
    shown = list(Presentation(str(report.path)).slides)
    assert [is_hidden(s) for s in shown] == [False] * 5 + [True]
    notes = [s.notes_slide.notes_text_frame.text for s in shown if s.has_notes_slide]
    assert notes == ["four", "one", "three", "two (backup)"]


def test_a_source_that_cannot_be_kept_falls_back_to_pictures(
    tmp_path: Path, slide_files: Slides, deck_clips: Clips
) -> None:
    source = write_talk(tmp_path / "talk.pptx", ["", ""])
    images = slide_files(2)
    clips = deck_clips(images)
    sources = [SlideSource(images[0], "", 0), SlideSource(images[1], "", 7)]  # no slide 8
    report = write_pptx(tmp_path / "out.pptx", sources, clips, source=source)
    assert not report.kept_originals
    assert _kinds(report.path) == ["picture", "video", "picture"]


def test_a_clip_count_that_does_not_fit_the_slides_is_a_programming_error(
    tmp_path: Path, slide_files: Slides
) -> None:
    with pytest.raises(ValueError):
        write_pptx(tmp_path / "x.pptx", [SlideSource(p) for p in slide_files(2)], [])
