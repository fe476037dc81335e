"""The deck written back as a PowerPoint presentation with the transitions inside.

Each slide is followed by its transition as a full-slide video that starts by itself and moves
on to the next slide when it ends (the timing PowerPoint writes for "Start: Automatically" and
"Advance after", see pptx_timing.py), so clicking through in PowerPoint plays slide,
transition, slide, ... The video's poster is the clip's own first frame, which is its first
slide: nothing jumps when the video slide comes in, and a program that shows only the poster
(LibreOffice printing to PDF, a thumbnail) shows the right picture.

When the deck came from one PowerPoint file, its own slides are kept: the file is copied and
the video slides are put between its slides (in the order of the deck, which the person may
have changed; slides left out of the deck are left out, hidden slides stay hidden at the end),
so text stays editable and the notes stay where they were. Otherwise (a PDF, images, several
files, or a file python-pptx cannot write back) every slide is a full-slide picture of its
rendered PNG, carrying the notes it had.
"""

from __future__ import annotations

import io
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as PptxPresentation
from pptx.slide import Slide as PptxSlide
from pptx.slide import SlideLayout

from kling_ui.deck.poster import first_frame
from kling_ui.deck.pptx_in import is_hidden
from kling_ui.deck.pptx_timing import play_and_advance
from kling_ui.deck.slides import border_colour
from kling_ui.video import probe

log = logging.getLogger("kling_ui.deck.pptx_out")

# A 16:9 slide is 13.333 in wide (12192000 EMU), as PowerPoint makes it.
SLIDE_LONG_SIDE_EMU = 12_192_000
MP4 = "video/mp4"


@dataclass(frozen=True, slots=True)
class SlideSource:
    """One slide of the deck as the presentation needs it: its rendered PNG, its notes, and
    its place in the source PowerPoint file (None when it did not come from one)."""

    image: Path
    notes: str = ""
    origin: int | None = None


@dataclass(frozen=True, slots=True)
class PptxReport:
    """What `write_pptx` wrote: the file, its slide count, its videos, and whether the
    source presentation's own slides were kept (else they are pictures)."""

    path: Path
    slides: int
    videos: int
    kept_originals: bool


def write_pptx(
    out: Path,
    slides: Sequence[SlideSource],
    clips: Sequence[Path],
    *,
    source: Path | None = None,
    title: str = "",
) -> PptxReport:
    """Write `out` (atomically): each slide followed by its transition clip.

    With `source` (the PowerPoint file the slides came from, every slide knowing its place in
    it) the source's own slides are kept; if that fails, pictures are used instead. `title`
    names a presentation made of pictures (a kept source keeps its own properties).
    """
    if not slides or len(clips) != len(slides) - 1:
        raise ValueError("need N >= 1 slides and N - 1 clips")
    kept = source is not None and all(s.origin is not None for s in slides)
    presentation: PptxPresentation | None = None
    if kept and source is not None:
        try:
            presentation = _from_source(source, slides, clips)
        except Exception:  # python-pptx on a file it cannot write back: pictures instead
            log.exception("could not keep the slides of %s; writing pictures", source.name)
            presentation = None
    if presentation is None:
        kept = False
        presentation = _from_pictures(slides, clips)
    if title and not kept:
        presentation.core_properties.title = title
    _save(presentation, out)
    return PptxReport(
        path=out, slides=len(presentation.slides), videos=len(clips), kept_originals=kept
    )


def _from_source(
    source: Path, slides: Sequence[SlideSource], clips: Sequence[Path]
) -> PptxPresentation:
    """The source presentation with the deck's slides in order and a video slide after each."""
    presentation = Presentation(str(source))
    ids = presentation.slides._sldIdLst
    originals = list(ids)
    wanted = [int(s.origin) for s in slides if s.origin is not None]
    if any(not 0 <= place < len(originals) for place in wanted):
        raise ValueError("a slide's place is outside the source presentation")
    hidden = [
        entry
        for place, (entry, slide) in enumerate(zip(originals, presentation.slides, strict=True))
        if place not in wanted and is_hidden(slide)
    ]
    layout = _blank_layout(presentation)
    videos = [
        _add_video_slide(presentation, layout, clip, f"Transition {i + 1}")
        for i, clip in enumerate(clips)
    ]
    video_ids = list(ids)[len(originals) :]
    order = []
    for index, place in enumerate(wanted):
        order.append(originals[place])
        if index < len(videos):
            order.append(video_ids[index])
    order += hidden
    left_out = [entry for entry in originals if entry not in order]
    for entry in list(ids):
        ids.remove(entry)
    for entry in order:
        ids.append(entry)
    for entry in left_out:
        presentation.part.drop_rel(entry.rId)
    # Part names follow the show order (slide1.xml, slide2.xml, ...), as PowerPoint saves them.
    presentation.part.rename_slide_parts([entry.rId for entry in ids])
    return presentation


def _from_pictures(slides: Sequence[SlideSource], clips: Sequence[Path]) -> PptxPresentation:
    """A new presentation: each slide a full-slide picture (with its notes), then its video."""
    presentation = Presentation()
    with Image.open(slides[0].image) as first:
        width, height = first.size
    scale = SLIDE_LONG_SIDE_EMU / max(width, height)
    presentation.slide_width = round(width * scale)
    presentation.slide_height = round(height * scale)
    layout = _blank_layout(presentation)
    for index, source in enumerate(slides):
        slide = presentation.slides.add_slide(layout)
        _clear_placeholders(slide)
        with Image.open(source.image) as image:
            size = image.size
        left, top, w, h = _fit(size, presentation)
        slide.shapes.add_picture(str(source.image), left, top, w, h)
        if source.notes:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None:
                notes.text = source.notes
        if index < len(clips):
            _add_video_slide(presentation, layout, clips[index], f"Transition {index + 1}")
    return presentation


def _add_video_slide(
    presentation: PptxPresentation, layout: SlideLayout, clip: Path, name: str
) -> PptxSlide:
    """A slide at the end holding `clip` full-slide: poster = its first frame, playing by
    itself and moving on when it ends."""
    poster = first_frame(clip)
    slide = presentation.slides.add_slide(layout)
    _clear_placeholders(slide)
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = RGBColor(*border_colour(poster))
    buffer = io.BytesIO()
    poster.save(buffer, format="PNG")
    buffer.seek(0)
    left, top, width, height = _fit(poster.size, presentation)
    movie = slide.shapes.add_movie(
        str(clip), left, top, width, height, poster_frame_image=buffer, mime_type=MP4
    )
    movie.name = name
    duration_ms = math.ceil(probe(clip).duration * 1000)
    play_and_advance(slide.element, movie.shape_id, duration_ms)
    return slide


def _fit(size: tuple[int, int], presentation: PptxPresentation) -> tuple[int, int, int, int]:
    """(left, top, width, height) in EMU of `size` drawn as large as fits, centred."""
    slide_w, slide_h = int(presentation.slide_width or 0), int(presentation.slide_height or 0)
    scale = min(slide_w / size[0], slide_h / size[1])
    width, height = round(size[0] * scale), round(size[1] * scale)
    return (slide_w - width) // 2, (slide_h - height) // 2, width, height


def _blank_layout(presentation: PptxPresentation) -> SlideLayout:
    """The layout with the fewest placeholders (PowerPoint's "Blank" when there is one)."""
    layouts = list(presentation.slide_layouts)
    for layout in layouts:
        if layout.name.strip().lower() == "blank":
            return layout
    return min(layouts, key=lambda layout: len(layout.placeholders))


def _clear_placeholders(slide: PptxSlide) -> None:
    """Remove the placeholders a layout gave a new slide (a video slide shows only video)."""
    for placeholder in list(slide.placeholders):
        element: etree._Element = placeholder.element
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)


def _save(presentation: PptxPresentation, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(fd)
    try:
        presentation.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
