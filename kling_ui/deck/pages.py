"""Pages of a deck before they become slides: a PDF page or an image, each able to render itself.

A page knows its natural size (used to decide the deck's orientation) and renders to fit a box
without distortion; slides.py then pads it to the exact target size.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError

from kling_ui.deck import errors

# Above this, an image is refused: a slide never needs it, and it may be a decompression bomb.
MAX_IMAGE_PIXELS = 60_000_000
_FPDF_ERR_PASSWORD = 4
_EXIF_ORIENTATION = 0x0112
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_ENCRYPT = re.compile(rb"/Encrypt\b")
_EMPTY_TREE = re.compile(rb"/Count\s+0(?![0-9])")


@dataclass(frozen=True, slots=True)
class Page:
    """One future slide: a display name, its natural size, and how to draw it in a box.

    A page of a PowerPoint file also carries its speaker notes and `origin`, its 0-based place
    in the file's slide list (hidden slides counted), so the slide can be found there again.
    """

    name: str
    size: tuple[float, float]
    render: Callable[[tuple[int, int]], Image.Image]
    notes: str = ""
    origin: int | None = None

    @property
    def portrait(self) -> bool:
        """Taller than wide."""
        return self.size[1] > self.size[0]


def fit_size(size: tuple[float, float], box: tuple[int, int]) -> tuple[int, int]:
    """The largest size with `size`'s aspect ratio that fits in `box` (at least 1x1)."""
    scale = min(box[0] / size[0], box[1] / size[1])
    return (
        max(1, min(box[0], round(size[0] * scale))),
        max(1, min(box[1], round(size[1] * scale))),
    )


def pdf_pages(
    path: Path, stack: contextlib.ExitStack, display_name: str | None = None
) -> list[Page]:
    """The pages of a PDF. The document stays open until `stack` closes.

    Raises `UserError`: deck.encrypted_pdf (needs a password), deck.empty_pdf (no pages),
    deck.bad_pdf (anything else PDFium cannot open).
    """
    name = display_name or path.name
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        # PDFium's error code can be left over from an earlier failure (it does not set one
        # for a PDF without pages), so the file itself confirms what went wrong.
        data = path.read_bytes()
        if getattr(exc, "err_code", None) == _FPDF_ERR_PASSWORD and _ENCRYPT.search(data):
            raise errors.encrypted_pdf(name) from exc
        if _EMPTY_TREE.search(data) and b"%%EOF" in data[-1024:] and not _PAGE_OBJECT.search(data):
            raise errors.empty_pdf(name) from exc
        raise errors.bad_pdf(name) from exc
    stack.callback(document.close)
    count = len(document)
    if count == 0:
        raise errors.empty_pdf(name)
    pages: list[Page] = []
    for number in range(count):
        width, height = document[number].get_size()
        if width <= 0 or height <= 0:
            raise errors.bad_pdf(name)
        pages.append(
            Page(
                name=f"{name} p{number + 1}",
                size=(width, height),
                render=_pdf_renderer(document, number),
            )
        )
    return pages


def _pdf_renderer(
    document: pdfium.PdfDocument, number: int
) -> Callable[[tuple[int, int]], Image.Image]:
    def render(box: tuple[int, int]) -> Image.Image:
        page = document[number]
        width, height = page.get_size()
        scale = min(box[0] / width, box[1] / height)
        image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("RGB")
        # Rounding inside PDFium can leave the bitmap a pixel off the box; fit it exactly.
        target = fit_size(image.size, box)
        return image if image.size == target else image.resize(target, Image.Resampling.LANCZOS)

    return render


def image_page(path: Path, display_name: str | None = None) -> Page:
    """An image file as a page, upright per its EXIF orientation; decoded only when rendered.

    Raises `UserError` deck.bad_image or deck.image_too_large (checked from the header now,
    so a bad file is refused before any slide is written).
    """
    name = display_name or path.name
    try:
        with Image.open(path) as raw:
            width, height = raw.size
            if width * height > MAX_IMAGE_PIXELS:
                raise errors.image_too_large(name, MAX_IMAGE_PIXELS)
            if raw.getexif().get(_EXIF_ORIENTATION, 1) in _SWAPPING_ORIENTATIONS:
                width, height = height, width
    except Image.DecompressionBombError as exc:
        raise errors.image_too_large(name, MAX_IMAGE_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise errors.bad_image(name) from exc
    return Page(name=name, size=(float(width), float(height)), render=_image_renderer(path, name))


def open_image(path: Path, name: str) -> Image.Image:
    """Decode an image fully, upright and in RGB (transparency flattened onto white)."""
    try:
        with Image.open(path) as raw:
            if raw.width * raw.height > MAX_IMAGE_PIXELS:
                raise errors.image_too_large(name, MAX_IMAGE_PIXELS)
            return _flatten(ImageOps.exif_transpose(raw))
    except Image.DecompressionBombError as exc:
        raise errors.image_too_large(name, MAX_IMAGE_PIXELS) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise errors.bad_image(name) from exc


def is_image(path: Path) -> bool:
    """Whether Pillow recognises the file as an image (reads the header only)."""
    try:
        with Image.open(path):
            return True
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(canvas, rgba).convert("RGB")
    return image.convert("RGB")


def _image_renderer(path: Path, name: str) -> Callable[[tuple[int, int]], Image.Image]:
    def render(box: tuple[int, int]) -> Image.Image:
        image = open_image(path, name)
        target = fit_size(image.size, box)
        return image if image.size == target else image.resize(target, Image.Resampling.LANCZOS)

    return render
