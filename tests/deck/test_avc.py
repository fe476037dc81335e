"""kling_ui.deck.avc: the avcC record and SPS/PPS ids, read from real x264 output."""

from __future__ import annotations

from pathlib import Path

import av
import pytest
from deck_media import encode_clip, slide_image

from kling_ui.deck.avc import (
    AvcConfig,
    AvcFormatError,
    iter_nals,
    length_prefixed,
    nal_type,
    parse_avcc,
    pps_id,
    sps_id,
)


def _extradata(path: Path) -> bytes:
    with av.open(str(path)) as container:
        return bytes(container.streams.video[0].codec_context.extradata)


@pytest.fixture
def x264_avcc(tmp_path: Path) -> bytes:
    clip = encode_clip(
        tmp_path / "c.mp4", slide_image(0), slide_image(1), frames=4, x264_params="sps-id=3"
    )
    return _extradata(clip)


def test_an_avcc_record_reads_back_to_the_same_bytes(x264_avcc: bytes) -> None:
    config = parse_avcc(x264_avcc)
    assert config.profile == 100 and config.length_size == 4
    assert len(config.sps) == 1 and len(config.pps) == 1
    assert config.trailer  # High profile records carry the chroma/bit-depth fields
    assert config.to_bytes() == x264_avcc


def test_parameter_set_ids_are_read_from_the_nal_units(x264_avcc: bytes) -> None:
    config = parse_avcc(x264_avcc)
    assert sps_id(config.sps[0]) == 3 and pps_id(config.pps[0]) == 3
    assert config.parameter_sets() == {("sps", 3): config.sps[0], ("pps", 3): config.pps[0]}


def test_several_parameter_sets_fit_in_one_record(x264_avcc: bytes) -> None:
    config = parse_avcc(x264_avcc)
    merged = AvcConfig(
        profile=config.profile,
        compatibility=config.compatibility,
        level=config.level,
        length_size=4,
        sps=(*config.sps, config.sps[0]),
        pps=(*config.pps, config.pps[0]),
        trailer=config.trailer,
    )
    again = parse_avcc(merged.to_bytes())
    assert again.sps == merged.sps and again.pps == merged.pps


def test_a_sample_splits_into_its_nal_units_and_joins_back(tmp_path: Path) -> None:
    clip = encode_clip(tmp_path / "c.mp4", slide_image(0), slide_image(1), frames=4)
    with av.open(str(clip)) as container:
        first = bytes(next(p for p in container.demux(video=0) if p.size))
    nals = list(iter_nals(first))
    assert nal_type(nals[-1]) == 5  # the keyframe ends with its IDR slice
    assert length_prefixed(nals) == first


@pytest.mark.parametrize("data", [b"", b"\x00\x01", b"\x01\x64\x00\x1f\xff\xe1\x00\x20abc"])
def test_bytes_that_are_not_an_avcc_record_are_refused(data: bytes) -> None:
    with pytest.raises(AvcFormatError):
        parse_avcc(data)


def test_a_nal_length_past_the_sample_end_is_refused() -> None:
    with pytest.raises(AvcFormatError):
        list(iter_nals(b"\x00\x00\x00\x09\x65abc"))


def test_only_sps_and_pps_units_have_those_ids() -> None:
    with pytest.raises(AvcFormatError):
        sps_id(b"\x68\xee\x3c\x80")
    with pytest.raises(AvcFormatError):
        pps_id(b"\x67\x64\x00\x1f\xac")
