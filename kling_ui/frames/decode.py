"""Opening an image safely and turning it into plain 8-bit RGB, noting each change made."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageCms

from kling_ui.frames import errors
from kling_ui.frames.sources import image_format_by_signature, refuse_non_image
from kling_ui.i18n import Text

log = logging.getLogger("kling_ui.frames")

# Formats with an unambiguous signature only: formats without one (TGA, for example)
# would "recognise" random bytes. Phones' multi-picture JPEGs (MPO) open through "JPEG".
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF", "AVIF")

RGB = tuple[int, int, int]

_ORIENTATION_TAG = 0x0112
_ORIENTATION_WORDS = {
    2: Text("mirrored", "水平翻转"),
    3: Text("rotated 180°", "旋转 180°"),
    4: Text("flipped upside down", "垂直翻转"),
    5: Text("rotated and mirrored", "旋转并翻转"),
    6: Text("rotated 90° clockwise", "顺时针旋转 90°"),
    7: Text("rotated and mirrored", "旋转并翻转"),
    8: Text("rotated 90° anticlockwise", "逆时针旋转 90°"),
}
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_SIDES = (5, 6, 7, 8)
_SRGB = ImageCms.createProfile("sRGB")
_DEEP_GREY = {
    "I;16": Text("16-bit greyscale", "16 位灰度"),
    "I;16B": Text("16-bit greyscale", "16 位灰度"),
    "I;16L": Text("16-bit greyscale", "16 位灰度"),
    "I;16N": Text("16-bit greyscale", "16 位灰度"),
    "I": Text("32-bit greyscale", "32 位灰度"),
    "F": Text("floating-point greyscale", "浮点灰度"),
}


@dataclass
class DecodedImage:
    """An image ready for resizing: RGB pixels plus what was done to get there.

    `upright_size` is the picture's full size once turned upright; `image` may be smaller
    when a JPEG was decoded at a reduced scale because the target is smaller anyway.
    `data` is the file's bytes when it was opened from bytes (None for a caller's PIL image).
    """

    image: Image.Image
    source_format: str | None
    source_size: tuple[int, int]
    source_mode: str
    upright_size: tuple[int, int]
    report: list[Text] = field(default_factory=list)
    data: bytes | None = None


SizeWanted = Callable[[tuple[int, int]], tuple[int, int]]
"""Given the upright full size, the size the picture will be brought to."""


def decode(
    source: bytes | Image.Image,
    *,
    background: RGB,
    max_pixels: int,
    size_wanted: SizeWanted | None = None,
) -> DecodedImage:
    """Open bytes (or take a PIL image), orient it, keep its first frame, and make it RGB.

    With `size_wanted`, a large JPEG is decoded straight at a reduced scale that is still at
    least the wanted size (libjpeg's DCT scaling): the same pixels the resize would keep, in
    a fraction of the time.
    """
    if isinstance(source, Image.Image):
        image, fmt = _first_frame_of_given(source, max_pixels), source.format
    else:
        image, fmt = _open_bytes(source, max_pixels)
    stored, report = image.size, []
    if isinstance(source, bytes):
        report.extend(_container_notes(image, fmt))
        if size_wanted is not None and fmt in ("JPEG", "MPO"):
            # A JPEG's EXIF sits in its header, so reading it here does not decode pixels
            # (a PNG's may follow the image data: that is read after loading).
            _decode_reduced(image, stored, _orientation(image), size_wanted)
        image = _load(image, fmt, source)
    orientation = _orientation(image)
    upright = (stored[1], stored[0]) if orientation in _SWAPS_SIDES else stored
    data = source if isinstance(source, bytes) else None
    decoded = DecodedImage(image, fmt, stored, image.mode, upright, report, data)
    image = _apply_orientation(image, orientation, decoded.report)
    decoded.image = _to_rgb(image, background, decoded.report)
    return decoded


def _container_notes(image: Image.Image, fmt: str | None) -> list[Text]:
    """What the file held beyond one 8-bit picture: 16-bit colour, more frames or pages."""
    notes = []
    if _has_16bit_colour(image):
        notes.append(Text("reduced 16-bit colour to 8-bit", "将 16 位色深降为 8 位"))
    frames = _frame_count(image)
    if frames > 1 and fmt != "MPO":
        unit = Text("pages", "页") if fmt == "TIFF" else Text("frames", "帧")
        notes.append(
            Text(
                f"used the first of {frames} {unit.en} of the {fmt}",
                f"使用了 {fmt} 的第 1 {unit.zh}（共 {frames} {unit.zh}）",
            )
        )
    return notes


def _decode_reduced(
    image: Image.Image, stored: tuple[int, int], orientation: int, size_wanted: SizeWanted
) -> None:
    """Ask the JPEG decoder for the smallest 1/2, 1/4 or 1/8 scale still covering the size
    the picture will be brought to."""
    upright = (stored[1], stored[0]) if orientation in _SWAPS_SIDES else stored
    wanted = size_wanted(upright)
    if orientation in _SWAPS_SIDES:
        wanted = (wanted[1], wanted[0])
    try:
        image.draft(image.mode, wanted)
    except (OSError, ValueError) as exc:  # a draft is only a speed-up
        log.info("JPEG draft decode unavailable: %s", exc)


def _open_bytes(data: bytes, max_pixels: int) -> tuple[Image.Image, str | None]:
    """Open the header only, refusing non-images and decompression bombs before decoding."""
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
    except Image.DecompressionBombError as exc:
        raise errors.bomb(_declared_pixels(str(exc)), max_pixels) from None
    except Image.UnidentifiedImageError:
        signature = image_format_by_signature(data)
        if signature is not None:
            raise errors.corrupt(signature) from None
        raise refuse_non_image(data) from None
    except Exception as exc:  # any decoder failure on user bytes is damage
        log.info("image header unreadable: %s: %s", type(exc).__name__, exc)
        raise errors.corrupt(image_format_by_signature(data)) from None
    width, height = image.size
    if width <= 0 or height <= 0:
        raise errors.corrupt(image.format)
    if width * height > max_pixels:
        raise errors.bomb(width * height, max_pixels, (width, height))
    return image, image.format


def _declared_pixels(message: str) -> int:
    """The pixel count named in Pillow's bomb error (its only record of the size)."""
    match = re.search(r"\((\d+) pixels\)", message)
    return int(match.group(1)) if match else 0


def _has_16bit_colour(image: Image.Image) -> bool:
    """Whether an RGB(A) file stores 16 bits per channel (Pillow reads those as 8-bit)."""
    if image.mode not in ("RGB", "RGBA"):
        return False
    try:
        rawmode = image.tile[0].args
    except (IndexError, AttributeError):
        return False
    text = rawmode if isinstance(rawmode, str) else str(rawmode[0] if rawmode else "")
    return ";16" in text


def _frame_count(image: Image.Image) -> int:
    """How many frames or pages the file holds (1 when it cannot tell)."""
    try:
        return int(getattr(image, "n_frames", 1))
    except Exception:  # counting scans the file; damage shows up at load
        return 1


def _load(image: Image.Image, fmt: str | None, data: bytes) -> Image.Image:
    """Decode the first frame's pixels, mapping decoder failures to clear refusals."""
    try:
        image.seek(0)
        image.load()
    except OSError as exc:
        if "truncat" in str(exc).lower():
            raise errors.truncated(fmt or "image") from None
        log.info("image data unreadable: %s", exc)
        raise errors.corrupt(fmt or image_format_by_signature(data)) from None
    except Exception as exc:  # any decoder failure on user bytes is damage
        log.info("image data unreadable: %s: %s", type(exc).__name__, exc)
        raise errors.corrupt(fmt or image_format_by_signature(data)) from None
    return image


def _first_frame_of_given(image: Image.Image, max_pixels: int) -> Image.Image:
    """A copy of the first frame of a caller's PIL image, leaving the caller's image as it was."""
    width, height = image.size
    if width * height > max_pixels:
        raise errors.bomb(width * height, max_pixels, (width, height))
    position = image.tell() if hasattr(image, "tell") else 0
    try:
        if position:
            image.seek(0)
        first = image.copy()
        first.info = dict(image.info)
        return first
    except Exception as exc:  # a lazily loaded image may fail to decode here
        log.info("PIL image unreadable: %s: %s", type(exc).__name__, exc)
        raise errors.corrupt(image.format) from None
    finally:
        if position:
            image.seek(position)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8; 1 when absent or unreadable)."""
    try:
        value = int(image.getexif().get(_ORIENTATION_TAG, 1))
    except Exception as exc:  # broken EXIF must not block the picture itself
        log.info("EXIF unreadable, orientation ignored: %s", exc)
        return 1
    return value if value in _ORIENTATION_WORDS else 1


def _apply_orientation(image: Image.Image, orientation: int, report: list[Text]) -> Image.Image:
    """Turn the picture upright as the camera's EXIF orientation tag says."""
    method = _TRANSPOSE.get(orientation)
    if method is None:
        return image
    turned = image.transpose(method)
    turned.info = dict(image.info)
    words = _ORIENTATION_WORDS[orientation]
    report.append(Text(f"{words.en} as the EXIF orientation says", f"按 EXIF 方向信息{words.zh}"))
    return turned


def _to_rgb(image: Image.Image, background: RGB, report: list[Text]) -> Image.Image:
    """Any mode to 8-bit RGB: colour profile to sRGB, deep to 8-bit, transparency flattened."""
    mode = image.mode
    image = _profile_to_srgb(image, report)
    if image.mode in _DEEP_GREY:
        words = _DEEP_GREY[image.mode]
        image = _deep_to_8bit(image)
        report.append(Text(f"reduced {words.en} to 8-bit", f"将{words.zh}降为 8 位"))
        return image.convert("RGB")
    if image.mode == "1":
        image = image.convert("L")
    if _has_transparency(image):
        try:
            rgba = image.convert("RGBA")
        except (ValueError, OSError):
            raise errors.unsupported_mode(image.mode) from None
        return _flatten(rgba, background, report)
    if image.mode == "RGB":
        return image
    try:
        converted = image.convert("RGB")
    except (ValueError, OSError):
        raise errors.unsupported_mode(image.mode) from None
    if image.mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        report.append(Text(f"converted {image.mode} to RGB", f"将 {image.mode} 转换为 RGB"))
    elif image.mode == "L" and mode != "1":
        report.append(Text("converted greyscale to RGB", "将灰度图转换为 RGB"))
    elif mode == "1":
        report.append(Text("converted black-and-white to RGB", "将黑白图转换为 RGB"))
    return converted


def _profile_to_srgb(image: Image.Image, report: list[Text]) -> Image.Image:
    """Apply an embedded colour profile (Display P3, Adobe RGB, CMYK press) to reach sRGB."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = (ImageCms.getProfileDescription(profile) or "").strip()
        if "srgb" in name.lower().replace(" ", ""):
            return image
        out_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            image, profile, _SRGB, outputMode=out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except Exception as exc:  # a broken profile falls back to plain conversion
        log.info("colour profile ignored: %s", exc)
        return image
    if converted is None:
        return image
    label = name or "embedded"
    report.append(
        Text(
            f"converted the {label} colour profile ({image.mode}) to sRGB RGB",
            f"将 {label} 颜色配置文件（{image.mode}）转换为 sRGB",
        )
    )
    converted.info = {k: v for k, v in image.info.items() if k != "icc_profile"}
    return converted


def _deep_to_8bit(image: Image.Image) -> Image.Image:
    """16-bit, 32-bit and float greyscale scaled (not clipped) to 8-bit greyscale."""
    values = np.asarray(image, dtype=np.float64)
    if image.mode.startswith("I;16"):
        scaled = values / 257.0
    else:
        low, high = float(values.min()), float(values.max())
        if image.mode == "F" and low >= 0.0 and high <= 1.0:
            scaled = values * 255.0
        elif low >= 0.0 and high <= 255.0:
            scaled = values
        elif low >= 0.0 and high <= 65535.0:
            scaled = values / 257.0
        else:
            scaled = (values - low) * (255.0 / (high - low or 1.0))
    return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8), mode="L")


def _has_transparency(image: Image.Image) -> bool:
    """Whether the image carries an alpha channel or a transparent colour."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def _flatten(image: Image.Image, background: RGB, report: list[Text]) -> Image.Image:
    """Composite an RGBA image over the background colour; alpha that is all opaque is dropped."""
    alpha = image.getchannel("A")
    low, _ = alpha.getextrema()
    if low == 255:
        return image.convert("RGB")
    canvas = Image.new("RGB", image.size, background)
    canvas.paste(image.convert("RGB"), mask=alpha)
    name = colour_name(background)
    report.append(Text(f"flattened transparency onto {name.en}", f"将透明区域铺上{name.zh}背景"))
    return canvas


def colour_name(colour: RGB) -> Text:
    """White, black or the hex code: how a colour is named in reports."""
    hex_code = "#{:02x}{:02x}{:02x}".format(*colour)
    if colour == (255, 255, 255):
        return Text(f"white ({hex_code})", f"白色（{hex_code}）")
    if colour == (0, 0, 0):
        return Text(f"black ({hex_code})", f"黑色（{hex_code}）")
    return Text(hex_code, hex_code)
