"""A PowerPoint file read before LibreOffice renders it: clear refusals, and its speaker notes.

What can be refused without LibreOffice is refused here, quickly: a file too large to render, a
password-protected one (PowerPoint then saves an encrypted OLE compound file holding an
`EncryptedPackage` stream instead of a ZIP), one with no slide to show, one with more slides
than a deck accepts. The notes of the slides LibreOffice will render (hidden slides are left
out of its PDF, so they are left out here too) are read with python-pptx.

A file python-pptx cannot read (a legacy .ppt, a Keynote file, a damaged ZIP) is left to
LibreOffice, which opens more formats; if it cannot open it either, that is its refusal.
"""

from __future__ import annotations

import logging
import mmap
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.slide import Slide as PptxSlide

from kling_ui.deck import errors
from kling_ui.i18n import UserError

log = logging.getLogger("kling_ui.deck.pptx_in")

OOXML_SUFFIXES = frozenset({".pptx", ".ppsx", ".pptm", ".potx", ".ppsm", ".potm"})
MAX_PPTX_BYTES = 250_000_000
"""Above this a presentation file is refused (LibreOffice would take minutes)."""
MAX_UNPACKED_BYTES = 1_000_000_000
"""Above this unpacked a presentation is refused (possible ZIP bomb)."""
MAX_NOTES_CHARS = 4000
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAMS = tuple(
    name.encode("utf-16-le") for name in ("EncryptedPackage", "EncryptionInfo")
)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class PresentationInfo:
    """What python-pptx found in a presentation file.

    `shown` lists the (0-based) places in the file's slide list of the slides a slide show
    shows, in order: LibreOffice renders exactly these. `notes` holds each shown slide's
    speaker notes ("" when it has none).
    """

    total: int
    shown: tuple[int, ...]
    notes: tuple[str, ...]


def is_ooxml(path: Path) -> bool:
    """Whether the file name says PowerPoint's XML format (.pptx and its kin)."""
    return path.suffix.lower() in OOXML_SUFFIXES


def check_presentation(path: Path, *, max_slides: int) -> PresentationInfo | None:
    """Refuse what can be refused before LibreOffice runs; the slides and notes when
    python-pptx can read the file (None when it cannot: LibreOffice then decides).

    Raises `UserError` deck.pptx_too_large, deck.pptx_encrypted, deck.pptx_empty or
    deck.too_many_slides.
    """
    name = path.name
    size = path.stat().st_size
    if size > MAX_PPTX_BYTES:
        raise errors.pptx_too_large(name, MAX_PPTX_BYTES)
    if _is_encrypted_container(path):
        raise errors.pptx_encrypted(name)
    if not is_ooxml(path) or not zipfile.is_zipfile(path):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if unpacked > MAX_UNPACKED_BYTES:
        raise errors.pptx_too_large(name, MAX_UNPACKED_BYTES)
    try:
        presentation = Presentation(str(path))
        slides = list(presentation.slides)
        shown = tuple(i for i, slide in enumerate(slides) if not is_hidden(slide))
        if not shown:
            raise errors.pptx_empty(name)
        if len(shown) > max_slides:
            raise errors.too_many_slides(len(shown), max_slides)
        notes = tuple(slide_notes(slides[i]) for i in shown)
    except UserError:
        raise
    except Exception as exc:  # python-pptx raises many kinds on a file it cannot read
        log.info("python-pptx cannot read %s (%s); LibreOffice will try", name, exc)
        return None
    return PresentationInfo(total=len(slides), shown=shown, notes=notes)


def is_hidden(slide: PptxSlide) -> bool:
    """Whether the slide is hidden from the slide show (`<p:sld show="0">`)."""
    return slide.element.get("show") in ("0", "false")


def slide_notes(slide: PptxSlide) -> str:
    """The slide's speaker notes as plain text ("" when it has none), tidied and capped."""
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    if frame is None:
        return ""
    return tidy_notes(frame.text)


def tidy_notes(text: str) -> str:
    """Notes as one clean text: PowerPoint's line breaks as newlines, runs of spaces and of
    blank lines collapsed, at most `MAX_NOTES_CHARS` characters."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\x0b", "\n").splitlines()]
    tidy = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return tidy[:MAX_NOTES_CHARS].rstrip()


def _is_encrypted_container(path: Path) -> bool:
    """An OLE compound file holding the streams of Office's encryption: a .pptx saved with a
    password (whatever its file name says)."""
    with path.open("rb") as handle:
        if handle.read(len(CFB_MAGIC)) != CFB_MAGIC:
            return False
        if path.stat().st_size == len(CFB_MAGIC):
            return False
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return any(data.find(stream) >= 0 for stream in _ENCRYPTION_STREAMS)
