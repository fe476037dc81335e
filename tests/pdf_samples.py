"""PDFs built byte by byte for tests: empty page trees and password-protected files, which
Pillow cannot write. Shared by the deck tests and the hostile-input corpus."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence

_PASSWORD_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def pdf_bytes(objects: Sequence[bytes], *, trailer: bytes = b"") -> bytes:
    """A PDF 1.4 file of these numbered objects (object 1 is the catalog) with its xref."""
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


def empty_pdf_bytes() -> bytes:
    """A well-formed PDF whose page tree has no pages."""
    return pdf_bytes(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


def encrypted_pdf_bytes(user_password: str) -> bytes:
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
    return pdf_bytes(objects, trailer=trailer)


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
