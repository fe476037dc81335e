"""PowerPoint files made on the spot for deck tests: a talk with titles, a chart-like shape and
speaker notes (python-pptx), an empty one, and a password-protected one (an encrypted OLE
compound file, as PowerPoint saves it, instead of a ZIP).
"""

from __future__ import annotations

import shutil
import struct
from collections.abc import Sequence
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.util import Emu, Pt

# Flat, far-apart backgrounds so a rendered page is easy to tell from another.
BACKGROUNDS = [(200, 50, 40), (40, 150, 70), (40, 70, 200), (230, 200, 60), (120, 40, 140)]
WIDE = (12_192_000, 6_858_000)  # 16:9, as PowerPoint makes it
STANDARD = (9_144_000, 6_858_000)  # 4:3

needs_soffice = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (soffice) is not installed; scripts/test.sh installs it",
)


def write_talk(
    path: Path,
    notes: Sequence[str],
    *,
    size: tuple[int, int] = WIDE,
    hidden: Sequence[int] = (),
) -> Path:
    """A presentation with one slide per entry of `notes`: a coloured background, a title
    ("Slide k"), three white bars like a chart, and those speaker notes ("" for none).
    Slides whose places are in `hidden` are hidden from the slide show."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Emu(size[0]), Emu(size[1])
    title_only = presentation.slide_layouts[5]
    width, height = size
    for index, text in enumerate(notes):
        slide = presentation.slides.add_slide(title_only)
        slide.background.fill.solid()
        slide.background.fill.fore_color.rgb = RGBColor(*BACKGROUNDS[index % len(BACKGROUNDS)])
        title = slide.shapes.title
        if title is not None:
            title.text = f"Slide {index + 1}"
            title.text_frame.paragraphs[0].runs[0].font.size = Pt(40)
            title.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(255, 255, 255)
        for bar in range(3):
            tall = height * (bar + 1 + index % 2) // 10
            left = width * (3 + 2 * bar) // 12
            shape = slide.shapes.add_shape(
                MSO_SHAPE.RECTANGLE, left, height * 9 // 10 - tall, width // 12, tall
            )
            shape.fill.solid()
            shape.fill.fore_color.rgb = RGBColor(255, 255, 255)
            shape.line.fill.background()
        if text:
            slide.notes_slide.notes_text_frame.text = text
        if index in hidden:
            slide.element.set("show", "0")
    presentation.save(str(path))
    return path


def write_empty_pptx(path: Path) -> Path:
    """A well-formed presentation without any slide."""
    Presentation().save(str(path))
    return path


# ---- a password-protected PowerPoint file ---------------------------------------------------

_SECTOR = 512
_FREE, _END, _FAT, _NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def write_encrypted_pptx(path: Path) -> Path:
    """What PowerPoint saves for a presentation with a password: an OLE compound file (CFB,
    version 3) holding the `EncryptionInfo` and `EncryptedPackage` streams (their content
    here is filler: only the container matters to the deck)."""
    streams = [
        ("EncryptionInfo", b"\x04\x00\x04\x00" + bytes(4092)),
        ("EncryptedPackage", bytes(4096)),
    ]
    fat = [_FAT, _END]  # sector 0: the FAT itself; sector 1: the directory
    starts = []
    for _, data in streams:
        count = len(data) // _SECTOR
        start = len(fat)
        starts.append(start)
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
    fat += [_FREE] * (_SECTOR // 4 - len(fat))
    directory = _entry("Root Entry", 5, child=1, start=_END, size=0)
    directory += _entry(streams[0][0], 2, right=2, start=starts[0], size=len(streams[0][1]))
    directory += _entry(streams[1][0], 2, start=starts[1], size=len(streams[1][1]))
    directory += _entry("", 0, start=0, size=0)
    header = (
        bytes.fromhex("d0cf11e0a1b11ae1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
        + struct.pack("<I", 0)
        + struct.pack("<I", _FREE) * 108
    )
    body = struct.pack(f"<{len(fat)}I", *fat) + directory + b"".join(d for _, d in streams)
    path.write_bytes(header + body)
    return path


def _entry(
    name: str,
    kind: int,
    *,
    left: int = _NONE,
    right: int = _NONE,
    child: int = _NONE,
    start: int,
    size: int,
) -> bytes:
    """One 128-byte directory entry of a compound file."""
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBB", len(encoded), kind, 1)
        + struct.pack("<III", left, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, size)
    )
