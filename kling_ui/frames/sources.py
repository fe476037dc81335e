"""Reading a frame's input (bytes, a path, or a PIL image) and naming what non-images are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeAlias

from PIL import Image

from kling_ui.frames import errors
from kling_ui.i18n import Text

FrameSource: TypeAlias = bytes | bytearray | memoryview | str | os.PathLike[str] | Image.Image
"""Anything a frame can be prepared from: file bytes, a file path, or an opened PIL image."""

DEFAULT_UPLOAD_CAP = 50 * 1024 * 1024


def read_source(source: FrameSource, upload_cap: int) -> bytes | Image.Image:
    """The file's bytes (checked against the cap, never empty), or the PIL image as given.

    Paths are measured before they are read, so an oversized file is refused unread.
    """
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        _check_size(len(data), upload_cap)
        return data
    if isinstance(source, str | os.PathLike):
        return _read_path(Path(source), upload_cap)
    raise errors.bad_option(
        "frame source",
        type(source).__name__,
        Text("image bytes, a file path or a PIL image", "图片字节、文件路径或 PIL 图片"),
    )


def _read_path(path: Path, upload_cap: int) -> bytes:
    """Read a file after checking it exists, is a file, and is under the cap."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise errors.unreadable(path.name or str(path), "not a regular file")
        _check_size(size, upload_cap)
        return path.read_bytes()
    except FileNotFoundError:
        raise errors.unreadable(path.name or str(path), "no such file") from None
    except PermissionError:
        raise errors.unreadable(path.name or str(path), "permission denied") from None
    except IsADirectoryError:
        raise errors.unreadable(path.name or str(path), "it is a folder") from None
    except OSError as exc:
        raise errors.unreadable(
            path.name or str(path), exc.strerror or type(exc).__name__
        ) from None


def _check_size(size: int, upload_cap: int) -> None:
    """Refuse empty input and input over the upload cap."""
    if size == 0:
        raise errors.empty_file()
    if size > upload_cap:
        raise errors.too_large(size, upload_cap)


# Signatures of the image formats Pillow can decode here; a match whose decode fails is
# damaged, not "not an image".
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)


def image_format_by_signature(data: bytes) -> str | None:
    """The image format named by the file's first bytes, if it is one we decode."""
    for signature, name in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return "AVIF"
    return None


def refuse_non_image(data: bytes) -> errors.FrameError:
    """The most specific refusal for bytes that no image decoder accepted."""
    head = data[:1024]
    if head.lstrip().startswith(b"%PDF") or b"%PDF-" in head[:32]:
        return errors.pdf_file()
    if data[4:8] == b"ftyp" and data[8:12] in (
        b"heic",
        b"heix",
        b"hevc",
        b"heim",
        b"mif1",
        b"msf1",
    ):
        return errors.heic_file()
    text = _as_text(data)
    if text is not None:
        lowered = text[:4096].lower()
        if "<svg" in lowered:
            return errors.svg_file()
        return errors.text_file()
    return errors.not_image(_describe_binary(data))


def _as_text(data: bytes) -> str | None:
    """The start of the data as text, or None when it is binary."""
    sample = data[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the sample's end: retry a little shorter.
            try:
                text = sample[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable / len(text) > 0.95:
            return text
    return None


def _describe_binary(data: bytes) -> str | None:
    """A human name for a few common non-image binaries people upload by mistake."""
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive or an Office document (PPTX, DOCX)"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Office document (PPT, DOC)"
    if data[4:8] == b"ftyp":
        return "an MP4/MOV video"
    return None
