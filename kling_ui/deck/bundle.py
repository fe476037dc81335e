"""One ZIP with everything a deck produced: the video, the PowerPoint with the transitions
inside, the clips, the slides, the presenter page.

Inside, one folder named after the ZIP holds the final video (and any extra file, such as the
PowerPoint) and the presenter page with its slides/ and clips/ beside it, so unzipping and
opening index.html presents live. The clips and slides are stored once, under the names the
page refers to; media is stored uncompressed (it is compressed already), the page deflated.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from kling_ui.deck.presenter import INDEX, clip_name, slide_name


def write_bundle(
    out_zip: Path,
    final_video: Path,
    clips: Sequence[Path],
    slides: Sequence[Path],
    presenter_dir: Path,
    extras: Sequence[Path] = (),
) -> Path:
    """Write `out_zip` (atomically) and return it.

    `presenter_dir` is a folder written by `write_presenter` for the same slides and clips;
    its index.html goes in the ZIP, and the clips and slides are stored under its names.
    `extras` (e.g. the deck's .pptx) are stored beside the final video under their own names.
    """
    if not slides or len(clips) != len(slides) - 1:
        raise ValueError("need N >= 1 slides and N - 1 clips")
    page = presenter_dir / INDEX
    if not page.is_file():
        raise FileNotFoundError(page)
    root = out_zip.stem
    entries: list[tuple[Path, str, int]] = [
        (final_video, f"{root}/{final_video.name}", zipfile.ZIP_STORED),
        (page, f"{root}/{INDEX}", zipfile.ZIP_DEFLATED),
    ]
    entries += [(Path(e), f"{root}/{Path(e).name}", zipfile.ZIP_STORED) for e in extras]
    count = len(slides)
    entries += [
        (Path(s), f"{root}/{slide_name(i, count, Path(s).suffix.lower())}", zipfile.ZIP_STORED)
        for i, s in enumerate(slides)
    ]
    entries += [
        (Path(c), f"{root}/{clip_name(i, count)}", zipfile.ZIP_STORED) for i, c in enumerate(clips)
    ]
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out_zip.parent, prefix=f".{out_zip.name}.", suffix=".tmp")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            for source, name, method in entries:
                archive.write(source, name, compress_type=method)
        os.replace(tmp, out_zip)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_zip
