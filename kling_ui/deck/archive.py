"""Slide images taken out of a ZIP, safely.

Refused: paths that climb out of the archive (absolute, drive letters, `..`), archives inside
the archive, encrypted or damaged ZIPs, and ZIPs that would unpack to more than a fixed budget
(a ZIP bomb). Members are copied to numbered files, never to their own names, and the bytes
actually unpacked are counted, so a member that lies about its size cannot exceed the budget.
Members that are not images are skipped with a note; system clutter is skipped silently.
"""

from __future__ import annotations

import logging
import re
import stat
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from kling_ui.deck import errors
from kling_ui.deck.natural import natural_key
from kling_ui.i18n import Text

log = logging.getLogger("kling_ui.deck.archive")

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
ARCHIVE_SUFFIXES = frozenset(
    {".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".jar", ".cab"}
)
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
)
MAX_TOTAL_BYTES = 500_000_000
MAX_MEMBERS = 2_000
_CHUNK = 1 << 20
_JUNK = re.compile(r"(^|/)(__MACOSX/|\._|\.DS_Store$|Thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_DRIVE = re.compile(r"^[A-Za-z]:")


def extract_images(
    archive: Path,
    outdir: Path,
    *,
    notes: list[Text] | None = None,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> list[tuple[str, Path]]:
    """Copy the images in `archive` to `outdir`; return (member name, file) in natural order."""
    name = archive.name
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise errors.zip_too_large(name, max_total_bytes)
            images = _select_images(name, members, notes)
            if sum(m.file_size for m in images) > max_total_bytes:
                raise errors.zip_too_large(name, max_total_bytes)
            outdir.mkdir(parents=True, exist_ok=True)
            budget = max_total_bytes
            extracted: list[tuple[str, Path]] = []
            for number, member in enumerate(images, start=1):
                target = outdir / f"{number:04d}{PurePosixPath(member.filename).suffix.lower()}"
                budget -= _copy_member(zf, member, target, budget, (name, max_total_bytes))
                extracted.append((member.filename, target))
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
        raise errors.bad_zip(name) from exc
    return extracted


def _select_images(
    name: str, members: list[zipfile.ZipInfo], notes: list[Text] | None
) -> list[zipfile.ZipInfo]:
    images: list[zipfile.ZipInfo] = []
    for member in members:
        path = member.filename.replace("\\", "/")
        if _is_unsafe(path):
            raise errors.zip_traversal(name, member.filename)
        if member.is_dir() or _JUNK.search(path):
            continue
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in ARCHIVE_SUFFIXES:
            raise errors.nested_archive(name, member.filename)
        if suffix not in IMAGE_SUFFIXES or stat.S_ISLNK(member.external_attr >> 16):
            log.info("%s: skipping %s (not an image)", name, member.filename)
            if notes is not None:
                notes.append(
                    Text("Skipped {member}: not an image.", "已跳过 {member}：不是图片。").format(
                        member=member.filename
                    )
                )
            continue
        images.append(member)
    images.sort(key=lambda m: natural_key(m.filename.replace("\\", "/")))
    return images


def _is_unsafe(path: str) -> bool:
    return (
        path.startswith("/")
        or bool(_DRIVE.match(path))
        or ".." in PurePosixPath(path).parts
        or "\x00" in path
    )


def _copy_member(
    zf: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    target: Path,
    budget: int,
    archive: tuple[str, int],
) -> int:
    """Copy one member to `target`, refusing it past `budget` bytes; return the bytes copied."""
    name, limit = archive
    copied = 0
    with zf.open(member) as source, target.open("wb") as sink:
        head = source.read(8)
        if head.startswith(ARCHIVE_MAGIC):
            raise errors.nested_archive(name, member.filename)
        chunk = head
        while chunk:
            copied += len(chunk)
            if copied > budget:
                raise errors.zip_too_large(name, limit)
            sink.write(chunk)
            chunk = source.read(_CHUNK)
    return copied
