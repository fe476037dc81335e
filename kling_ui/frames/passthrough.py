"""Keeping a PNG that already meets Kling's limits byte for byte, instead of re-encoding it.

A slide exported at the size the pair needs is usually ready as it is: re-encoding it would
cost a full PNG encode and give different bytes for the same pixels. It is kept only when
preparing it would change nothing: an 8-bit RGB PNG without alpha or a transparent colour,
one frame, upright, at exactly the target size, under the byte cap, holding no chunk beyond
the picture and colour or density hints (text, EXIF and time chunks can carry personal data
that a re-encode drops), every chunk intact and nothing after the end.
"""

from __future__ import annotations

import struct
import zlib

from kling_ui.frames.decode import DecodedImage
from kling_ui.frames.encode import size_text
from kling_ui.i18n import Text

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_KEPT_CHUNKS = frozenset(
    {b"IHDR", b"IDAT", b"IEND", b"pHYs", b"sRGB", b"gAMA", b"cHRM", b"iCCP", b"sBIT", b"bKGD"}
)
_BIT_DEPTH_8 = 8
_TRUECOLOUR = 2  # PNG colour type 2: RGB, no alpha
_NOT_INTERLACED = 0


def keeps_as_is(decoded: DecodedImage, target: tuple[int, int], max_bytes: int) -> bool:
    """True when `decoded` came from a PNG that can be sent to Kling exactly as it is."""
    data = decoded.data
    return (
        data is not None
        and decoded.source_format == "PNG"
        and decoded.source_mode == "RGB"
        and not decoded.report
        and decoded.source_size == decoded.upright_size == decoded.image.size == target
        and len(data) < max_bytes
        and plain_rgb_png(data)
    )


def plain_rgb_png(data: bytes) -> bool:
    """Whether `data` is an 8-bit, non-interlaced RGB PNG made only of kept chunks, each with
    a correct CRC, ending exactly at its IEND chunk."""
    if not data.startswith(_SIGNATURE):
        return False
    position = len(_SIGNATURE)
    first = True
    while position + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data) or kind not in _KEPT_CHUNKS:
            return False
        body = data[position + 8 : end - 4]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            return False
        if first and (kind != b"IHDR" or not _plain_header(body)):
            return False
        if kind == b"IEND":
            return end == len(data)
        first = False
        position = end
    return False


def kept_note(size: int) -> Text:
    """The report line of a kept PNG."""
    text = size_text(size)
    return Text(
        f"kept the PNG as it is ({text}): it already meets Kling's limits",
        f"原 PNG 已符合可灵的要求，原样保留（{text}）",
    )


def _plain_header(body: bytes) -> bool:
    """An IHDR for 8 bits per channel, RGB, not interlaced."""
    if len(body) != 13:
        return False
    depth, colour_type, _, _, interlace = body[8:13]
    return (depth, colour_type, interlace) == (_BIT_DEPTH_8, _TRUECOLOUR, _NOT_INTERLACED)
