"""Frame preparation, one behaviour at a time."""

from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path

import pytest
from frame_corpus import (
    animated_gif,
    encode,
    exif_rotated_jpeg,
    grey16_png,
    photo_noise,
    rgba_png,
    slide,
)
from PIL import Image, ImageCms, JpegImagePlugin

from kling_ui.frames import (
    FrameError,
    choose_target,
    open_frame,
    prepare_frame,
    prepare_pair,
)
from kling_ui.frames.encode import _png, _png_estimate


def pixel(frame, xy):
    return frame.image().convert("RGB").getpixel(xy)


def close(colour, expected, tolerance=12):
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def test_a_1280x720_screenshot_is_resized_to_1920x1080_and_says_so():
    frame = prepare_frame(encode(slide(), "PNG"))

    assert frame.size == (1920, 1080)
    assert "resized 1280x720 to 1920x1080" in frame.summary().en
    assert "1280x720" in frame.summary().zh


def test_a_slide_that_fits_stays_png_for_sharp_text():
    frame = prepare_frame(encode(slide(1920, 1080), "PNG"))

    assert frame.format == "PNG"
    assert frame.data.startswith(b"\x89PNG")


def test_a_photo_too_big_for_png_becomes_a_444_jpeg_under_the_limit():
    frame = prepare_frame(encode(photo_noise(4000, 3000), "JPEG", quality=92))

    assert frame.format == "JPEG"
    assert len(frame.data) < 4_000_000
    image = Image.open(io.BytesIO(frame.data))
    assert JpegImagePlugin.get_sampling(image) == 0  # 4:4:4, no chroma subsampling
    assert "quality" in frame.summary().en


def test_jpeg_quality_is_lowered_only_as_far_as_the_limit_needs():
    source = encode(photo_noise(1920, 1080), "PNG")

    roomy = prepare_frame(source, max_bytes=3_000_000)
    tight = prepare_frame(source, max_bytes=1_200_000)

    assert roomy.format == tight.format == "JPEG"
    assert len(tight.data) < 1_200_000
    assert len(tight.data) < len(roomy.data)


@pytest.mark.parametrize(
    "image",
    [photo_noise(1920, 1080), slide(1920, 1080), photo_noise(300, 200).resize((1920, 1080))],
    ids=["photo", "slide", "soft-photo"],
)
def test_the_png_size_estimate_that_can_skip_a_full_encode_is_close(image):
    estimate = _png_estimate(image)

    actual = len(_png(image))
    assert abs(estimate - actual) <= 0.08 * actual


def test_an_impossible_byte_limit_is_refused_not_ignored():
    with pytest.raises(FrameError) as refused:
        prepare_frame(encode(photo_noise(1920, 1080), "PNG"), max_bytes=50_000)

    assert refused.value.code == "frame.cannot_fit"


def test_the_same_input_gives_the_same_bytes():
    source = encode(photo_noise(2000, 1500), "JPEG")

    first, again = prepare_frame(source), prepare_frame(source)

    assert first.data == again.data
    assert first.sha256 == hashlib.sha256(first.data).hexdigest()


def test_cmyk_is_converted_to_rgb_and_reported():
    frame = prepare_frame(encode(Image.new("CMYK", (1920, 1080), (0, 255, 255, 0)), "JPEG"))

    assert close(pixel(frame, (960, 540)), (255, 0, 0), tolerance=20)
    assert "converted CMYK to RGB" in frame.summary().en


def test_exif_orientation_turns_a_phone_photo_upright():
    frame = prepare_frame(exif_rotated_jpeg())

    assert frame.height > frame.width
    # Stored red-left/blue-right, turned 90° clockwise: red on top, blue at the bottom.
    assert close(pixel(frame, (frame.width // 2, 20)), (220, 20, 20), tolerance=30)
    assert close(pixel(frame, (frame.width // 2, frame.height - 20)), (20, 20, 220), tolerance=30)
    assert "EXIF" in frame.summary().en


def test_a_big_rotated_phone_photo_is_reported_at_its_full_upright_size():
    image = Image.new("RGB", (4000, 3000), (220, 20, 20))
    image.paste((20, 20, 220), (2000, 0, 4000, 3000))
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encode(image, "JPEG", quality=90, exif=exif.tobytes())

    frame = prepare_frame(source)

    assert frame.size == (1248, 1664)
    assert "resized 3000x4000 to 1248x1664" in frame.summary().en
    assert close(pixel(frame, (624, 20)), (220, 20, 20), tolerance=30)
    assert prepare_frame(source).data == frame.data


def test_transparency_is_flattened_onto_white_by_default():
    frame = prepare_frame(rgba_png())

    assert close(pixel(frame, (5, 5)), (255, 255, 255), tolerance=0)
    assert "flattened transparency onto white" in frame.summary().en


def test_transparency_is_flattened_onto_the_chosen_colour():
    frame = prepare_frame(rgba_png(), background="#102030")

    assert close(pixel(frame, (5, 5)), (16, 32, 48), tolerance=0)


def test_16_bit_greyscale_keeps_its_tone_instead_of_clipping_to_white():
    frame = prepare_frame(grey16_png(32768))

    assert close(pixel(frame, (960, 540)), (128, 128, 128), tolerance=2)


def test_an_animated_gif_uses_its_first_frame():
    frame = prepare_frame(animated_gif())

    assert close(pixel(frame, (960, 540)), (255, 0, 0), tolerance=10)
    assert "first of 3 frames" in frame.summary().en


def test_a_small_image_is_upscaled_and_the_report_says_why():
    frame = prepare_frame(encode(slide(200, 150), "PNG"))

    assert min(frame.size) >= 300
    assert "upscaled the small 200x150 image" in frame.summary().en


def test_fit_pads_with_the_colour_of_the_image_edge():
    image = Image.new("RGB", (1000, 1000), (10, 100, 200))
    image.paste((255, 255, 255), (100, 100, 900, 900))

    frame = prepare_frame(encode(image, "PNG"), target=(1920, 1080))

    assert frame.size == (1920, 1080)
    assert close(pixel(frame, (5, 540)), (10, 100, 200), tolerance=0)
    assert "edge colour #0a64c8" in frame.summary().en


def test_cover_crops_the_centre_and_keeps_no_padding():
    image = Image.new("RGB", (2000, 1000), (0, 200, 0))
    image.paste((255, 0, 0), (0, 0, 200, 1000))  # a red strip at the far left
    image.paste((0, 0, 255), (1800, 0, 2000, 1000))  # and a blue one at the far right

    frame = prepare_frame(encode(image, "PNG"), target=(1000, 1000), fit="cover")

    assert close(pixel(frame, (2, 500)), (0, 200, 0))
    assert close(pixel(frame, (997, 500)), (0, 200, 0))
    assert "centre-cropped" in frame.summary().en


def test_stretch_fills_the_target_edge_to_edge():
    image = Image.new("RGB", (1000, 1000), (200, 0, 0))

    frame = prepare_frame(encode(image, "PNG"), target=(1920, 1080), fit="stretch")

    assert close(pixel(frame, (1, 1)), (200, 0, 0), tolerance=0)
    assert "stretched 1000x1000 to 1920x1080" in frame.summary().en


def test_sixteen_by_nine_slides_target_1920x1080():
    assert choose_target(1280, 720) == (1920, 1080)
    assert choose_target(1366, 768) == (1920, 1080)
    assert choose_target(3840, 2160) == (1920, 1080)


def test_other_shapes_keep_their_aspect_ratio_within_klings_range():
    assert choose_target(1024, 768) == (1664, 1248)
    assert choose_target(768, 1024) == (1248, 1664)
    wide_w, wide_h = choose_target(5000, 400)
    assert wide_w <= 2.5 * wide_h and wide_w / wide_h > 2.45


def test_a_pair_shares_the_first_frames_size():
    pair = prepare_pair(encode(slide(1024, 768), "PNG"), encode(slide(1920, 1080), "PNG"))

    assert pair.first.size == pair.last.size == pair.target == (1664, 1248)
    assert "1024x768" in pair.report_text("en")
    assert pair.report_text("zh-CN").startswith("两帧")


def test_a_pair_report_has_a_line_for_each_frame():
    pair = prepare_pair(encode(slide(), "PNG"), encode(slide().convert("CMYK"), "JPEG"))

    lines = pair.report_text("en").splitlines()
    assert lines[1].startswith("First frame: resized 1280x720 to 1920x1080")
    assert lines[2].startswith("Last frame: converted CMYK to RGB")


def test_a_requested_target_is_used_for_both_frames():
    pair = prepare_pair(encode(slide(), "PNG"), encode(slide(800, 800), "PNG"), target=(1280, 720))

    assert pair.first.size == pair.last.size == (1280, 720)
    assert "as requested" in pair.report_text()


def test_a_pair_without_a_last_frame_prepares_the_first_only():
    pair = prepare_pair(encode(slide(), "PNG"), None)

    assert pair.last is None
    assert pair.first.size == (1920, 1080)


def test_a_refusal_in_a_pair_names_the_frame_it_concerns():
    with pytest.raises(FrameError) as refused:
        prepare_pair(encode(slide(), "PNG"), b"")

    assert refused.value.role == "last"
    assert refused.value.code == "frame.empty"
    assert refused.value.message.en.startswith("Last frame: ")
    assert refused.value.message.zh.startswith("尾帧：")


@pytest.mark.parametrize(
    "options",
    [
        {"fit": "zoom"},
        {"target": (200, 1080)},
        {"target": (3000, 1000)},
        {"target": "1920x1080"},
        {"background": "white-ish"},
        {"background": (256, 0, 0)},
        {"max_bytes": 0},
    ],
    ids=str,
)
def test_invalid_settings_are_refused_with_a_clear_code(options):
    with pytest.raises(FrameError) as refused:
        prepare_frame(encode(slide(), "PNG"), **options)

    assert refused.value.code == "frame.bad_option"


def test_a_path_is_read_and_a_missing_one_refused(tmp_path: Path):
    path = tmp_path / "slide.png"
    path.write_bytes(encode(slide(), "PNG"))

    assert prepare_frame(path).size == (1920, 1080)
    assert prepare_frame(str(path)).size == (1920, 1080)
    with pytest.raises(FrameError) as refused:
        prepare_frame(tmp_path / "missing.png")
    assert refused.value.code == "frame.unreadable"


def test_a_file_over_the_default_50_mb_cap_is_refused_unread(tmp_path: Path):
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n")
        handle.truncate(51 * 1024 * 1024)  # sparse: no disk is used

    with pytest.raises(FrameError) as refused:
        prepare_frame(path)

    assert refused.value.code == "frame.too_large"
    assert "50.0 MB" in refused.value.message.en


def test_a_pil_image_is_accepted_and_left_as_it_was():
    gif = Image.open(io.BytesIO(animated_gif()))
    gif.seek(1)

    frame = prepare_frame(gif)

    assert close(pixel(frame, (960, 540)), (255, 0, 0), tolerance=10)
    assert gif.tell() == 1


def test_a_huge_declared_size_under_pillows_hard_stop_is_still_refused():
    # 10000x10000 = 100 MP: above Pillow's warning limit (89 MP), below its hard stop.
    header = encode(Image.new("1", (10_000, 10_000)), "PNG")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(FrameError) as refused:
            prepare_frame(header)

    assert refused.value.code == "frame.bomb"
    assert "10000x10000" in refused.value.message.en


def test_the_pixel_limit_can_be_set_per_call():
    with pytest.raises(FrameError) as refused:
        prepare_frame(encode(slide(), "PNG"), max_pixels=1_000)

    assert refused.value.code == "frame.bomb"


def test_an_srgb_profile_is_kept_without_a_conversion_step():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()

    frame = prepare_frame(encode(slide(), "PNG", icc_profile=profile))

    assert "profile" not in frame.summary().en


def test_a_broken_colour_profile_is_ignored_rather_than_fatal():
    frame = prepare_frame(encode(slide(), "PNG", icc_profile=b"not a profile at all"))

    assert frame.size == (1920, 1080)


def test_open_frame_gives_upright_rgb_at_the_original_size():
    image = open_frame(exif_rotated_jpeg())

    assert image.mode == "RGB"
    assert image.size == (600, 800)


def test_a_lone_first_frame_is_reported_as_one_frame_in_both_languages():
    pair = prepare_pair(encode(slide(1280, 720), "PNG"), None)
    assert pair.report_text("en").startswith("The frame prepared at 1920x1080")
    assert "Both" not in pair.report_text("en")
    assert "两帧" not in pair.report_text("zh-CN") and "该帧" in pair.report_text("zh-CN")


def test_a_pair_is_reported_as_both_frames():
    pair = prepare_pair(encode(slide(1280, 720), "PNG"), encode(slide(1280, 720), "PNG"))
    assert pair.report_text("en").startswith("Both frames prepared at 1920x1080")
