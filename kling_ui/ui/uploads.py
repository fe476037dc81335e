"""Upload components that hand files on as paths, leaving the checks to the Studio's own code.

Gradio checks an upload before any handler runs: a `gr.Image` opens the file with PIL, a
`gr.File` compares its name with `file_types`. A failure there (a text file named .png, a
.docx dropped on the deck) marks every output component of the event with a red "Error"
badge, logs a traceback and tells the person nothing. `LenientImage` and `LenientFile` skip
those checks and pass the uploaded file's path; frame preparation and the deck loader then
refuse what they cannot use, in the person's language, next to the upload. Pasted images
(data URLs) are still decoded by Gradio.

They are the same components to the page (`is_template`: the browser sees "image" and
"file"), and they stay lenient for a session even after a `gr.update(...)` of their
properties, since Gradio rebuilds an updated component from its class.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import gradio as gr
import gradio.component_meta as component_meta


@contextlib.contextmanager
def _no_stub_files() -> Iterator[None]:
    """Gradio writes a .pyi stub beside the module of every component class it sees defined;
    these two classes need none."""
    writer = component_meta.create_or_modify_pyi
    component_meta.create_or_modify_pyi = lambda *args, **kwargs: None  # type: ignore[assignment]
    try:
        yield
    finally:
        component_meta.create_or_modify_pyi = writer  # type: ignore[assignment]


def upload_path(payload: Any) -> str | None:
    """The server-side path of one uploaded file (a FileData or its dict); None for a data
    URL or nothing."""
    if payload is None:
        return None
    url = payload.get("url") if isinstance(payload, dict) else getattr(payload, "url", None)
    if isinstance(url, str) and url.startswith("data:"):
        return None
    path = payload.get("path") if isinstance(payload, dict) else getattr(payload, "path", None)
    return str(path) if path else None


with _no_stub_files():

    class LenientImage(gr.Image):
        """A filepath `gr.Image` whose upload is not opened by Gradio (see the module doc)."""

        is_template = True

        def preprocess(self, payload: Any) -> Any:
            """The uploaded file's path, as it was uploaded."""
            path = upload_path(payload)
            if path is None and payload is not None:
                return super().preprocess(payload)
            return path

    class LenientFile(gr.File):
        """A filepath `gr.File` whose uploads are not checked against `file_types` by Gradio
        (the picker still offers only those types; see the module doc)."""

        is_template = True

        def preprocess(self, payload: Any) -> Any:
            """The uploaded files' paths (one path for a single-file input)."""
            if payload is None:
                return None
            files = getattr(payload, "root", payload)
            items = files if isinstance(files, list | tuple) else [files]
            paths = [p for p in (upload_path(f) for f in items) if p]
            if self.file_count == "single":
                return paths[0] if paths else None
            return paths
