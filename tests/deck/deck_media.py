"""Media made on the spot for deck tests: slides, PDFs (plain, empty, encrypted), clips.

Clips are encoded like a Kling transition: H.264 High with B-frames, a cross-fade from one
slide to the next whose first frame is the first slide and last frame the next slide. Sizes
stay small (320x180, 1 s) so the suite is quick on a shared machine.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

SIZE = (320, 180)
FPS = 24

# Distinct, flat-ish slides: a background colour and a block whose position tells them apart.
PALETTE = [
    (235, 235, 240),
    (30, 60, 120),
    (200, 80, 40),
    (40, 150, 90),
    (120, 40, 140),
    (250, 210, 60),
    (20, 20, 20),
    (90, 190, 220),
]


def slide_image(index: int, size: tuple[int, int] = SIZE) -> Image.Image:
    """Slide `index`: its own background colour and a white block placed by its number."""
    width, height = size
    image = Image.new("RGB", size, PALETTE[index % len(PALETTE)])
    draw = ImageDraw.Draw(image)
    left = width // 10 + (index % 5) * width // 8
    draw.rectangle((left, height // 4, left + width // 6, height * 3 // 4), fill=(255, 255, 255))
    return image


def encode_clip(
    path: Path,
    first: Image.Image,
    last: Image.Image,
    *,
    frames: int = FPS,
    fps: int = FPS,
    size: tuple[int, int] | None = None,
    profile: str = "high",
    preset: str = "veryfast",
    bframes: int = 3,
    x264_params: str = "",
) -> Path:
    """A cross-fade from `first` to `last` as an H.264 MP4 (first/last frame = the slides)."""
    size = size or first.size
    a = np.asarray(first.convert("RGB").resize(size), dtype=np.float32)
    b = np.asarray(last.convert("RGB").resize(size), dtype=np.float32)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        options = {"preset": preset, "bf": str(bframes), "profile": profile, "crf": "18"}
        if x264_params:
            options["x264-params"] = x264_params
        stream.options = options
        for index in range(frames):
            t = index / (frames - 1) if frames > 1 else 1.0
            pixels = np.clip(a * (1 - t) + b * t, 0, 255).astype(np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_pdf(path: Path, images: Sequence[Image.Image]) -> Path:
    """A PDF with one page per image (72 dpi: a page is as many points as the image has px)."""
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, format="PDF", save_all=True, append_images=rest, resolution=72)
    return path


def write_empty_pdf(path: Path) -> Path:
    """A well-formed PDF whose page tree has no pages."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    path.write_bytes(_pdf_file(objects, trailer=b""))
    return path


_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def write_encrypted_pdf(path: Path, user_password: str) -> Path:
    """A one-page PDF under the standard security handler (RC4, revision 2) with a user
    password, built by the PDF 1.4 spec's algorithms 3.2-3.4: it opens only with the password.
    """

    def padded(password: str) -> bytes:
        return (password.encode("latin-1") + _PASSWORD_PAD)[:32]

    doc_id = b"0123456789abcdef"
    permissions = (-4).to_bytes(4, "little", signed=True)
    owner = _rc4(hashlib.md5(padded("owner")).digest()[:5], padded(user_password))
    key = hashlib.md5(padded(user_password) + owner + permissions + doc_id).digest()[:5]
    user = _rc4(key, _PASSWORD_PAD)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 225] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
        % (owner.hex().encode(), user.hex().encode()),
    ]
    trailer = b"/Encrypt 4 0 R /ID [<%s> <%s>]" % (doc_id.hex().encode(), doc_id.hex().encode())
    path.write_bytes(_pdf_file(objects, trailer=trailer))
    return path


def _pdf_file(objects: Sequence[bytes], *, trailer: bytes) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, trailer, xref)
    )
    return out.getvalue()


def packets(path: Path) -> list[av.Packet]:
    """The non-empty video packets of a file, in file order."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [p for p in container.demux(stream) if p.size]


def decoded_frames(path: Path) -> list[np.ndarray]:
    """Every frame of the file's video, decoded to RGB arrays."""
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def mean_difference(a: np.ndarray | Image.Image, b: np.ndarray | Image.Image) -> float:
    """Mean absolute difference of two RGB images, 0..255."""
    return float(np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16)).mean())
