"""A corpus of awkward and broken slide files, generated on the fly (no binary fixtures).

Each case is either fixed by frame preparation (`expect="ok"`) or refused with its own
error code (`expect="frame.<code>"`).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw


@dataclass(frozen=True)
class Case:
    """One corpus file: how to make its bytes, what preparation must do with it."""

    name: str
    make: Callable[[], bytes]
    expect: str  # "ok" or the refusal's code
    options: dict[str, object] = field(default_factory=dict)
    says: str = ""  # words the report (ok) or the English message (refusal) must contain


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    """The image saved in `fmt` to bytes."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def slide(
    width: int = 1280, height: int = 720, colour: tuple[int, int, int] = (30, 60, 140)
) -> Image.Image:
    """A slide-like picture: white page, coloured title bar, a few bars of a chart."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, max(1, height // 7)), fill=colour)
    for index in range(4):
        left = width // 8 + index * width // 5
        draw.rectangle(
            (
                left,
                height - height // 3 - index * height // 12,
                left + width // 8,
                height - height // 10,
            ),
            fill=(200, 90, 40),
        )
    draw.text((width // 10, height // 4), "Quarterly results", fill=(20, 20, 20))
    return image


def photo_noise(width: int, height: int, seed: int = 7) -> Image.Image:
    """Photo-like content that PNG cannot squeeze: smooth shapes plus sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [
            128 + 70 * np.sin(xx / 97.0),
            128 + 70 * np.cos(yy / 61.0),
            128 + 70 * np.sin((xx + yy) / 143.0),
        ],
        axis=-1,
    )
    noisy = base + rng.normal(0, 40, base.shape).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    """One PNG chunk with its CRC."""
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def raw_png(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes | None) -> bytes:
    """A hand-made PNG: lets the corpus declare sizes and depths Pillow will not write."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    body = png_chunk(b"IHDR", header)
    if rows is not None:
        body += png_chunk(b"IDAT", zlib.compress(rows))
    return b"\x89PNG\r\n\x1a\n" + body + png_chunk(b"IEND", b"")


def rgb16_png(width: int = 640, height: int = 360) -> bytes:
    """A 16-bit-per-channel RGB PNG with a horizontal gradient."""
    ramp = np.linspace(0, 65535, width, dtype=np.float64).astype(">u2")
    pixel_rows = np.stack([ramp, ramp[::-1], np.full(width, 30000, dtype=">u2")], axis=-1)
    row = b"\x00" + pixel_rows.tobytes()
    return raw_png(width, height, 16, 2, row * height)


def grey16_png(value: int = 32768, size: tuple[int, int] = (640, 360)) -> bytes:
    """A 16-bit greyscale PNG of one level (Pillow opens it as mode I;16 or I)."""
    return encode(Image.fromarray(np.full(size[::-1], value, dtype=np.uint16)), "PNG")


def exif_rotated_jpeg() -> bytes:
    """Stored 800x600 (red left half, blue right half) with EXIF orientation 6 (turn 90° cw)."""
    image = Image.new("RGB", (800, 600), (220, 20, 20))
    image.paste((20, 20, 220), (400, 0, 800, 600))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(image, "JPEG", quality=95, exif=exif.tobytes())


def palette_with_transparency() -> bytes:
    """A palette PNG whose background index is transparent."""
    image = slide(800, 450).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    return encode(image, "PNG", transparency=int(image.getpixel((1, 450 - 2))))


def rgba_png() -> bytes:
    """An RGBA slide with a transparent background and a half-transparent box."""
    image = Image.new("RGBA", (1280, 720), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 600, 400), fill=(10, 120, 10, 255))
    draw.rectangle((700, 100, 1200, 400), fill=(10, 10, 200, 128))
    return encode(image, "PNG")


def la_png() -> bytes:
    """Greyscale with alpha: a grey disc on transparency."""
    image = Image.new("LA", (960, 540), (0, 0))
    ImageDraw.Draw(image).ellipse((200, 50, 760, 490), fill=(90, 255))
    return encode(image, "PNG")


def animated_gif() -> bytes:
    """Three frames: red, green, blue."""
    frames = [Image.new("RGB", (640, 360), colour) for colour in ("red", "green", "blue")]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


def multipage_tiff() -> bytes:
    """Two pages: a slide and a plain grey page."""
    return encode(
        slide(1024, 576),
        "TIFF",
        save_all=True,
        append_images=[Image.new("RGB", (1024, 576), "grey")],
    )


def float_tiff() -> bytes:
    """A 32-bit float greyscale TIFF (values 0..1), as scientific exports have."""
    ramp = np.tile(np.linspace(0.0, 1.0, 800, dtype=np.float32), (450, 1))
    return encode(Image.fromarray(ramp, mode="F"), "TIFF")


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """The first part of a file, as an interrupted copy leaves it."""
    return data[: int(len(data) * keep)]


def damaged_png() -> bytes:
    """A PNG whose image data was overwritten in the middle (CRC and zlib both broken)."""
    data = bytearray(encode(photo_noise(320, 240), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    return bytes(data)


def broken_png_header() -> bytes:
    """The PNG signature followed by rubbish."""
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def bomb_png() -> bytes:
    """A tiny PNG that declares 100000x100000 pixels (10 gigapixels)."""
    return raw_png(100_000, 100_000, 1, 0, None)


def random_bytes() -> bytes:
    """Binary noise with no known signature."""
    data = np.random.default_rng(3).integers(1, 256, 4096, dtype=np.uint8).tobytes()
    return b"\x13\x37" + data


def minimal_pdf() -> bytes:
    """A one-page PDF with no content."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def svg_file() -> bytes:
    """A small SVG drawing."""
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080">'
        b'<rect width="1920" height="1080" fill="#fff"/><text x="100" y="200">Hi</text></svg>\n'
    )


def heic_header() -> bytes:
    """The start of an iPhone HEIC photo."""
    return struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00mif1heic" + bytes(200)


def pptx_like() -> bytes:
    """A ZIP archive, as a PowerPoint file is."""
    return b"PK\x03\x04" + bytes(300)


CASES: tuple[Case, ...] = (
    Case(
        "screenshot_1280x720_png",
        lambda: encode(slide(), "PNG"),
        "ok",
        says="resized 1280x720 to 1920x1080",
    ),
    Case(
        "cmyk_jpeg", lambda: encode(slide().convert("CMYK"), "JPEG", quality=92), "ok", says="CMYK"
    ),
    Case("exif_rotated_jpeg", exif_rotated_jpeg, "ok", says="EXIF"),
    Case("grey16_png", grey16_png, "ok", says="16-bit greyscale"),
    Case("rgb16_png", rgb16_png, "ok", says="16-bit colour"),
    Case("palette_png_transparency", palette_with_transparency, "ok", says="transparency"),
    Case("rgba_png", rgba_png, "ok", says="transparency"),
    Case("la_png", la_png, "ok", says="transparency"),
    Case("animated_gif", animated_gif, "ok", says="first of 3 frames"),
    Case("webp", lambda: encode(slide(1600, 900), "WEBP", quality=90), "ok"),
    Case("bmp", lambda: encode(slide(1024, 768), "BMP"), "ok"),
    Case("avif", lambda: encode(slide(640, 360), "AVIF", quality=80), "ok"),
    Case("multipage_tiff", multipage_tiff, "ok", says="first of 2 pages"),
    Case("float_tiff", float_tiff, "ok", says="8-bit"),
    Case("one_bit_png", lambda: encode(slide().convert("1"), "PNG"), "ok"),
    Case("greyscale_jpeg", lambda: encode(slide().convert("L"), "JPEG"), "ok", says="greyscale"),
    Case("tiny_100x80", lambda: encode(slide(100, 80), "PNG"), "ok", says="upscaled"),
    Case("extreme_5000x400", lambda: encode(slide(5000, 400), "PNG"), "ok", says="outside Kling"),
    Case("tall_400x5000", lambda: encode(slide(400, 5000), "PNG"), "ok", says="outside Kling"),
    Case(
        "photo_4000x3000",
        lambda: encode(photo_noise(4000, 3000), "JPEG", quality=92),
        "ok",
        says="JPEG",
    ),
    Case("empty", lambda: b"", "frame.empty"),
    Case(
        "truncated_png", lambda: truncated(encode(photo_noise(640, 360), "PNG")), "frame.truncated"
    ),
    Case(
        "truncated_jpeg",
        lambda: truncated(encode(photo_noise(640, 360), "JPEG")),
        "frame.truncated",
    ),
    Case("damaged_png", damaged_png, "frame.corrupt"),
    Case("broken_png_header", broken_png_header, "frame.corrupt"),
    Case("random_bytes", random_bytes, "frame.not_image"),
    Case("pptx_like_zip", pptx_like, "frame.not_image", says="ZIP"),
    Case(
        "text_notes", lambda: "Slide notes: talk about Q3.\n第二页：总结。\n".encode(), "frame.text"
    ),
    Case("minimal_pdf", minimal_pdf, "frame.pdf"),
    Case("svg", svg_file, "frame.svg"),
    Case("heic_photo", heic_header, "frame.heic"),
    Case("bomb_png", bomb_png, "frame.bomb", says="10,000,000,000 pixels"),
    Case(
        "over_cap", lambda: encode(slide(), "PNG"), "frame.too_large", options={"upload_cap": 2_000}
    ),
)
