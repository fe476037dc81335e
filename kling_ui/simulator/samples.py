"""Slide-like sample images (big title, a few text lines) for the demo and for tests."""

from __future__ import annotations

import base64
import hashlib
import io
import re

from PIL import Image, ImageDraw, ImageFont

RGB = tuple[int, int, int]

_PALETTE: tuple[RGB, ...] = (
    (32, 64, 128),
    (150, 40, 50),
    (30, 110, 70),
    (120, 60, 140),
    (200, 120, 30),
    (40, 120, 140),
)


def slide_png(
    width: int = 1920,
    height: int = 1080,
    text: str = "Slide 1",
    color: RGB | None = None,
) -> bytes:
    """A PNG that looks like a presentation slide: a coloured background, a big title, a
    light panel with a few lines. Without `color` the colour follows from `text`: a title
    ending in a number takes the palette entry of that number (so consecutive slides always
    differ), any other title one chosen by its hash."""
    background = color or _default_color(text)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    title_font = ImageFont.load_default(size=max(12, unit // 7))
    body_font = ImageFont.load_default(size=max(8, unit // 22))
    margin = width // 12
    draw.text((margin, height // 10), text, font=title_font, fill=(255, 255, 255))
    panel_top = height // 10 + unit // 7 + unit // 12
    draw.rounded_rectangle(
        (margin, panel_top, width - margin, height - height // 10),
        radius=max(4, unit // 40),
        fill=(245, 245, 240),
    )
    line_height = max(10, unit // 14)
    for index in range(3):
        y = panel_top + line_height // 2 + index * line_height
        if y + line_height > height - height // 10:
            break
        dot = max(2, line_height // 6)
        dot_y = y + line_height // 3
        draw.ellipse(
            (margin * 3 // 2, dot_y - dot // 2, margin * 3 // 2 + dot, dot_y + dot // 2),
            fill=background,
        )
        draw.text(
            (margin * 3 // 2 + 3 * dot, y),
            f"{text}: point {index + 1}",
            font=body_font,
            fill=background,
        )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _default_color(text: str) -> RGB:
    number = re.search(r"(\d+)\s*$", text)
    index = int(number.group(1)) if number else hashlib.sha256(text.encode()).digest()[0]
    return _PALETTE[index % len(_PALETTE)]


def slide_b64(
    width: int = 1920,
    height: int = 1080,
    text: str = "Slide 1",
    color: RGB | None = None,
) -> str:
    """`slide_png` as base64 text without a data: prefix, as Kling expects it."""
    return base64.b64encode(slide_png(width, height, text, color)).decode("ascii")
