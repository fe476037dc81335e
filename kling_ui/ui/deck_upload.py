"""What the Deck tab makes of an upload: which files are the new upload, and those files in
the order they were picked.

Gradio's file box adds a second upload to the first instead of replacing it; the Deck tab
wants the new files only (`new_upload`). The deck loader orders files by name (slide2 before
slide10, right for a folder of exports); the tab keeps the order the person picked them in
instead, by handing the loader copies named "1 · <name>", "2 · <name>"... (`staged_in_order`;
`deck_views.shown_name` drops the prefix wherever a name is shown). A single file (a PDF, a
PowerPoint, a ZIP) keeps its own page order. Pure file handling, no Gradio.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

MAX_NAME_BYTES = 200


def new_upload(current: Sequence[str], before: Sequence[str] | None) -> list[str]:
    """The files of the upload that just happened, each once: what Gradio added after the
    files the box held before (`before`), or the whole box when it no longer starts with
    them (it was cleared, or a file was taken out)."""
    kept = list(before or [])
    chosen = list(current)
    if kept and len(chosen) > len(kept) and chosen[: len(kept)] == kept:
        chosen = chosen[len(kept) :]
    return list(dict.fromkeys(chosen))


@contextlib.contextmanager
def staged_in_order(paths: Sequence[str]) -> Iterator[list[Path]]:
    """`paths` for the deck loader, in the order given: several files are linked (or copied)
    into a temporary folder as "1 · <name>", "2 · <name>"..., so the loader's name order is
    this order; one file is handed on as it is. The folder is removed afterwards."""
    files = [Path(p) for p in paths]
    if len(files) < 2:
        yield files
        return
    with tempfile.TemporaryDirectory(prefix="kts-deck-order-") as folder:
        staged = []
        for number, source in enumerate(files, start=1):
            name = source.name
            if len(name.encode()) > MAX_NAME_BYTES:  # room for the prefix in a file name
                name = source.stem[:60] + source.suffix[:20]
            target = Path(folder) / f"{number} · {name}"
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
            staged.append(target)
        yield staged
