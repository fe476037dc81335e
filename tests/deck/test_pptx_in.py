"""PowerPoint files in: refusals before LibreOffice runs (in English and Chinese), real headless
LibreOffice rendering (each conversion with its own profile, stopped when it takes too long),
and the speaker notes read with python-pptx."""

from __future__ import annotations

import os
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pptx_media import (
    BACKGROUNDS,
    STANDARD,
    needs_soffice,
    write_empty_pptx,
    write_encrypted_pptx,
    write_talk,
)

from kling_ui.deck import load_slides, office, pptx_in
from kling_ui.deck.pptx_in import check_presentation, tidy_notes
from kling_ui.i18n import UserError

TARGET = (640, 360)


def _load(inputs: list[Path], workdir: Path, **options: object) -> list:  # type: ignore[type-arg]
    return load_slides(inputs, target=TARGET, workdir=workdir, **options)  # type: ignore[arg-type]


def _refusal(path: Path, tmp_path: Path, **options: object) -> UserError:
    with pytest.raises(UserError) as caught:
        _load([path], tmp_path / "work", **options)
    error = caught.value
    assert error.message.en and error.message.zh and error.message.en != error.message.zh
    assert path.name in error.text("en") and path.name in error.text("zh-CN")
    assert error.remedy is not None and error.remedy.en and error.remedy.zh
    return error


def _no_soffice_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any LibreOffice run fail the test: these refusals come before it."""

    def refuse(*_args: object, **_kwargs: object) -> Path:
        raise AssertionError("LibreOffice must not run for this file")

    monkeypatch.setattr("kling_ui.deck.slides.presentation_to_pdf", refuse)


def _background(image: Image.Image) -> tuple[int, int, int]:
    pixels = np.asarray(image.convert("RGB"))
    return tuple(int(v) for v in pixels[pixels.shape[0] // 2, 4])  # type: ignore[return-value]


def _close(colour: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


# ---- refused before LibreOffice runs -------------------------------------------------------


def test_a_password_protected_pptx_is_refused_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_soffice_needed(monkeypatch)
    error = _refusal(write_encrypted_pptx(tmp_path / "secret.pptx"), tmp_path)
    assert error.code == "deck.pptx_encrypted"
    assert "password" in error.text("en") and "密码" in error.text("zh-CN")


def test_a_pptx_without_slides_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_soffice_needed(monkeypatch)
    error = _refusal(write_empty_pptx(tmp_path / "empty.pptx"), tmp_path)
    assert error.code == "deck.pptx_empty"
    assert "no slides" in error.text("en") and "没有可放映的幻灯片" in error.text("zh-CN")


def test_a_pptx_whose_slides_are_all_hidden_is_refused_as_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_soffice_needed(monkeypatch)
    pptx = write_talk(tmp_path / "hidden.pptx", ["", ""], hidden=[0, 1])
    assert _refusal(pptx, tmp_path).code == "deck.pptx_empty"


def test_a_pptx_with_more_slides_than_a_deck_takes_is_refused_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_soffice_needed(monkeypatch)
    pptx = write_talk(tmp_path / "long.pptx", [""] * 5)
    with pytest.raises(UserError) as caught:
        _load([pptx], tmp_path / "work", max_slides=4)
    error = caught.value
    assert error.code == "deck.too_many_slides"
    assert "5" in error.text("en") and "4" in error.text("zh-CN")


def test_a_huge_pptx_is_refused_by_its_size_packed_or_unpacked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_soffice_needed(monkeypatch)
    pptx = write_talk(tmp_path / "huge.pptx", ["", ""])
    size = pptx.stat().st_size
    monkeypatch.setattr(pptx_in, "MAX_PPTX_BYTES", size - 1)
    error = _refusal(pptx, tmp_path)
    assert error.code == "deck.pptx_too_large" and "MB" in error.text("zh-CN")
    monkeypatch.setattr(pptx_in, "MAX_PPTX_BYTES", size * 10)
    monkeypatch.setattr(pptx_in, "MAX_UNPACKED_BYTES", size)  # unpacked it is larger
    assert _refusal(pptx, tmp_path).code == "deck.pptx_too_large"


def test_a_pptx_without_libreoffice_asks_for_a_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    error = _refusal(write_talk(tmp_path / "talk.pptx", ["", ""]), tmp_path)
    assert error.code == "deck.pptx_needs_soffice"
    assert "PDF" in error.text("en") and "PDF" in error.text("zh-CN")
    assert not office.soffice_available()


# ---- LibreOffice's own run ---------------------------------------------------------------


def _stand_in(tmp_path: Path, script: str) -> Path:
    """A stand-in `soffice` on the PATH (only for what real LibreOffice cannot be made to do
    on demand, such as hanging)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    soffice = folder / "soffice"
    soffice.write_text("#!/bin/sh\nPATH=/usr/bin:/bin:$PATH\n" + script)
    soffice.chmod(soffice.stat().st_mode | stat.S_IXUSR)
    return folder


def test_libreoffice_is_stopped_with_everything_it_started_when_it_takes_too_long(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls, child = tmp_path / "calls.txt", tmp_path / "child.pid"
    folder = _stand_in(tmp_path, f'echo "$@" > "{calls}"\nsleep 60 &\necho $! > "{child}"\nwait\n')
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(office, "CONVERT_TIMEOUT_S", 1)
    error = _refusal(write_talk(tmp_path / "slow.pptx", ["", ""]), tmp_path)
    assert error.code == "deck.pptx_timeout" and "1 s" in error.text("en")
    arguments = calls.read_text()
    assert "-env:UserInstallation=file:///" in arguments and "--headless" in arguments
    pid = int(child.read_text())
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid), "the process LibreOffice started was left running"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


@needs_soffice
def test_a_pptx_libreoffice_cannot_open_is_refused(tmp_path: Path) -> None:
    whole = write_talk(tmp_path / "whole.pptx", ["", ""]).read_bytes()
    broken = tmp_path / "broken.pptx"
    broken.write_bytes(whole[: len(whole) // 2])
    error = _refusal(broken, tmp_path)
    assert error.code == "deck.pptx_convert_failed"
    assert "LibreOffice" in error.text("en") and "已损坏" in error.text("zh-CN")


@needs_soffice
def test_two_conversions_at_once_each_get_their_own_profile_and_both_succeed(
    tmp_path: Path,
) -> None:
    # A 4:3 deck also shows that a presentation keeps its own shape (no bars to 16:9).
    notes = ["First words", "Zoom into the chart", ""]
    decks = [write_talk(tmp_path / f"talk-{i}.pptx", notes, size=STANDARD) for i in range(2)]
    results: dict[int, object] = {}

    def convert(number: int) -> None:
        try:
            results[number] = _load([decks[number]], tmp_path / f"work-{number}")
        except Exception as exc:  # reported below
            results[number] = exc

    threads = [threading.Thread(target=convert, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number in range(2):
        slides = results[number]
        assert isinstance(slides, list), slides
        assert [s.notes for s in slides] == notes
        assert [s.origin for s in slides] == [0, 1, 2]
        for index, slide in enumerate(slides):
            with Image.open(slide.path) as image:
                width, height = image.size
                assert abs(width / height - 4 / 3) < 0.01 and height >= 360
                assert _close(_background(image), BACKGROUNDS[index])


# ---- what python-pptx reads ----------------------------------------------------------------


def test_notes_are_read_for_the_shown_slides_only_and_tidied(tmp_path: Path) -> None:
    pptx = write_talk(
        tmp_path / "talk.pptx",
        ["Hello\x0bworld", "backup slide", "", "  Zoom   in\n\n\n\nnow  "],
        hidden=[1],
    )
    info = check_presentation(pptx, max_slides=10)
    assert info is not None
    assert info.total == 4 and info.shown == (0, 2, 3)
    assert info.notes == ("Hello\nworld", "", "Zoom in\n\nnow")


def test_a_file_python_pptx_cannot_read_is_left_to_libreoffice(tmp_path: Path) -> None:
    odd = tmp_path / "legacy.ppt"
    odd.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))  # a .ppt, not encrypted
    assert check_presentation(odd, max_slides=10) is None


def test_notes_are_capped_at_a_few_thousand_characters() -> None:
    assert len(tidy_notes("word " * 5000)) <= pptx_in.MAX_NOTES_CHARS
