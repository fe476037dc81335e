"""Presentation files (PPTX and friends) converted to PDF through LibreOffice, when it is here."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from pathlib import Path

from kling_ui.deck import errors

log = logging.getLogger("kling_ui.deck.office")

PRESENTATION_SUFFIXES = frozenset({".pptx", ".ppt", ".pps", ".ppsx", ".odp", ".key"})
CONVERT_TIMEOUT_S = 180


def find_soffice() -> str | None:
    """The LibreOffice executable on the PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def presentation_to_pdf(path: Path, outdir: Path) -> Path:
    """Convert a presentation to PDF with `soffice --headless --convert-to pdf`.

    Raises `UserError` deck.pptx_needs_soffice when LibreOffice is not installed, and
    deck.pptx_convert_failed when it runs but yields no PDF (or takes too long).
    """
    soffice = find_soffice()
    if soffice is None:
        raise errors.pptx_needs_soffice(path.name)
    outdir.mkdir(parents=True, exist_ok=True)
    # A private profile, so a LibreOffice the person has open does not block the conversion.
    with tempfile.TemporaryDirectory(prefix="soffice-profile-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(path),
        ]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT_S, check=False
            )
        except (subprocess.TimeoutExpired, OSError) as exc:
            log.warning("soffice failed on %s: %s", path.name, exc.__class__.__name__)
            raise errors.pptx_convert_failed(path.name) from exc
    pdf = outdir / f"{path.stem}.pdf"
    if result.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        log.warning(
            "soffice gave no PDF for %s (exit %s): %s",
            path.name,
            result.returncode,
            result.stderr.strip()[-500:],
        )
        raise errors.pptx_convert_failed(path.name)
    return pdf
