"""Refusals of frame preparation: one `FrameError` per thing a person can get wrong."""

from __future__ import annotations

from kling_ui.i18n import Text, UserError

_EXPORT_REMEDY = Text(
    "Export the slide as PNG or JPEG and upload that file.",
    "请将幻灯片导出为 PNG 或 JPEG 图片后再上传。",
)
_LOOKS_LIKE = Text(" (it looks like {detected})", "（看起来是 {detected}）")
_NOTHING = Text("", "")


class FrameError(UserError):
    """A frame that cannot be prepared, with a stable `frame.*` code and a remedy.

    `role` is "first" or "last" when the refusal came from preparing a pair.
    """

    role: str | None = None


def empty_file() -> FrameError:
    """The upload has no bytes at all."""
    return FrameError(
        "frame.empty",
        Text("The file is empty (0 bytes).", "文件是空的（0 字节）。"),
        remedy=Text(
            "Upload the image again; the copy may not have finished.",
            "请重新上传图片，可能文件没有完整复制。",
        ),
    )


def unreadable(name: str, reason: str) -> FrameError:
    """A path that does not exist or cannot be read."""
    return FrameError(
        "frame.unreadable",
        Text("Cannot read the file {name}: {reason}.", "无法读取文件 {name}：{reason}。").format(
            name=name, reason=reason
        ),
        remedy=Text("Check the path and the file's permissions.", "请检查路径和文件权限。"),
    )


def too_large(size: int, cap: int) -> FrameError:
    """The upload is bigger than the configured cap, refused before it is decoded."""
    unit = _unit_of(cap)
    return FrameError(
        "frame.too_large",
        Text(
            "The file is {size}, over the {cap} upload limit.",
            "文件大小为 {size}，超过了 {cap} 的上传上限。",
        ).format(size=_mb(size, unit), cap=_mb(cap, unit)),
        remedy=Text(
            "Export the slide at a smaller size or as JPEG.",
            "请以较小尺寸或 JPEG 格式重新导出幻灯片。",
        ),
    )


def pdf_file() -> FrameError:
    """A PDF was given where one image was expected."""
    return FrameError(
        "frame.pdf",
        Text("This is a PDF document, not an image.", "这是 PDF 文档，而不是图片。"),
        remedy=Text(
            "Use the Deck tab to turn a PDF into slides, or export one page as PNG.",
            "请在“演示文稿”页上传 PDF，或把其中一页导出为 PNG。",
        ),
    )


def svg_file() -> FrameError:
    """An SVG (vector drawing) was given; Kling needs pixels."""
    return FrameError(
        "frame.svg",
        Text(
            "This is an SVG vector drawing, which cannot be sent to Kling.",
            "这是 SVG 矢量图，无法直接发送给可灵。",
        ),
        remedy=Text(
            "Export the drawing as a PNG of at least 1920x1080.",
            "请将其导出为至少 1920x1080 的 PNG 图片。",
        ),
    )


def text_file() -> FrameError:
    """A text file (notes, HTML, JSON...) was given instead of an image."""
    return FrameError(
        "frame.text",
        Text("This is a text file, not an image.", "这是文本文件，而不是图片。"),
        remedy=_EXPORT_REMEDY,
    )


def heic_file() -> FrameError:
    """An iPhone HEIC/HEIF photo, which the installed decoders cannot read."""
    return FrameError(
        "frame.heic",
        Text("HEIC/HEIF photos are not supported.", "不支持 HEIC/HEIF 格式的照片。"),
        remedy=Text(
            "Convert the photo to JPEG (on iPhone: Settings > Camera > Formats > Most Compatible).",
            "请先将照片转换为 JPEG（iPhone：设置 > 相机 > 格式 > 兼容性最佳）。",
        ),
    )


def not_image(detected: str | None = None) -> FrameError:
    """Bytes that no supported image decoder recognises."""
    what = _LOOKS_LIKE.format(detected=detected) if detected else _NOTHING
    return FrameError(
        "frame.not_image",
        Text(
            "This file is not an image in a supported format{what}. "
            "Supported: PNG, JPEG, WebP, BMP, TIFF, GIF, AVIF.",
            "该文件不是受支持格式的图片{what}。支持：PNG、JPEG、WebP、BMP、TIFF、GIF、AVIF。",
        ).format(what=what),
        remedy=_EXPORT_REMEDY,
    )


def truncated(fmt: str) -> FrameError:
    """The image header is fine but its data ends early (an interrupted download or copy)."""
    return FrameError(
        "frame.truncated",
        Text(
            "The {fmt} image is cut off: its data ends early.",
            "该 {fmt} 图片不完整：数据提前结束。",
        ).format(fmt=fmt),
        remedy=Text(
            "Download or export the image again, then upload the new copy.",
            "请重新下载或导出图片后再上传。",
        ),
    )


def corrupt(fmt: str | None) -> FrameError:
    """The image data cannot be decoded."""
    name = fmt or "image"
    return FrameError(
        "frame.corrupt",
        Text(
            "The {name} file is damaged and cannot be decoded.",
            "该 {name} 文件已损坏，无法解码。",
        ).format(name=name),
        remedy=Text(
            "Open it in an image editor and save it again as PNG or JPEG.",
            "请用图片编辑器打开并重新保存为 PNG 或 JPEG。",
        ),
    )


def bomb(pixels: int, max_pixels: int, size: tuple[int, int] | None = None) -> FrameError:
    """An image declaring far more pixels than any slide needs (a decompression bomb)."""
    claimed = f"{size[0]}x{size[1]}" if size else f"{pixels:,}"
    return FrameError(
        "frame.bomb",
        Text(
            "The image claims to be {claimed} pixels, more than the {max_pixels:,} pixel safety "
            "limit; it was not decoded.",
            "该图片声明有 {claimed} 像素，超过 {max_pixels:,} 像素的安全上限，已拒绝解码。",
        ).format(claimed=claimed, max_pixels=max_pixels),
        remedy=Text(
            "Resize the image to at most a few thousand pixels per side.",
            "请把图片缩小到每边几千像素以内。",
        ),
    )


def unsupported_mode(mode: str) -> FrameError:
    """A pixel layout (e.g. LAB or multi-channel TIFF) that cannot be turned into RGB."""
    return FrameError(
        "frame.unsupported_mode",
        Text(
            "The image uses the {mode} colour mode, which cannot be converted to RGB.",
            "该图片使用 {mode} 颜色模式，无法转换为 RGB。",
        ).format(mode=mode),
        remedy=Text("Save the image as an RGB PNG or JPEG.", "请将图片另存为 RGB 的 PNG 或 JPEG。"),
    )


def cannot_fit(width: int, height: int, max_bytes: int) -> FrameError:
    """Even the lowest acceptable JPEG quality is over the byte limit."""
    return FrameError(
        "frame.cannot_fit",
        Text(
            "A {width}x{height} frame cannot be encoded under {limit} without visible loss.",
            "{width}x{height} 的画面无法在不明显损失画质的情况下压缩到 {limit} 以内。",
        ).format(width=width, height=height, limit=_mb(max_bytes)),
        remedy=Text("Choose a smaller target size.", "请选择较小的目标尺寸。"),
    )


def bad_option(name: str, value: object, expected: Text) -> FrameError:
    """An invalid preparation setting (fit policy, target size, colour); `expected` says what
    a valid one looks like."""
    return FrameError(
        "frame.bad_option",
        Text(
            "Invalid {name} {value!r}: expected {expected}.",
            "无效的 {name} 取值 {value!r}：应为{expected}。",
        ).format(name=name, value=value, expected=expected),
    )


def _unit_of(limit: int) -> int:
    """The megabyte a limit was set in: binary (50*1024*1024) or decimal (4_000_000)."""
    return 1_048_576 if limit % 1_048_576 == 0 else 1_000_000


def _mb(size: int, unit: int | None = None) -> str:
    """Bytes as megabytes with one decimal (kilobytes below a tenth of a megabyte), in the
    same unit as the limit they are shown with."""
    unit = unit or _unit_of(size)
    if size < unit // 10:
        return f"{size / (unit // 1000 if unit == 1_000_000 else 1024):.0f} KB"
    return f"{size / unit:.1f} MB"
