"""A corpus of hostile inputs, generated on the spot (no binary fixtures): broken and disguised
images, decompression bombs, enormous and tiny images, extreme ratios, PDFs with no pages or
a password, ZIPs with climbing names, nested archives or a bomb's size, and requests with
prompts over the limit, control characters or settings the API must not accept.

Every case says what must happen: refused with a stable code (`code`) and a message holding
`says`, or, for inputs the Studio can fix, accepted with a note holding `says`.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pdf_samples import empty_pdf_bytes, encrypted_pdf_bytes, pdf_bytes
from PIL import Image

from kling_ui.simulator import slide_png

UPLOAD_CAP = 50 * 1024 * 1024  # the Studio's and frame preparation's upload limit


@dataclass(frozen=True)
class FileCase:
    """A file (or files) a person hands over; `make(folder)` writes it and returns the paths."""

    name: str
    make: Callable[[Path], list[Path]]
    code: str | None  # the refusal's code; None: accepted, with a note
    says: str  # words the English message (or the note) must contain


@dataclass(frozen=True)
class RequestCase:
    """A generation request with hostile text or settings, as each door receives it."""

    name: str
    api: dict[str, Any] | None  # fields for /generate (frames added); None: no such input
    cli: list[str]  # extra arguments for `python -m kling_ui generate FIRST LAST`
    spec: dict[str, Any] | None  # JobSpec fields for engine.submit (None: not expressible)
    says: str
    code: str | None = None  # the engine's UserError code
    cli_code: str | None = None  # the CLI's code, when it refuses earlier than the engine
    cli_says: str = ""  # what argparse says instead, when the CLI refuses it as usage


# ---- images ------------------------------------------------------------------------------


def _encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def _raw_png(width: int, height: int, bit_depth: int, rows: bytes | None) -> bytes:
    """A hand-made greyscale PNG that may declare any size."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    body = _png_chunk(b"IHDR", header)
    if rows is not None:
        body += _png_chunk(b"IDAT", zlib.compress(rows, 1))
    return b"\x89PNG\r\n\x1a\n" + body + _png_chunk(b"IEND", b"")


def _slide(width: int = 640, height: int = 360) -> bytes:
    return slide_png(width, height, "Hostile")


def _jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header is rewritten to claim another size."""
    data = bytearray(_encode(Image.open(io.BytesIO(_slide())).convert("RGB"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _gif_claiming(width: int, height: int) -> bytes:
    """A small GIF whose logical screen claims another size."""
    data = bytearray(_encode(Image.new("P", (64, 64)), "GIF"))
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def _enormous_png() -> bytes:
    """A valid 1-bit 15000x10000 PNG (150 megapixels, a few kB compressed)."""
    row = b"\x00" + b"\xff" * (15000 // 8)
    return _raw_png(15000, 10000, 1, row * 10000)


def _damaged_png() -> bytes:
    data = bytearray(_encode(Image.effect_noise((320, 240), 64).convert("RGB"), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    return bytes(data)


def _one_page_pdf() -> bytes:
    return pdf_bytes(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 225] >>",
        ]
    )


def _tiny_mp4_header() -> bytes:
    return struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + bytes(400)


def _heic_header() -> bytes:
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + bytes(200)


def _svg() -> bytes:
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="1920" '
        b'height="1080"><script>alert(1)</script><rect width="10" height="10"/></svg>'
    )


def _file(name: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], list[Path]]:
    def make(folder: Path) -> list[Path]:
        path = folder / name
        path.write_bytes(data() if callable(data) else data)
        return [path]

    return make


def _sparse_over_cap(name: str) -> Callable[[Path], list[Path]]:
    """A PNG-headed file one byte over the upload cap (sparse: it costs no disk)."""

    def make(folder: Path) -> list[Path]:
        path = folder / name
        with path.open("wb") as handle:
            handle.write(_slide())
            handle.truncate(UPLOAD_CAP + 1)
        return [path]

    return make


FRAME_CASES: tuple[FileCase, ...] = (
    FileCase("empty file", _file("empty.png", b""), "frame.empty", "empty"),
    FileCase(
        "random bytes",
        _file("noise.png", bytes(range(7, 256)) * 40),
        "frame.not_image",
        "not an image",
    ),
    FileCase(
        "text named .png",
        _file("notes.png", "Q3 notes\n第二页\n".encode()),
        "frame.text",
        "text file",
    ),
    FileCase(
        "HTML named .jpg",
        _file("page.jpg", b"<!doctype html><html><body>hi</body></html>"),
        "frame.text",
        "text file",
    ),
    FileCase("PDF named .png", _file("deck.png", _one_page_pdf), "frame.pdf", "PDF"),
    FileCase(
        "ZIP named .jpg",
        _file("slides.jpg", lambda: _zip({"a.png": _slide()})),
        "frame.not_image",
        "ZIP",
    ),
    FileCase("SVG with a script", _file("vector.png", _svg()), "frame.svg", "SVG"),
    FileCase("HEIC named .jpg", _file("photo.jpg", _heic_header()), "frame.heic", "HEIC"),
    FileCase("MP4 named .png", _file("clip.png", _tiny_mp4_header()), "frame.not_image", "video"),
    FileCase(
        "truncated PNG", _file("cut.png", lambda: _slide()[:400]), "frame.truncated", "cut off"
    ),
    FileCase(
        "truncated JPEG",
        _file("cut.jpg", lambda: _encode(Image.open(io.BytesIO(_slide())), "JPEG")[:900]),
        "frame.truncated",
        "cut off",
    ),
    FileCase(
        "PNG signature then rubbish",
        _file("rubbish.png", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        "frame.corrupt",
        "damaged",
    ),
    FileCase("damaged PNG data", _file("damaged.png", _damaged_png), "frame.corrupt", "damaged"),
    FileCase(
        "PNG bomb (10 gigapixels declared)",
        _file("bomb.png", lambda: _raw_png(100_000, 100_000, 1, None)),
        "frame.bomb",
        "pixel safety limit",
    ),
    FileCase(
        "JPEG bomb (65000x65000 declared)",
        _file("bomb.jpg", lambda: _jpeg_claiming(65000, 65000)),
        "frame.bomb",
        "pixel safety limit",
    ),
    FileCase(
        "GIF bomb (65535x65535 declared)",
        _file("bomb.gif", lambda: _gif_claiming(65535, 65535)),
        "frame.bomb",
        "pixel safety limit",
    ),
    FileCase(
        "enormous real PNG (150 MP)", _file("huge.png", _enormous_png), "frame.bomb", "15000x10000"
    ),
    FileCase(
        "file over the 50 MB cap", _sparse_over_cap("big.png"), "frame.too_large", "upload limit"
    ),
    FileCase(
        "tiny 1x1 image",
        _file("dot.png", lambda: _encode(Image.new("RGB", (1, 1), "red"), "PNG")),
        None,
        "upscaled",
    ),
    FileCase(
        "extreme ratio 4000x40",
        _file("strip.png", lambda: _encode(Image.new("RGB", (4000, 40), "blue"), "PNG")),
        None,
        "outside Kling",
    ),
)


# ---- decks -------------------------------------------------------------------------------


def _encrypted_pdf() -> bytes:
    """A one-page PDF that opens only with the user password "letmein"."""
    return encrypted_pdf_bytes("letmein")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _zip_patched(members: dict[str, bytes], *, size: int | None = None, flags: int = 0) -> bytes:
    """A ZIP whose headers are rewritten after writing: every member claims `size` bytes
    unpacked, and/or has general-purpose `flags` set (bit 0: encrypted)."""
    data = bytearray(_zip(members))
    for signature, flag_at, size_at in ((b"PK\x03\x04", 6, 22), (b"PK\x01\x02", 8, 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if flags:
                old = struct.unpack_from("<H", data, start + flag_at)[0]
                struct.pack_into("<H", data, start + flag_at, old | flags)
            if size is not None:
                struct.pack_into("<I", data, start + size_at, size)
            start += 4
    return bytes(data)


def _slides_zip(extra: dict[str, bytes]) -> bytes:
    return _zip({"slide1.png": _slide(), "slide2.png": _slide(), **extra})


def _files(*named: tuple[str, bytes | Callable[[], bytes]]) -> Callable[[Path], list[Path]]:
    def make(folder: Path) -> list[Path]:
        paths = []
        for name, data in named:
            path = folder / name
            path.write_bytes(data() if callable(data) else data)
            paths.append(path)
        return paths

    return make


DECK_CASES: tuple[FileCase, ...] = (
    FileCase(
        "PDF with no pages", _files(("empty.pdf", empty_pdf_bytes)), "deck.empty_pdf", "no pages"
    ),
    FileCase(
        "PDF with a password",
        _files(("locked.pdf", _encrypted_pdf)),
        "deck.encrypted_pdf",
        "password",
    ),
    FileCase(
        "PDF cut short", _files(("cut.pdf", lambda: _one_page_pdf()[:120])), "deck.bad_pdf", "PDF"
    ),
    FileCase(
        "ZIP climbing out with ../",
        _files(("climb.zip", lambda: _slides_zip({"../../evil.png": _slide()}))),
        "deck.zip_traversal",
        "../../evil.png",
    ),
    FileCase(
        "ZIP with an absolute path",
        _files(("abs.zip", lambda: _slides_zip({"/etc/cron.d/evil.png": _slide()}))),
        "deck.zip_traversal",
        "/etc/cron.d/evil.png",
    ),
    FileCase(
        "ZIP inside a ZIP",
        _files(("nested.zip", lambda: _slides_zip({"more.zip": _zip({"s.png": _slide()})}))),
        "deck.nested_archive",
        "more.zip",
    ),
    FileCase(
        "ZIP disguised inside a ZIP",
        _files(("hidden.zip", lambda: _slides_zip({"s3.png": _zip({"s.png": _slide()})}))),
        "deck.nested_archive",
        "s3.png",
    ),
    FileCase(
        "ZIP claiming 3 GB unpacked",
        _files(
            (
                "bomb.zip",
                lambda: _zip_patched({"a.png": _slide(), "b.png": _slide()}, size=3_000_000_000),
            )
        ),
        "deck.zip_too_large",
        "500 MB",
    ),
    FileCase(
        "ZIP with encrypted members",
        _files(
            ("locked.zip", lambda: _zip_patched({"a.png": _slide(), "b.png": _slide()}, flags=1))
        ),
        "deck.bad_zip",
        "ZIP",
    ),
    FileCase("a single slide", _files(("only.png", _slide)), "deck.too_few_slides", "at least 2"),
    FileCase(
        "a video instead of slides",
        _files(("talk.mp4", _tiny_mp4_header), ("more.mp4", _tiny_mp4_header)),
        "deck.unsupported",
        "is not a PDF",
    ),
)


# ---- requests ----------------------------------------------------------------------------

CONTROL = "Push in\x00 slowly\x1b[2J\x1b]0;pwned\x07 to the chart\x08\x7f\x9b\x0b"
LONG = "A slow push-in across the chart. " * 76  # 2508 characters
EMOJI = "📈" * 2501  # 2501 code points, 10004 UTF-8 bytes

REQUEST_CASES: tuple[RequestCase, ...] = (
    RequestCase(
        "prompt over 2500 characters",
        {"prompt": LONG},
        ["--prompt", LONG],
        {"prompt": LONG},
        "2500",
        code="kling.UnsupportedRequest",
        cli_code="prompt.too_long",
    ),
    RequestCase(
        "prompt of 2501 emoji",
        {"prompt": EMOJI},
        ["--prompt", EMOJI],
        {"prompt": EMOJI},
        "2500",
        code="kling.UnsupportedRequest",
        cli_code="prompt.too_long",
    ),
    RequestCase(
        "negative prompt over 2500",
        {"negative_prompt": LONG},
        ["--negative", LONG],
        {"negative_prompt": LONG},
        "2500",
        code="kling.UnsupportedRequest",
        cli_code="prompt.negative_too_long",
    ),
    RequestCase(
        "a model Kling does not have",
        {"model": "kling-v9-ultra"},
        ["--model", "kling-v9-ultra"],
        {"model": "kling-v9-ultra"},
        "kling-v9-ultra",
        code="kling.UnsupportedRequest",
        cli_says="invalid choice",
    ),
    RequestCase(
        "a mode Kling does not have",
        {"mode": "ultra"},
        ["--mode", "ultra"],
        None,
        "ultra",
        cli_says="invalid choice",
    ),
    RequestCase(
        "a duration Kling does not have",
        {"duration": "7"},
        ["--duration", "7"],
        None,
        "7",
        cli_says="invalid choice",
    ),
    RequestCase(
        "a model that cannot take a last frame",
        {"model": "kling-v2-master"},
        ["--model", "kling-v2-master"],
        {"model": "kling-v2-master"},
        "last frame",
        code="kling.UnsupportedRequest",
    ),
    RequestCase(
        "std mode with a last frame on kling-v2-6",
        {"mode": "std"},
        ["--mode", "std"],
        {"mode": "std"},
        "std",
        code="kling.UnsupportedRequest",
    ),
    RequestCase(
        "cfg_scale on a v2 model",
        None,
        [],
        {"cfg_scale": 0.5},
        "cfg_scale",
        code="kling.UnsupportedRequest",
    ),
)


def has_control_characters(text: str) -> bool:
    """True if `text` holds a C0/C1 control character other than tab and line breaks."""
    return any((ord(ch) < 32 and ch not in "\t\r\n") or 0x7F <= ord(ch) <= 0x9F for ch in text)
