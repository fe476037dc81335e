"""kling_ui.video: reading a clip's stream parameters and encoding to match them."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from kling_ui.deck import encode
from kling_ui.deck.avc import parse_avcc, pps_id, sps_id
from kling_ui.deck.encode import encode_still, reencode_to
from kling_ui.video import NotAVideo, fit_image, probe, stream_params

SIZE = (320, 180)


def _picture(colour: tuple[int, int, int], size: tuple[int, int] = SIZE) -> Image.Image:
    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).rectangle((40, 40, 140, 120), fill=(255, 255, 255))
    return image


def _clip(
    path: Path,
    *,
    fps: int = 24,
    frames: int = 24,
    size: tuple[int, int] = SIZE,
    colorspace: int | None = None,
    profile: str = "high",
) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.options = {"preset": "veryfast", "profile": profile}
        if colorspace is not None:
            ctx = stream.codec_context
            ctx.colorspace = ctx.color_primaries = ctx.color_trc = colorspace
            ctx.color_range = 1
        for index in range(frames):
            frame = av.VideoFrame.from_image(_picture((index * 8 % 256, 90, 160), size))
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def _difference(a: np.ndarray, b: Image.Image) -> float:
    return float(np.abs(a.astype(np.int16) - np.asarray(b, dtype=np.int16)).mean())


def test_stream_params_reads_what_a_stream_copy_must_match(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4", fps=30, frames=30, colorspace=1))
    assert params.copy_key() == ("h264", 320, 180, Fraction(30), "yuv420p")
    assert params.profile == "High" and params.level
    assert (params.colorspace, params.color_primaries, params.color_trc) == (1, 1, 1)
    assert params.color_range == 1
    assert parse_avcc(params.extradata).profile == 100
    assert params.frame_duration == Fraction(1, 30)


def test_stream_params_refuses_what_is_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "video.mp4"
    fake.write_text("<html>expired link</html>")
    with pytest.raises(NotAVideo):
        stream_params(fake)


def test_a_still_gets_the_clips_size_rate_time_base_profile_and_colours(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4", fps=30, frames=30, colorspace=1))
    out = tmp_path / "hold.mp4"
    encode_still(_picture((30, 60, 120)), params, 45, out, sps_id=1)
    still = stream_params(out)
    assert still.copy_key() == params.copy_key()
    assert still.time_base == params.time_base
    assert (still.profile, still.level) == (params.profile, params.level)
    assert (still.colorspace, still.color_range) == (params.colorspace, params.color_range)
    assert probe(out).frames == 45
    assert abs(probe(out).duration - 1.5) < 1e-9


def test_every_frame_of_a_still_shows_the_image(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    picture = _picture((200, 80, 40))
    encode_still(picture, params, 10, tmp_path / "hold.mp4")
    frames = _frames(tmp_path / "hold.mp4")
    assert len(frames) == 10
    assert max(_difference(f, picture) for f in frames) < 4


def test_a_bt709_still_is_converted_with_bt709(tmp_path: Path) -> None:
    # A saturated colour comes back right only if encoding used the matrix the tag names.
    params = stream_params(_clip(tmp_path / "c.mp4", colorspace=1))
    picture = Image.new("RGB", SIZE, (220, 30, 40))
    encode_still(picture, params, 2, tmp_path / "hold.mp4")
    assert _difference(_frames(tmp_path / "hold.mp4")[0], picture) < 3


def test_a_still_uses_the_parameter_set_id_it_is_given(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    encode_still(_picture((0, 0, 0)), params, 3, tmp_path / "hold.mp4", sps_id=5)
    config = parse_avcc(stream_params(tmp_path / "hold.mp4").extradata)
    assert [sps_id(n) for n in config.sps] == [5]
    assert [pps_id(n) for n in config.pps] == [5]


def test_stills_of_any_length_share_one_sps_and_pps(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    encode_still(_picture((0, 0, 0)), params, 2, tmp_path / "short.mp4", sps_id=1)
    encode_still(_picture((9, 9, 9)), params, 900, tmp_path / "long.mp4", sps_id=1)
    short = parse_avcc(stream_params(tmp_path / "short.mp4").extradata)
    long = parse_avcc(stream_params(tmp_path / "long.mp4").extradata)
    assert (short.sps, short.pps) == (long.sps, long.pps)


def test_a_still_must_already_have_the_stream_size(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    with pytest.raises(ValueError):
        encode_still(_picture((0, 0, 0), (640, 360)), params, 3, tmp_path / "hold.mp4")


def test_reencoding_changes_size_and_rate_and_keeps_the_duration(tmp_path: Path) -> None:
    target = stream_params(_clip(tmp_path / "target.mp4"))
    source = _clip(tmp_path / "source.mp4", fps=30, frames=45, size=(480, 270))
    out = tmp_path / "normalized.mp4"
    reencode_to(source, target, out, sps_id=1)
    result = stream_params(out)
    assert result.copy_key() == target.copy_key()
    assert probe(out).frames == 36
    assert abs(probe(out).duration - 1.5) <= 1 / 24


def test_reencoding_keeps_the_picture(tmp_path: Path) -> None:
    target = stream_params(_clip(tmp_path / "target.mp4"))
    source = _clip(tmp_path / "source.mp4", size=(480, 270))
    reencode_to(source, target, tmp_path / "n.mp4")
    first = _frames(tmp_path / "n.mp4")[0]
    expected = _picture((0, 90, 160), (480, 270)).resize(SIZE, Image.Resampling.LANCZOS)
    assert _difference(first, expected) < 6


def test_fitting_stretches_a_rounding_difference_and_letterboxes_a_real_one() -> None:
    nearly = fit_image(Image.new("RGB", (1282, 720), (255, 0, 0)), (1280, 720))
    assert nearly.size == (1280, 720) and nearly.getpixel((0, 360)) == (255, 0, 0)
    square = fit_image(Image.new("RGB", (500, 500), (255, 0, 0)), (1280, 720))
    assert square.size == (1280, 720)
    assert square.getpixel((0, 360)) == (0, 0, 0)
    assert square.getpixel((640, 360)) == (255, 0, 0)


def test_holds_after_the_first_reuse_the_same_repeat_frames(tmp_path: Path) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    encode_still(_picture((200, 0, 0)), params, 12, tmp_path / "a.mp4", sps_id=2)
    encode_still(_picture((0, 0, 200)), params, 12, tmp_path / "b.mp4", sps_id=2)
    with av.open(str(tmp_path / "a.mp4")) as a, av.open(str(tmp_path / "b.mp4")) as b:
        first = [bytes(p) for p in a.demux(video=0) if p.size]
        second = [bytes(p) for p in b.demux(video=0) if p.size]
    assert first[0] != second[0], "each hold has its own keyframe"
    assert first[1:] == second[1:], "the frames that repeat it are the same bytes"
    assert max(_difference(f, _picture((0, 0, 200))) for f in _frames(tmp_path / "b.mp4")) < 4


def test_a_hold_longer_than_the_repeat_run_is_encoded_frame_by_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    params = stream_params(_clip(tmp_path / "c.mp4"))
    monkeypatch.setattr(encode, "KEYINT", 8)
    picture = _picture((90, 200, 90))
    encode_still(picture, params, 20, tmp_path / "long.mp4")
    frames = _frames(tmp_path / "long.mp4")
    assert len(frames) == 20
    assert max(_difference(f, picture) for f in frames) < 4
