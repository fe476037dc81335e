"""load_slides: PDFs, images and ZIPs become slide PNGs at the target size (PowerPoint files:
test_pptx_in.py)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from deck_media import (
    PALETTE,
    mean_difference,
    slide_image,
    write_empty_pdf,
    write_encrypted_pdf,
    write_pdf,
)
from PIL import Image

from kling_ui.deck import load_slides
from kling_ui.deck.archive import extract_images
from kling_ui.i18n import Text, UserError

TARGET = (640, 360)


def _load(inputs: list[Path], tmp_path: Path, **options: object) -> list:  # type: ignore[type-arg]
    return load_slides(inputs, target=TARGET, workdir=tmp_path / "work", **options)  # type: ignore[arg-type]


def _refusal(inputs: list[Path], tmp_path: Path) -> UserError:
    with pytest.raises(UserError) as caught:
        _load(inputs, tmp_path)
    error = caught.value
    assert error.message.en and error.message.zh and error.message.en != error.message.zh
    assert error.remedy is not None and error.remedy.en and error.remedy.zh
    return error


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_each_pdf_page_becomes_a_slide_at_the_target_size(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "deck.pdf", [slide_image(i, TARGET) for i in range(6)])
    slides = _load([pdf], tmp_path)
    assert [s.index for s in slides] == list(range(6))
    assert [s.name for s in slides] == [f"deck.pdf p{i}" for i in range(1, 7)]
    for slide in slides:
        with Image.open(slide.path) as image:
            assert image.size == TARGET
            assert mean_difference(image, slide_image(slide.index, TARGET)) < 3


def test_a_slide_hash_is_the_sha256_of_its_png(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "deck.pdf", [slide_image(i) for i in range(2)])
    for slide in _load([pdf], tmp_path):
        assert slide.sha256 == hashlib.sha256(slide.path.read_bytes()).hexdigest()


def test_a_page_of_another_aspect_is_padded_with_its_edge_colour(tmp_path: Path) -> None:
    square = Image.new("RGB", (300, 300), PALETTE[1])
    pdf = write_pdf(tmp_path / "square.pdf", [square, square])
    with Image.open(_load([pdf], tmp_path)[0].path) as image:
        assert image.size == TARGET
        assert image.getpixel((5, 180)) == PALETTE[1]  # the padding continues the page
        assert image.getpixel((320, 180)) == PALETTE[1]


def test_padding_is_black_when_no_edge_colour_dominates(tmp_path: Path) -> None:
    striped = Image.new("RGB", (300, 300))
    for x in range(300):
        for y in range(300):
            striped.putpixel((x, y), PALETTE[(x // 10 + y // 10) % 4])
    path = tmp_path / "striped.png"
    striped.save(path)
    with Image.open(_load([path, path], tmp_path)[0].path) as image:
        assert image.getpixel((5, 180)) == (0, 0, 0)


def test_a_portrait_deck_gets_a_portrait_slide_size(tmp_path: Path) -> None:
    pages = [slide_image(i, (360, 640)) for i in range(3)]
    slides = _load([write_pdf(tmp_path / "tall.pdf", pages)], tmp_path)
    with Image.open(slides[0].path) as image:
        assert image.size == (360, 640)


def test_images_keep_the_order_they_were_given_in_not_their_names(tmp_path: Path) -> None:
    paths = []
    for number in (10, 2, 1):
        path = tmp_path / f"Slide{number}.png"
        slide_image(number).save(path)
        paths.append(path)
    slides = _load(paths, tmp_path)
    assert [s.name for s in slides] == ["Slide10.png", "Slide2.png", "Slide1.png"]
    with Image.open(slides[0].path) as image:
        assert mean_difference(image, slide_image(10, TARGET)) < 3
    with Image.open(slides[2].path) as image:
        assert mean_difference(image, slide_image(1, TARGET)) < 3


def test_a_transparent_image_is_flattened_onto_white(tmp_path: Path) -> None:
    clear = tmp_path / "a.png"
    Image.new("RGBA", TARGET, (0, 0, 0, 0)).save(clear)
    with Image.open(_load([clear, clear], tmp_path)[0].path) as image:
        assert image.getpixel((100, 100)) == (255, 255, 255)


def test_a_photo_is_turned_upright_by_its_exif_orientation(tmp_path: Path) -> None:
    sideways = Image.new("RGB", (360, 640), PALETTE[2])
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: shown turned 90 degrees clockwise
    path = tmp_path / "photo.jpg"
    sideways.save(path, exif=exif)
    with Image.open(_load([path, path], tmp_path)[0].path) as image:
        assert image.size == TARGET
        assert mean_difference(image, Image.new("RGB", TARGET, PALETTE[2])) < 3


def test_zip_images_are_taken_in_natural_order_and_other_files_are_noted(
    tmp_path: Path,
) -> None:
    archive = _zip(
        tmp_path / "deck.zip",
        {
            "deck/slide10.png": _png(slide_image(10)),
            "deck/slide2.png": _png(slide_image(2)),
            "deck/notes.txt": b"speaker notes",
            "__MACOSX/deck/._slide2.png": b"resource fork",
            "deck/slide1.png": _png(slide_image(1)),
        },
    )
    notes: list[Text] = []
    slides = _load([archive], tmp_path, notes=notes)
    assert [s.name for s in slides] == [
        "deck.zip/deck/slide1.png",
        "deck.zip/deck/slide2.png",
        "deck.zip/deck/slide10.png",
    ]
    assert len(notes) == 1 and "notes.txt" in notes[0].en and "notes.txt" in notes[0].zh


@pytest.mark.parametrize("name", ["../escape.png", "/etc/slide.png", "C:/slides/a.png"])
def test_a_zip_member_with_an_unsafe_path_is_refused(tmp_path: Path, name: str) -> None:
    archive = _zip(tmp_path / "evil.zip", {"ok.png": _png(slide_image(0)), name: b"x"})
    assert _refusal([archive], tmp_path).code == "deck.zip_traversal"
    assert not (tmp_path / "escape.png").exists()


def test_a_zip_inside_the_zip_is_refused(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("a.png", _png(slide_image(0)))
    archive = _zip(tmp_path / "outer.zip", {"inner.zip": inner.getvalue()})
    assert _refusal([archive], tmp_path).code == "deck.nested_archive"


def test_an_archive_disguised_as_an_image_is_refused(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as nested:
        nested.writestr("a.png", _png(slide_image(0)))
    archive = _zip(
        tmp_path / "outer.zip", {"a.png": _png(slide_image(0)), "b.png": inner.getvalue()}
    )
    assert _refusal([archive], tmp_path).code == "deck.nested_archive"


def test_a_zip_that_unpacks_past_the_budget_is_refused(tmp_path: Path) -> None:
    # 4 MB of one colour compresses to a few KB: a small ZIP bomb against a 1 MB budget.
    bomb = Image.new("RGB", (1200, 1200), PALETTE[0])
    archive = _zip(tmp_path / "bomb.zip", {"a.bmp": _bmp(bomb), "b.png": _png(slide_image(1))})
    assert archive.stat().st_size < 100_000
    with pytest.raises(UserError) as caught:
        extract_images(archive, tmp_path / "out", max_total_bytes=1_000_000)
    assert caught.value.code == "deck.zip_too_large"


def _bmp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="BMP")
    return buffer.getvalue()


def test_a_damaged_zip_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "deck.zip", {"a.png": _png(slide_image(0)) * 3})
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    assert _refusal([archive], tmp_path).code == "deck.bad_zip"


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    pdf = write_encrypted_pdf(tmp_path / "locked.pdf", "secret")
    error = _refusal([pdf], tmp_path)
    assert error.code == "deck.encrypted_pdf"
    assert "locked.pdf" in error.message.en


def test_a_pdf_without_pages_is_refused(tmp_path: Path) -> None:
    assert _refusal([write_empty_pdf(tmp_path / "empty.pdf")], tmp_path).code == "deck.empty_pdf"


def test_a_damaged_pdf_is_refused(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "deck.pdf", [slide_image(0), slide_image(1)])
    pdf.write_bytes(pdf.read_bytes()[:200])
    assert _refusal([pdf], tmp_path).code == "deck.bad_pdf"


def test_a_damaged_image_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "a.png"
    slide_image(0).save(good)
    bad = tmp_path / "b.png"
    bad.write_bytes(good.read_bytes()[:60])
    assert _refusal([good, bad], tmp_path).code == "deck.bad_image"


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not slides")
    assert _refusal([text], tmp_path).code == "deck.unsupported"


def test_one_slide_is_too_few(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "one.pdf", [slide_image(0)])
    assert _refusal([pdf], tmp_path).code == "deck.too_few_slides"


def test_no_input_is_refused(tmp_path: Path) -> None:
    assert _refusal([], tmp_path).code == "deck.no_input"


def test_more_slides_than_allowed_are_refused(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "long.pdf", [slide_image(i) for i in range(4)])
    with pytest.raises(UserError) as caught:
        _load([pdf], tmp_path, max_slides=3)
    assert caught.value.code == "deck.too_many_slides"


def test_loading_again_replaces_the_previous_slides(tmp_path: Path) -> None:
    _load([write_pdf(tmp_path / "a.pdf", [slide_image(i) for i in range(4)])], tmp_path)
    slides = _load([write_pdf(tmp_path / "b.pdf", [slide_image(i) for i in range(2)])], tmp_path)
    assert sorted(p.name for p in (tmp_path / "work" / "slides").iterdir()) == [
        s.path.name for s in slides
    ]
