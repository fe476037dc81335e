"""A PNG that already meets Kling's limits is sent exactly as it is, never re-encoded."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from frame_corpus import encode, slide
from PIL import Image, PngImagePlugin

from kling_ui.frames import prepare_frame, prepare_pair


def ready_png() -> bytes:
    """A 1920x1080 8-bit RGB slide PNG: the 16:9 target size, well under the byte cap."""
    return encode(slide(1920, 1080), "PNG")


@contextmanager
def encodes_counted() -> Iterator[list[str]]:
    """Every image encode made inside the block, by format."""
    calls: list[str] = []
    save = Image.Image.save

    def counting_save(
        image: Image.Image, fp: Any, format: str | None = None, **params: Any
    ) -> None:
        calls.append(str(format))
        save(image, fp, format, **params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Image.Image, "save", counting_save)
        yield calls


def test_a_ready_png_comes_out_byte_for_byte() -> None:
    source = ready_png()

    frame = prepare_frame(source)

    assert frame.data == source
    assert (frame.format, frame.size) == ("PNG", (1920, 1080))


def test_a_ready_png_is_not_encoded_again() -> None:
    source = ready_png()

    with encodes_counted() as encodes:
        prepare_frame(source)

    assert encodes == []


def test_a_ready_pair_is_sent_as_it_is_without_any_encode() -> None:
    first, last = ready_png(), encode(slide(1920, 1080, colour=(140, 30, 60)), "PNG")

    with encodes_counted() as encodes:
        pair = prepare_pair(first, last)

    assert pair.last is not None
    assert (pair.first.data, pair.last.data) == (first, last)
    assert encodes == []


def test_a_kept_png_says_so_in_both_languages() -> None:
    frame = prepare_frame(ready_png())

    assert "kept the PNG as it is" in frame.summary().en
    assert "原样保留" in frame.summary().zh


def test_a_png_of_another_size_than_the_pair_needs_is_resized_and_encoded() -> None:
    source = encode(slide(1920, 1080), "PNG")

    pair = prepare_pair(encode(slide(1024, 768), "PNG"), source)

    assert pair.last is not None
    assert pair.last.data != source
    assert pair.last.size == pair.first.size != (1920, 1080)


def _with_text_chunk() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone's full name")
    return encode(slide(1920, 1080), "PNG", pnginfo=info)


@pytest.mark.parametrize(
    "make",
    [
        lambda: encode(slide(1920, 1080).convert("RGBA"), "PNG"),
        lambda: encode(slide(1920, 1080).convert("P"), "PNG"),
        lambda: encode(slide(1920, 1080).convert("L"), "PNG"),
        _with_text_chunk,
        lambda: ready_png() + b"trailing bytes",
    ],
    ids=["alpha", "palette", "greyscale", "text-chunk", "bytes-after-the-end"],
)
def test_a_png_that_is_not_plain_rgb_is_encoded_again(make) -> None:  # type: ignore[no-untyped-def]
    source = make()

    frame = prepare_frame(source)

    assert frame.data != source
    assert Image.open(io.BytesIO(frame.data)).mode == "RGB"


def test_a_png_over_the_byte_cap_is_encoded_again_under_it() -> None:
    source = encode(slide(1920, 1080), "PNG", compress_level=0)  # stored, about 6 MB
    assert len(source) > 4_000_000

    frame = prepare_frame(source)

    assert (frame.format, frame.size) == ("PNG", (1920, 1080))
    assert len(frame.data) < 4_000_000


def test_a_png_whose_exif_asks_for_a_turn_is_turned_not_kept() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show upright
    source = encode(slide(1080, 1920), "PNG", exif=exif)

    frame = prepare_frame(source, target=(1920, 1080))

    assert frame.data != source
    assert "EXIF" in frame.summary().en
