"""H.264 (AVC) parameter sets as MP4 stores them: the avcC record and SPS/PPS NAL units.

The stitcher needs just enough of the bitstream to let segments from different encoders share
one MP4 track without touching their slices: read which SPS/PPS ids a segment uses, merge the
parameter sets of all segments into one avcC record, and walk length-prefixed NAL units.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

NAL_SLICE_IDR = 5
NAL_SPS = 7
NAL_PPS = 8
# Profiles whose avcC record carries the chroma/bit-depth trailer (ISO/IEC 14496-15 5.3.3.1.2).
HIGH_PROFILES = frozenset({100, 110, 122, 144})

ParamKey = tuple[str, int]
"""Identifies one parameter set the way a decoder does: ("sps", id) or ("pps", id)."""


class AvcFormatError(ValueError):
    """The bytes are not a well-formed avcC record or NAL unit."""


@dataclass(frozen=True, slots=True)
class AvcConfig:
    """The content of an avcC (AVCDecoderConfigurationRecord) box."""

    profile: int
    compatibility: int
    level: int
    length_size: int
    sps: tuple[bytes, ...]
    pps: tuple[bytes, ...]
    trailer: bytes = b""

    def parameter_sets(self) -> dict[ParamKey, bytes]:
        """Every SPS and PPS keyed by the id slices refer to them by."""
        sets: dict[ParamKey, bytes] = {("sps", sps_id(n)): n for n in self.sps}
        sets.update({("pps", pps_id(n)): n for n in self.pps})
        return sets

    def to_bytes(self) -> bytes:
        """Serialise back into an avcC record."""
        if len(self.sps) > 31 or len(self.pps) > 255:
            raise AvcFormatError("too many parameter sets for one avcC record")
        out = bytearray(
            [1, self.profile, self.compatibility, self.level, 0xFC | (self.length_size - 1)]
        )
        out.append(0xE0 | len(self.sps))
        for nal in self.sps:
            out += len(nal).to_bytes(2, "big") + nal
        out.append(len(self.pps))
        for nal in self.pps:
            out += len(nal).to_bytes(2, "big") + nal
        return bytes(out + self.trailer)


def parse_avcc(data: bytes) -> AvcConfig:
    """Read an avcC record (MP4 H.264 extradata); raise `AvcFormatError` for anything else."""
    if len(data) < 7 or data[0] != 1:
        raise AvcFormatError("not an avcC record")
    pos = 6
    sps: list[bytes] = []
    pps: list[bytes] = []
    try:
        for _ in range(data[5] & 0x1F):
            size = int.from_bytes(data[pos : pos + 2], "big")
            sps.append(_exact(data, pos + 2, size))
            pos += 2 + size
        count = data[pos]
        pos += 1
        for _ in range(count):
            size = int.from_bytes(data[pos : pos + 2], "big")
            pps.append(_exact(data, pos + 2, size))
            pos += 2 + size
    except IndexError as exc:
        raise AvcFormatError("truncated avcC record") from exc
    return AvcConfig(
        profile=data[1],
        compatibility=data[2],
        level=data[3],
        length_size=(data[4] & 0x03) + 1,
        sps=tuple(sps),
        pps=tuple(pps),
        trailer=bytes(data[pos:]),
    )


def _exact(data: bytes, start: int, size: int) -> bytes:
    chunk = data[start : start + size]
    if len(chunk) != size or size == 0:
        raise AvcFormatError("truncated avcC record")
    return bytes(chunk)


def nal_type(nal: bytes) -> int:
    """The nal_unit_type of a NAL unit (its header's low five bits)."""
    return nal[0] & 0x1F


def iter_nals(payload: bytes, length_size: int = 4) -> Iterator[bytes]:
    """The NAL units of one length-prefixed MP4 sample."""
    pos = 0
    while pos < len(payload):
        size = int.from_bytes(payload[pos : pos + length_size], "big")
        pos += length_size
        if size == 0 or pos + size > len(payload):
            raise AvcFormatError("NAL length runs past the end of the sample")
        yield payload[pos : pos + size]
        pos += size


def length_prefixed(nals: list[bytes], length_size: int = 4) -> bytes:
    """Join NAL units into one length-prefixed MP4 sample."""
    return b"".join(len(n).to_bytes(length_size, "big") + n for n in nals)


def sps_id(nal: bytes) -> int:
    """seq_parameter_set_id of an SPS NAL unit."""
    if len(nal) < 5 or nal_type(nal) != NAL_SPS:
        raise AvcFormatError("not an SPS NAL unit")
    # header, profile_idc, constraint flags, level_idc, then ue(v) seq_parameter_set_id
    return _BitReader(_unescape(nal[4:])).ue()


def pps_id(nal: bytes) -> int:
    """pic_parameter_set_id of a PPS NAL unit."""
    if len(nal) < 2 or nal_type(nal) != NAL_PPS:
        raise AvcFormatError("not a PPS NAL unit")
    return _BitReader(_unescape(nal[1:])).ue()


def _unescape(rbsp: bytes) -> bytes:
    """Remove emulation-prevention bytes (00 00 03 -> 00 00)."""
    return rbsp.replace(b"\x00\x00\x03", b"\x00\x00")


class _BitReader:
    """Reads Exp-Golomb codes from the start of an RBSP."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._bit = 0

    def _read_bit(self) -> int:
        byte = self._bit >> 3
        if byte >= len(self._data):
            raise AvcFormatError("Exp-Golomb code runs past the end of the NAL unit")
        value = (self._data[byte] >> (7 - (self._bit & 7))) & 1
        self._bit += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self._read_bit() == 0:
            zeros += 1
            if zeros > 31:
                raise AvcFormatError("malformed Exp-Golomb code")
        value = 0
        for _ in range(zeros):
            value = (value << 1) | self._read_bit()
        return (1 << zeros) - 1 + value
