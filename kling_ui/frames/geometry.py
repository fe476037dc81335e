"""Frame geometry: Kling's size limits, the target size of a pair, and the fit policies."""

from __future__ import annotations

import math
from typing import Literal, cast, get_args

import numpy as np
from PIL import Image

from kling_ui.frames import errors
from kling_ui.frames.decode import colour_name
from kling_ui.i18n import Text

FitPolicy = Literal["fit", "cover", "stretch"]
FIT_POLICIES: tuple[str, ...] = get_args(FitPolicy)

MIN_SIDE = 300  # Kling: each side at least 300 px
MAX_RATIO = 2.5  # Kling: aspect ratio between 1:2.5 and 2.5:1
MAX_TARGET_SIDE = 4096  # larger inputs only cost bytes: Kling renders at most 1080p
SLIDE_TARGET = (1920, 1080)  # the seed's recommended size for 16:9 decks
_SLIDE_RATIO_TOLERANCE = 0.03  # 1366x768 and 1280x720 count as 16:9; 4:3 does not

_FIT_WORDS = {
    "fit": Text("fit (scale and pad)", "适应（缩放并补边）"),
    "cover": Text("cover (scale and centre-crop)", "覆盖（缩放并居中裁切）"),
    "stretch": Text("stretch", "拉伸"),
}


def check_fit_policy(fit: str) -> FitPolicy:
    """The policy itself, or a refusal naming the valid ones."""
    if fit not in FIT_POLICIES:
        raise errors.bad_option(
            "fit policy", fit, Text("one of fit, cover, stretch", "fit、cover 或 stretch")
        )
    return cast(FitPolicy, fit)


def check_target(target: object) -> tuple[int, int]:
    """A requested target size that Kling accepts, or a refusal that says why not."""
    expected = Text(
        "two whole numbers (width, height), each {low}-{high} px, "
        "aspect ratio within 1:{ratio} to {ratio}:1",
        "两个整数（宽, 高），每边 {low}-{high} 像素，宽高比在 1:{ratio} 到 {ratio}:1 之间",
    ).format(low=MIN_SIDE, high=MAX_TARGET_SIDE, ratio=MAX_RATIO)
    if not (
        isinstance(target, tuple | list)
        and len(target) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in target)
    ):
        raise errors.bad_option("target size", target, expected)
    width, height = int(target[0]), int(target[1])
    if not (MIN_SIDE <= width <= MAX_TARGET_SIDE and MIN_SIDE <= height <= MAX_TARGET_SIDE):
        raise errors.bad_option("target size", target, expected)
    if not ratio_allowed(width, height):
        raise errors.bad_option("target size", target, expected)
    return width, height


def ratio_allowed(width: int, height: int) -> bool:
    """Whether Kling accepts this shape (1:2.5 to 2.5:1, inclusive)."""
    return width <= MAX_RATIO * height and height <= MAX_RATIO * width


def choose_target(width: int, height: int) -> tuple[int, int]:
    """The size a pair is prepared at, from the first frame's shape.

    16:9 slides get the seed's 1920x1080. Any other shape keeps its own aspect ratio (brought
    into Kling's 1:2.5..2.5:1 range) at about the same pixel count, with even sides, so a 4:3
    deck makes a 4:3 video instead of one with bars baked in.
    """
    ratio = width / height
    if abs(ratio / (16 / 9) - 1) <= _SLIDE_RATIO_TOLERANCE:
        return SLIDE_TARGET
    ratio = min(max(ratio, 1 / MAX_RATIO), MAX_RATIO)
    area = SLIDE_TARGET[0] * SLIDE_TARGET[1]
    # Short side first, then the long side that best keeps the ratio (4:3 -> 1664x1248).
    long_per_short = max(ratio, 1 / ratio)
    short = _even(math.sqrt(area / long_per_short))
    long = _even(short * long_per_short)
    while long > MAX_RATIO * short:  # rounding may push a clamped ratio a hair too far
        long -= 2
    return (long, short) if ratio >= 1 else (short, long)


def _even(value: float) -> int:
    """The nearest even whole number (video encoders want even sides)."""
    return max(2, 2 * round(value / 2))


def fit_to_target(
    image: Image.Image,
    target: tuple[int, int],
    fit: FitPolicy,
    report: list[Text],
    *,
    source_size: tuple[int, int] | None = None,
) -> Image.Image:
    """Bring an RGB image to exactly `target` by the chosen policy, noting what was done.

    `source_size` is the picture's original size, named in the report when `image` is a
    reduced decode of it.
    """
    named = source_size or image.size
    if image.size == target:
        if named != target:
            report.append(_resized_words(named, target))
        return image
    _note_kling_limits(*named, fit, report)
    if fit == "stretch":
        report.append(
            Text(
                f"stretched {named[0]}x{named[1]} to {target[0]}x{target[1]}",
                f"将 {named[0]}x{named[1]} 拉伸为 {target[0]}x{target[1]}",
            )
        )
        return _resize(image, target)
    if fit == "cover":
        return _cover(image, target, named, report)
    return _fit(image, target, named, report)


def _resized_words(named: tuple[int, int], size: tuple[int, int]) -> Text:
    """ "resized WxH to WxH" in both languages."""
    return Text(
        f"resized {named[0]}x{named[1]} to {size[0]}x{size[1]}",
        f"将 {named[0]}x{named[1]} 缩放为 {size[0]}x{size[1]}",
    )


def _note_kling_limits(width: int, height: int, fit: str, report: list[Text]) -> None:
    """Say why the size changed when the source itself broke one of Kling's limits."""
    if min(width, height) < MIN_SIDE:
        report.append(
            Text(
                f"upscaled the small {width}x{height} image (Kling needs sides of at least "
                f"{MIN_SIDE} px; it may look soft)",
                f"放大了较小的 {width}x{height} 图片"
                f"（可灵要求每边至少 {MIN_SIDE} 像素，画面可能略模糊）",
            )
        )
    if not ratio_allowed(width, height):
        shape = f"{max(width, height) / min(width, height):.1f}:1"
        report.append(
            Text(
                f"the {shape} shape is outside Kling's 1:{MAX_RATIO} to {MAX_RATIO}:1 range, "
                f"so it was brought in by {_FIT_WORDS[fit].en}",
                f"图片比例 {shape} 超出可灵允许的 1:{MAX_RATIO} 到 {MAX_RATIO}:1，"
                f"已按{_FIT_WORDS[fit].zh}处理",
            )
        )


def _fit(
    image: Image.Image, target: tuple[int, int], named: tuple[int, int], report: list[Text]
) -> Image.Image:
    """Scale to fit inside the target, then pad with the colour found along the image's edge."""
    width, height = image.size
    target_w, target_h = target
    scale = min(target_w / width, target_h / height)
    inner = (
        min(target_w, max(1, round(width * scale))),
        min(target_h, max(1, round(height * scale))),
    )
    if _nearly(inner, target):
        # Bars of a pixel or two look like a glitch; an invisible stretch does not.
        inner = target
    resized = image if inner == image.size else _resize(image, inner)
    if inner != named:
        report.append(_resized_words(named, inner))
    if inner == target:
        return resized
    colour = edge_colour(image)
    canvas = Image.new("RGB", target, colour)
    canvas.paste(resized, ((target_w - inner[0]) // 2, (target_h - inner[1]) // 2))
    name = colour_name(colour)
    report.append(
        Text(
            f"padded to {target_w}x{target_h} with the edge colour {name.en}",
            f"用边缘颜色 {name.zh} 补边到 {target_w}x{target_h}",
        )
    )
    return canvas


def _nearly(size: tuple[int, int], target: tuple[int, int]) -> bool:
    """Whether two sizes differ by at most half a percent (and at least 2 px) on each side."""
    return all(abs(a - b) <= max(2, 0.005 * b) for a, b in zip(size, target, strict=True))


def _cover(
    image: Image.Image, target: tuple[int, int], named: tuple[int, int], report: list[Text]
) -> Image.Image:
    """Scale to cover the target and cut the overflow equally from both sides."""
    width, height = image.size
    target_w, target_h = target
    scale = max(target_w / width, target_h / height)
    # min() and max() absorb float error: the box must never leave the image.
    crop_w, crop_h = min(width, target_w / scale), min(height, target_h / scale)
    left, top = max(0.0, (width - crop_w) / 2), max(0.0, (height - crop_h) / 2)
    box = (left, top, left + crop_w, top + crop_h)
    kept = 100 * (crop_w * crop_h) / (width * height)
    report.append(
        Text(
            f"scaled {named[0]}x{named[1]} and centre-cropped it to {target_w}x{target_h} "
            f"(keeping {kept:.0f}% of the picture)",
            f"将 {named[0]}x{named[1]} 缩放并居中裁切为 {target_w}x{target_h}"
            f"（保留画面的 {kept:.0f}%）",
        )
    )
    return _resize(image, target, box)


def _resize(
    image: Image.Image,
    size: tuple[int, int],
    box: tuple[float, float, float, float] | None = None,
) -> Image.Image:
    """High-quality resize; big reductions go through Pillow's fast integer reduce first."""
    return image.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def edge_colour(image: Image.Image) -> tuple[int, int, int]:
    """The median colour of the image's one-pixel border: the slide's background, usually."""
    pixels = np.asarray(image)
    border = np.concatenate((pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]))
    median = np.median(border, axis=0)
    return int(median[0]), int(median[1]), int(median[2])
