"""Turn what a person uploads (a PDF, images, a ZIP of images, a PPTX) into slide PNGs.

Every slide comes out at exactly the deck's size: the page is drawn as large as fits without
distortion and the rest is padded. Inputs are taken in the order they are given (the order a
person picked their images in), each expanding in place to its pages; a ZIP's images come in
natural order of their names (slide2 before slide10).

A deck made only of presentations keeps their own shape: 16:9 slides are rendered at the
target (1920x1080), a 4:3 deck at 4:3 with about as many pixels (so its transitions, and the
PowerPoint written back, have no bars). A PowerPoint file's slides carry their speaker notes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from kling_ui.deck import errors
from kling_ui.deck.archive import extract_images
from kling_ui.deck.office import PRESENTATION_SUFFIXES, presentation_to_pdf
from kling_ui.deck.pages import Page, image_page, is_image, pdf_pages
from kling_ui.deck.pptx_in import PresentationInfo, check_presentation
from kling_ui.i18n import Text

log = logging.getLogger("kling_ui.deck.slides")

DEFAULT_TARGET = (1920, 1080)
MAX_SLIDES = 100
# Kling refuses images with a side under 300 px.
MIN_SIDE = 300
# A border colour covering at least this share of the page's edge is used for the padding, so a
# white 4:3 slide on a 16:9 canvas stays white edge to edge; otherwise the padding is black.
_BORDER_SHARE = 0.5
_PAD_FALLBACK = (0, 0, 0)
# Pages within this of the target's shape are drawn at the target itself (1366x768 is 16:9).
_SAME_SHAPE = 0.03
# Kling accepts aspect ratios from 1:2.5 to 2.5:1.
_MAX_RATIO = 2.5


@dataclass(frozen=True, slots=True)
class Slide:
    """One slide as a PNG at the deck's size; from a PowerPoint file, with its speaker notes
    and its place in that file's slide list (`origin`)."""

    index: int
    name: str
    path: Path
    sha256: str
    notes: str = ""
    origin: int | None = None


def load_slides(
    inputs: Sequence[Path],
    *,
    target: tuple[int, int] = DEFAULT_TARGET,
    workdir: Path,
    notes: list[Text] | None = None,
    max_slides: int = MAX_SLIDES,
) -> list[Slide]:
    """Render every page of `inputs`, in the order given, to `workdir/slides/slide-NNN.png`.

    `target` gives the slide size for a landscape deck; when most pages are portrait the deck
    is portrait and the target is turned (1920x1080 becomes 1080x1920); a deck made only of
    presentations keeps their shape (see `own_shape`). Things skipped on the way (a ZIP's
    non-image files) are appended to `notes`. Raises `UserError` with a deck.* code for
    anything a person can fix: no input, unsupported or damaged files, encrypted or empty
    PDFs and presentations, unsafe ZIPs, a PPTX without LibreOffice (or one it cannot open in
    time), too few or many slides.
    """
    if min(target) < MIN_SIDE:
        raise ValueError(f"target sides must be at least {MIN_SIDE} px")
    if not inputs:
        raise errors.no_input()
    workdir.mkdir(parents=True, exist_ok=True)
    ordered = [Path(p) for p in inputs]
    with contextlib.ExitStack() as stack:
        pages: list[Page] = []
        kinds: set[str] = set()
        for number, path in enumerate(ordered):
            kind = _kind(path)
            kinds.add(kind)
            scratch = workdir / "unpacked" / f"{number:03d}"
            pages.extend(_expand(path, kind, scratch, stack, notes, max_slides))
            if len(pages) > max_slides:
                raise errors.too_many_slides(len(pages), max_slides)
        if len(pages) < 2:
            raise errors.too_few_slides(len(pages))
        box = own_shape(pages, target) if kinds == {"presentation"} else None
        return _write_slides(pages, box or deck_size(pages, target), workdir / "slides")


def deck_size(pages: Sequence[Page], target: tuple[int, int]) -> tuple[int, int]:
    """`target` turned to the orientation most pages have (ties stay landscape)."""
    long_side, short_side = max(target), min(target)
    portrait = sum(page.portrait for page in pages)
    if portrait > len(pages) - portrait:
        return (short_side, long_side)
    return (long_side, short_side)


def own_shape(pages: Sequence[Page], target: tuple[int, int]) -> tuple[int, int] | None:
    """The size of a deck that keeps its pages' own shape: `target` (turned to their
    orientation) when they are within 3% of its shape, else their aspect ratio (brought into
    Kling's 1:2.5..2.5:1) at about the target's pixel count with even sides. None when the
    pages do not share one shape."""
    width, height = pages[0].size
    ratio = width / height
    if any(abs((w / h) / ratio - 1) > _SAME_SHAPE for w, h in (p.size for p in pages)):
        return None
    turned = deck_size(pages[:1], target)
    if abs(ratio / (turned[0] / turned[1]) - 1) <= _SAME_SHAPE:
        return turned
    ratio = min(max(ratio, 1 / _MAX_RATIO), _MAX_RATIO)
    area = target[0] * target[1]
    long_per_short = max(ratio, 1 / ratio)
    short = max(MIN_SIDE, _even((area / long_per_short) ** 0.5))
    long = _even(short * long_per_short)
    while long > _MAX_RATIO * short:
        long -= 2
    return (long, short) if ratio >= 1 else (short, long)


def _even(value: float) -> int:
    return max(2, 2 * round(value / 2))


def _expand(
    path: Path,
    kind: str,
    scratch: Path,
    stack: contextlib.ExitStack,
    notes: list[Text] | None,
    max_slides: int,
) -> list[Page]:
    if kind == "pdf":
        return pdf_pages(path, stack)
    if kind == "presentation":
        return _presentation_pages(path, scratch, stack, max_slides)
    if kind == "zip":
        members = extract_images(path, scratch, notes=notes)
        return [image_page(file, display_name=f"{path.name}/{member}") for member, file in members]
    return [image_page(path)]


def _presentation_pages(
    path: Path, scratch: Path, stack: contextlib.ExitStack, max_slides: int
) -> list[Page]:
    """A presentation's slides rendered by LibreOffice, each with its notes when python-pptx
    could read them (checked first: refusals come before LibreOffice runs)."""
    info = check_presentation(path, max_slides=max_slides)
    pages = pdf_pages(presentation_to_pdf(path, scratch), stack, display_name=path.name)
    return with_notes(pages, info, path.name)


def with_notes(pages: list[Page], info: PresentationInfo | None, name: str) -> list[Page]:
    """`pages` given the notes and places python-pptx found, when they line up one to one."""
    if info is None:
        return pages
    if len(info.shown) != len(pages):
        log.warning(
            "%s: LibreOffice rendered %d pages for %d shown slides; notes not attached",
            name,
            len(pages),
            len(info.shown),
        )
        return pages
    return [
        replace(page, notes=text, origin=origin)
        for page, text, origin in zip(pages, info.notes, info.shown, strict=True)
    ]


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise errors.unsupported(path.name) from exc
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if path.suffix.lower() in PRESENTATION_SUFFIXES:
        return "presentation"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if is_image(path):
        return "image"
    if path.suffix.lower() == ".pdf":
        return "pdf"  # a damaged PDF: let the PDF reader say so
    raise errors.unsupported(path.name)


def _write_slides(pages: Sequence[Page], box: tuple[int, int], outdir: Path) -> list[Slide]:
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("slide-*.png"):
        stale.unlink()
    slides: list[Slide] = []
    for index, page in enumerate(pages):
        canvas = pad_to(page.render(box), box)
        buffer = io.BytesIO()
        canvas.save(buffer, format="PNG", compress_level=3)
        data = buffer.getvalue()
        path = outdir / f"slide-{index + 1:03d}.png"
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        slides.append(Slide(index, page.name, path, digest, page.notes, page.origin))
        log.debug("slide %d from %s", index + 1, page.name)
    return slides


def pad_to(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` centred on a canvas of `size`, padded with its own dominant edge colour."""
    image = image.convert("RGB")
    if image.size == size:
        return image
    canvas = Image.new("RGB", size, border_colour(image))
    canvas.paste(image, ((size[0] - image.width) // 2, (size[1] - image.height) // 2))
    return canvas


def border_colour(image: Image.Image) -> tuple[int, int, int]:
    """The colour of most of the image's outermost pixels, or black when none dominates."""
    width, height = image.size
    strips = [
        image.crop((0, 0, width, 1)),
        image.crop((0, height - 1, width, height)),
        image.crop((0, 0, 1, height)),
        image.crop((width - 1, 0, width, height)),
    ]
    counts: Counter[tuple[int, int, int]] = Counter()
    for strip in strips:
        for count, colour in strip.getcolors(maxcolors=strip.width * strip.height) or []:
            counts[colour] += count
    total = sum(counts.values())
    if not total:
        return _PAD_FALLBACK
    colour, count = counts.most_common(1)[0]
    return colour if count >= _BORDER_SHARE * total else _PAD_FALLBACK
