"""Presentation files (PPTX and friends) rendered to PDF through headless LibreOffice.

Every conversion runs with its own throw-away LibreOffice profile
(`-env:UserInstallation=file:///tmp/...`), so two conversions at once (two browsers uploading,
or a test beside the Studio) never wait for or break each other, and a LibreOffice the person
has open does not block them. A conversion has a time limit; when it is reached the whole
process group is stopped (soffice starts soffice.bin as a child, which would otherwise outlive
it and keep the profile busy).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from kling_ui.deck import errors

log = logging.getLogger("kling_ui.deck.office")

PRESENTATION_SUFFIXES = frozenset(
    {".pptx", ".ppsx", ".pptm", ".potx", ".ppt", ".pps", ".odp", ".key"}
)
CONVERT_TIMEOUT_S = 180
_KILL_GRACE_S = 5


def find_soffice() -> str | None:
    """The LibreOffice executable on the PATH, if any."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_available() -> bool:
    """Whether presentations can be rendered here (LibreOffice is installed)."""
    return find_soffice() is not None


def presentation_to_pdf(path: Path, outdir: Path, *, timeout: float | None = None) -> Path:
    """Convert a presentation to `outdir/<stem>.pdf` with `soffice --headless --convert-to pdf`.

    Raises `UserError` deck.pptx_needs_soffice when LibreOffice is not installed,
    deck.pptx_timeout when it takes longer than `timeout` seconds (default
    `CONVERT_TIMEOUT_S`), and deck.pptx_convert_failed when it cannot open the file or
    yields no PDF.
    """
    soffice = find_soffice()
    if soffice is None:
        raise errors.pptx_needs_soffice(path.name)
    limit = CONVERT_TIMEOUT_S if timeout is None else timeout
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kts-soffice-profile-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(path),
        ]
        returncode, stderr = _run(command, path.name, limit)
    pdf = outdir / f"{path.stem}.pdf"
    if returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        log.warning(
            "soffice gave no PDF for %s (exit %s): %s", path.name, returncode, stderr[-500:]
        )
        raise errors.pptx_convert_failed(path.name)
    return pdf


def _run(command: list[str], name: str, limit: float) -> tuple[int, str]:
    """Run LibreOffice in its own process group; (exit code, stderr). Stops the whole group
    and raises deck.pptx_timeout after `limit` seconds."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        log.warning("soffice could not start for %s: %s", name, exc.__class__.__name__)
        raise errors.pptx_convert_failed(name) from exc
    try:
        _, stderr = process.communicate(timeout=limit)
    except subprocess.TimeoutExpired as exc:
        _stop_group(process)
        log.warning("soffice took longer than %s s on %s", limit, name)
        raise errors.pptx_timeout(name, round(limit)) from exc
    finally:
        if process.poll() is None:  # an interrupt while waiting: leave nothing behind
            _stop_group(process)
    return process.returncode, (stderr or "").strip()


def _stop_group(process: subprocess.Popen[str]) -> None:
    """Stop LibreOffice and every process it started (its profile is thrown away anyway)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.communicate(timeout=_KILL_GRACE_S)
