"""Preparing first and last frames for Kling: one entry point per frame and per pair."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from PIL import Image

from kling_ui.frames import errors
from kling_ui.frames.decode import RGB, DecodedImage, SizeWanted, decode
from kling_ui.frames.encode import DEFAULT_MAX_BYTES, FrameFormat, encode
from kling_ui.frames.errors import FrameError
from kling_ui.frames.geometry import (
    SLIDE_TARGET,
    FitPolicy,
    check_fit_policy,
    check_target,
    choose_target,
    fit_to_target,
)
from kling_ui.frames.passthrough import keeps_as_is, kept_note
from kling_ui.frames.sources import DEFAULT_UPLOAD_CAP, FrameSource, read_source
from kling_ui.i18n import Text

log = logging.getLogger("kling_ui.frames")

WHITE: RGB = (255, 255, 255)
_NO_PIXEL_LIMIT = 2**62

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class PreparedFrame:
    """One frame as it will be sent to Kling, with a plain account of what was done to it."""

    data: bytes
    format: FrameFormat
    width: int
    height: int
    sha256: str
    report: tuple[Text, ...] = ()
    source_format: str | None = None
    source_size: tuple[int, int] = (0, 0)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.width, self.height

    def image(self) -> Image.Image:
        """The prepared frame decoded again, for previews and similarity checks."""
        image = Image.open(io.BytesIO(self.data))
        image.load()
        return image

    def summary(self) -> Text:
        """Every step in one line per language, e.g. "resized 1280x720 to 1920x1080, ..."."""
        return Text(", ".join(t.en for t in self.report), "，".join(t.zh for t in self.report))


@dataclass(frozen=True)
class PreparedPair:
    """First and (optionally) last frame at the same pixel size, and the report of both."""

    first: PreparedFrame
    last: PreparedFrame | None
    target: tuple[int, int]
    fit: FitPolicy
    report: list[Text] = field(default_factory=list)

    def report_text(self, lang: str | None = None) -> str:
        """The report as lines in one language."""
        return "\n".join(line.get(lang) for line in self.report)


def prepare_frame(
    source: FrameSource,
    *,
    fit: str = "fit",
    target: tuple[int, int] | None = None,
    background: RGB | str = WHITE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    upload_cap: int = DEFAULT_UPLOAD_CAP,
    max_pixels: int | None = None,
) -> PreparedFrame:
    """One frame that Kling accepts, from bytes, a path or a PIL image.

    Without a target the frame keeps a size chosen from its own shape (16:9 -> 1920x1080).
    Raises FrameError (a UserError) for anything that cannot be fixed.
    """
    policy, size_limit, colour = _check_options(fit, target, background, max_bytes, upload_cap)
    decoded = _decode(source, colour, upload_cap, max_pixels, _wanted(size_limit))
    chosen = size_limit or choose_target(*decoded.upright_size)
    return _finish(decoded, chosen, policy, max_bytes)


def open_frame(
    source: FrameSource,
    *,
    background: RGB | str = WHITE,
    upload_cap: int = DEFAULT_UPLOAD_CAP,
    max_pixels: int | None = None,
    at_least: tuple[int, int] | None = None,
) -> Image.Image:
    """Any input opened safely as upright 8-bit RGB (no resizing, no encoding).

    For previews and similarity checks; refuses the same inputs as prepare_frame. With
    `at_least`, a big JPEG may come back decoded at 1/2, 1/4 or 1/8 scale, never smaller
    than that size; otherwise the picture keeps its own size.
    """
    _, _, colour = _check_options("fit", None, background, DEFAULT_MAX_BYTES, upload_cap)
    wanted = None if at_least is None else _wanted(at_least)
    return _decode(source, colour, upload_cap, max_pixels, wanted).image


def prepare_pair(
    first: FrameSource,
    last: FrameSource | None,
    *,
    fit: str = "fit",
    target: tuple[int, int] | None = None,
    background: RGB | str = WHITE,
    max_bytes: int = DEFAULT_MAX_BYTES,
    upload_cap: int = DEFAULT_UPLOAD_CAP,
    max_pixels: int | None = None,
) -> PreparedPair:
    """First and last frame at one shared size (Kling needs them to match).

    The size is `target` when given, else chosen from the first frame's shape. A refusal
    says which frame it is about (`FrameError.role` is "first" or "last").
    """
    policy, size_limit, colour = _check_options(fit, target, background, max_bytes, upload_cap)
    decoded_first = _for_role(
        "first", _decode, first, colour, upload_cap, max_pixels, _wanted(size_limit)
    )
    chosen = size_limit or choose_target(*decoded_first.upright_size)
    decoded_last = (
        None
        if last is None
        else _for_role("last", _decode, last, colour, upload_cap, max_pixels, _wanted(chosen))
    )
    first_frame = _for_role("first", _finish, decoded_first, chosen, policy, max_bytes)
    last_frame = (
        None
        if decoded_last is None
        else _for_role("last", _finish, decoded_last, chosen, policy, max_bytes)
    )
    report = [_target_line(chosen, target, decoded_first, pair=decoded_last is not None)]
    report.append(_frame_line(Text("First frame", "首帧"), first_frame))
    if last_frame is not None:
        report.append(_frame_line(Text("Last frame", "尾帧"), last_frame))
    return PreparedPair(first_frame, last_frame, chosen, policy, report)


def _check_options(
    fit: str,
    target: tuple[int, int] | None,
    background: RGB | str,
    max_bytes: int,
    upload_cap: int,
) -> tuple[FitPolicy, tuple[int, int] | None, RGB]:
    """Validate the settings once, before any file is read."""
    policy = check_fit_policy(fit)
    size = None if target is None else check_target(target)
    for name, value in (("byte limit", max_bytes), ("upload cap", upload_cap)):
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise errors.bad_option(name, value, Text("a positive number of bytes", "正整数字节数"))
    return policy, size, parse_colour(background)


def parse_colour(value: RGB | str) -> RGB:
    """An (r, g, b) tuple from a tuple/list of three 0-255 values or a "#rrggbb" string."""
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) == 6:
            try:
                return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
            except ValueError:
                pass
    elif (
        isinstance(value, tuple | list)
        and len(value) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)
    ):
        return int(value[0]), int(value[1]), int(value[2])
    raise errors.bad_option(
        "background colour",
        value,
        Text('"#rrggbb" or three numbers 0-255', '"#rrggbb" 或三个 0-255 的数'),
    )


def _wanted(target: tuple[int, int] | None) -> SizeWanted:
    """The size a frame will be brought to: the given target, else the one its shape picks."""
    return lambda upright: target or choose_target(*upright)


def _decode(
    source: FrameSource,
    colour: RGB,
    upload_cap: int,
    max_pixels: int | None,
    size_wanted: SizeWanted | None,
) -> DecodedImage:
    """Read and decode one input into RGB (JPEGs at a reduced scale when that suffices)."""
    # Pillow's own guard (MAX_IMAGE_PIXELS) is the default; None there means "switched off".
    limit = Image.MAX_IMAGE_PIXELS if max_pixels is None else max_pixels
    return decode(
        read_source(source, upload_cap),
        background=colour,
        max_pixels=int(limit) if limit else _NO_PIXEL_LIMIT,
        size_wanted=size_wanted,
    )


def _finish(
    decoded: DecodedImage, target: tuple[int, int], fit: FitPolicy, max_bytes: int
) -> PreparedFrame:
    """Resize, encode and describe one decoded frame (a PNG that is ready is kept as it is)."""
    report = list(decoded.report)
    if decoded.data is not None and keeps_as_is(decoded, target, max_bytes):
        report.append(kept_note(len(decoded.data)))
        return _prepared(decoded, decoded.data, "PNG", report)
    image = fit_to_target(decoded.image, target, fit, report, source_size=decoded.upright_size)
    encoded = encode(image, max_bytes)
    report.append(encoded.note)
    log.debug(
        "prepared frame %sx%s as %s, %d bytes", *image.size, encoded.format, len(encoded.data)
    )
    return _prepared(decoded, encoded.data, encoded.format, report, image.size)


def _prepared(
    decoded: DecodedImage,
    data: bytes,
    fmt: FrameFormat,
    report: list[Text],
    size: tuple[int, int] | None = None,
) -> PreparedFrame:
    """The PreparedFrame for `data` (of `size`, by default the decoded picture's)."""
    width, height = size or decoded.image.size
    return PreparedFrame(
        data=data,
        format=fmt,
        width=width,
        height=height,
        sha256=hashlib.sha256(data).hexdigest(),
        report=tuple(report),
        source_format=decoded.source_format,
        source_size=decoded.source_size,
    )


def _for_role(role: str, step: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one step of a pair, labelling any refusal with the frame it concerns."""
    try:
        return step(*args, **kwargs)
    except FrameError as exc:
        label = (
            Text("First frame: ", "首帧：") if role == "first" else Text("Last frame: ", "尾帧：")
        )
        labelled = FrameError(exc.code, label + exc.message, remedy=exc.remedy)
        labelled.role = role
        raise labelled from None


def _target_line(
    chosen: tuple[int, int],
    requested: tuple[int, int] | None,
    first: DecodedImage,
    *,
    pair: bool,
) -> Text:
    """Why the frames have the size they have ("both frames" only when there are two)."""
    subject = Text("Both frames", "两帧均") if pair else Text("The frame", "该帧")
    values = {"size": f"{chosen[0]}x{chosen[1]}"}
    if requested is not None:
        reason = Text(
            "{subject} prepared at {size}, as requested.", "{subject}按要求处理为 {size}。"
        )
    elif chosen == SLIDE_TARGET:
        reason = Text(
            "{subject} prepared at {size}, the 16:9 slide size.",
            "{subject}处理为 16:9 幻灯片尺寸 {size}。",
        )
    else:
        width, height = first.upright_size
        values["shape"] = f"{width}x{height}"
        reason = Text(
            "{subject} prepared at {size}, following the first frame's {shape} shape.",
            "{subject}按首帧 {shape} 的比例处理为 {size}。",
        )
    return reason.format(subject=subject, **values)


def _frame_line(label: Text, frame: PreparedFrame) -> Text:
    """One sentence per frame: its label and every step taken."""
    summary = frame.summary()
    return Text(f"{label.en}: {summary.en}.", f"{label.zh}：{summary.zh}。")
