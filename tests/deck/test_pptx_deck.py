"""A PowerPoint deck end to end through the simulator: a 4-slide .pptx made here (titles, a
chart-like shape, speaker notes) rendered by real LibreOffice, its notes carried into the plan
and the prompts, one stitched MP4, and a .pptx out with each transition inside as a video that
plays by itself, checked by real consumers: python-pptx and LibreOffice (PDF, pixel colours).

LibreOffice is slow (seconds per file), so the deck is run once per module and the .pptx out
converted once; the tests look at those results.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from deck_engine import deck_runner
from deck_media import decoded_frames, mean_difference
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.slide import Slide as PptxSlide
from pptx_media import BACKGROUNDS, needs_soffice, write_talk

from kling_ui.deck.office import presentation_to_pdf
from kling_ui.deck.poster import first_frame
from kling_ui.deck.prompting import preset_defaulter
from kling_ui.deck.run import Deck, DeckOutputs, DeckRunner, DeckSettings
from kling_ui.prompts import load_library
from kling_ui.simulator import SimulatorConfig, SimulatorServer
from kling_ui.video import probe

pytestmark = needs_soffice

NOTES = [
    "Welcome, everyone. Thank you for coming.",
    "Zoom into the revenue chart: growth in every quarter.",
    "Transition: the bars rise one by one\nThen we reveal the plan for next year.",
    "总结：回顾全年数据",
]
N = len(NOTES)
SETTINGS = DeckSettings(title="Quarterly review", hold_seconds=1.0, target=(640, 360))
VIDEO = "video/mp4"
NS = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


@dataclass(frozen=True)
class Finished:
    """The deck run once for the module: the runner, the deck, its outputs."""

    runner: DeckRunner
    deck: Deck
    outputs: DeckOutputs


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Finished]:
    """talk.pptx through real LibreOffice and the simulator, assembled."""
    folder = tmp_path_factory.mktemp("pptx-deck")
    talk = write_talk(folder / "talk.pptx", NOTES)
    data_dir = folder / "data"
    with (
        SimulatorServer(SimulatorConfig(latency=0.4, render_height=180)) as sim,
        deck_runner(sim, data_dir) as runner,
    ):
        deck = runner.open([talk], SETTINGS, preset_defaulter(load_library(), "en"))
        runner.submit(deck, submitter="presenter")
        assert runner.wait(deck, timeout=120).complete
        yield Finished(runner, deck, runner.assemble(deck))


@pytest.fixture(scope="module")
def out_pages(finished: Finished, tmp_path_factory: pytest.TempPathFactory) -> list[Image.Image]:
    """The .pptx out as LibreOffice prints it to PDF, each page rendered 320 px wide."""
    pdf = presentation_to_pdf(finished.outputs.pptx, tmp_path_factory.mktemp("pptx-out-pdf"))
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            width, _ = page.get_size()
            pages.append(page.render(scale=320 / width).to_pil().convert("RGB"))
        return pages
    finally:
        document.close()


def _clips(finished: Finished) -> list[Path]:
    return finished.deck.plan.clip_paths()


def _movie(slide: PptxSlide):  # type: ignore[no-untyped-def]
    movies = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
    return movies[0] if len(movies) == 1 else None


def _xpath(element, query: str) -> list:  # type: ignore[no-untyped-def, type-arg]
    return etree.XPath(query, namespaces=NS)(element)


def _xpath_one(element, query: str):  # type: ignore[no-untyped-def]
    found = _xpath(element, query)
    assert len(found) == 1, (query, found)
    return found[0]


# ---- in: LibreOffice's slides and the notes ------------------------------------------------


def test_each_slide_is_rendered_by_libreoffice_at_the_decks_size(finished: Finished) -> None:
    slides = finished.deck.plan.slides
    assert [s.name for s in slides] == [f"talk.pptx p{i}" for i in range(1, N + 1)]
    for index, slide in enumerate(slides):
        with Image.open(slide.path) as image:
            assert image.size == (640, 360)
            edge = np.asarray(image.convert("RGB"))[180, 4].astype(int)
            assert np.abs(edge - np.array(BACKGROUNDS[index])).max() <= 12


def test_the_notes_are_carried_into_the_plan_beside_each_slide(finished: Finished) -> None:
    plan = finished.deck.plan
    assert [s.notes for s in plan.slides] == NOTES
    assert [s.origin for s in plan.slides] == list(range(N))


def test_the_next_slides_notes_steer_each_transitions_prompt(finished: Finished) -> None:
    into_chart, into_plan, into_summary = finished.deck.plan.transitions
    assert into_chart.cue == "zoom, chart"
    assert "pushes in" in into_chart.prompt and "piece by piece" in into_chart.prompt
    assert into_plan.prompt.endswith("the bars rise one by one")
    assert "rises smoothly" in into_plan.prompt and "spotlight" in into_plan.prompt
    assert "pulls back" in into_summary.prompt and "locked" in into_summary.prompt
    sent = [job.spec.prompt for job in finished.runner.jobs(finished.deck)]
    assert sent == [t.prompt for t in finished.deck.plan.transitions]


# ---- out: the stitched video ---------------------------------------------------------------


def test_the_pptx_deck_becomes_one_video_of_holds_and_transitions(finished: Finished) -> None:
    video = finished.outputs.video
    info = probe(video)
    expected = N * SETTINGS.hold_seconds + sum(probe(c).duration for c in _clips(finished))
    assert abs(info.duration - expected) <= 1 / float(info.fps)
    frames = decoded_frames(video)
    size = (frames[0].shape[1], frames[0].shape[0])
    holds = [s for s in finished.outputs.report.segments if s.kind == "hold"]
    for hold, slide in zip(holds, finished.deck.plan.slides, strict=True):
        middle = frames[round((hold.start + hold.duration / 2) * float(info.fps))]
        with Image.open(slide.path) as image:
            assert mean_difference(middle, image.convert("RGB").resize(size)) < 6


# ---- out: the PowerPoint, read by python-pptx ----------------------------------------------


def test_the_pptx_out_has_each_original_slide_then_its_transition(finished: Finished) -> None:
    report = finished.outputs.pptx_report
    assert report.kept_originals and report.slides == 2 * N - 1 and report.videos == N - 1
    shown = Presentation(str(finished.outputs.pptx))
    slides = list(shown.slides)
    assert len(slides) == 2 * N - 1
    for index, slide in enumerate(slides):
        if index % 2 == 0:  # an original slide: its own title and shapes, its own notes
            assert slide.shapes.title is not None
            assert slide.shapes.title.text == f"Slide {index // 2 + 1}"
            assert _movie(slide) is None
            assert (
                slide.notes_slide.notes_text_frame.text.replace("\x0b", "\n") == NOTES[index // 2]
            )
        else:
            assert _movie(slide) is not None and len(slide.shapes) == 1
            assert not slide.has_notes_slide


def test_each_clip_is_embedded_once_as_an_mp4_byte_for_byte(finished: Finished) -> None:
    shown = Presentation(str(finished.outputs.pptx))
    videos = [p for p in shown.part.package.iter_parts() if p.content_type == VIDEO]
    assert len(videos) == N - 1
    embedded = {p.blob for p in videos}
    assert embedded == {clip.read_bytes() for clip in _clips(finished)}


def test_each_video_slide_plays_by_itself_and_moves_on_when_its_clip_ends(
    finished: Finished,
) -> None:
    shown = Presentation(str(finished.outputs.pptx))
    video_slides = list(shown.slides)[1::2]
    for slide, clip in zip(video_slides, _clips(finished), strict=True):
        movie = _movie(slide)
        element = slide.element
        play = _xpath_one(
            element,
            "./p:timing//p:cTn[@nodeType='mainSeq']//p:cTn[@presetClass='mediacall']"
            "//p:cmd[@type='call'][@cmd='playFrom(0.0)']",
        )
        assert int(_xpath_one(play, "./p:cBhvr/p:tgtEl/p:spTgt/@spid")) == movie.shape_id
        starts = _xpath(
            element,
            "./p:timing//p:cTn[@nodeType='mainSeq']/p:childTnLst/p:par/p:cTn/p:stCondLst"
            "/p:cond[@evt='onBegin']",
        )
        assert starts, "the effect starts with the slide, not on a click"
        node = _xpath_one(element, "./p:timing//p:video/p:cMediaNode/p:tgtEl/p:spTgt/@spid")
        assert int(node) == movie.shape_id
        clip_ms = math.ceil(probe(clip).duration * 1000)
        transition = _xpath_one(element, "./p:transition")
        assert transition.get("advClick") == "0" and int(transition.get("advTm")) == clip_ms
        assert int(_xpath_one(play, "./p:cBhvr/p:cTn/@dur")) == clip_ms
        children = [child.tag.split("}")[1] for child in element]
        assert children.index("transition") + 1 == children.index("timing")


def test_each_videos_poster_is_its_clips_first_frame(finished: Finished) -> None:
    shown = Presentation(str(finished.outputs.pptx))
    for slide, clip in zip(list(shown.slides)[1::2], _clips(finished), strict=True):
        rid = _xpath_one(_movie(slide).element, "./p:blipFill/a:blip/@r:embed")
        poster = Image.open(io.BytesIO(slide.part.related_part(rid).blob)).convert("RGB")
        frame = first_frame(clip)
        assert poster.size == frame.size and mean_difference(poster, frame) < 1


def test_the_bundle_zip_includes_the_pptx(finished: Finished) -> None:
    with zipfile.ZipFile(finished.outputs.bundle) as bundle:
        names = bundle.namelist()
        assert f"Quarterly-review/{finished.outputs.pptx.name}" in names
        stored = bundle.read(f"Quarterly-review/{finished.outputs.pptx.name}")
    assert stored == finished.outputs.pptx.read_bytes()


# ---- out: the PowerPoint, printed by LibreOffice -------------------------------------------


def test_libreoffice_prints_every_slide_and_shows_each_poster(
    finished: Finished, out_pages: list[Image.Image]
) -> None:
    assert len(out_pages) == 2 * N - 1
    slides, clips = finished.deck.plan.slides, _clips(finished)
    for index, page in enumerate(out_pages):
        if index % 2 == 0:
            with Image.open(slides[index // 2].path) as rendered:
                expected = rendered.convert("RGB").resize(page.size)
        else:
            expected = first_frame(clips[index // 2]).resize(page.size)
        assert mean_difference(page, expected) < 10, f"page {index + 1}"
