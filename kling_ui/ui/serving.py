"""Serving the Studio in the foreground: one runtime per process, the page on localhost:7860.

`GRADIO_SERVER_NAME` and `GRADIO_SERVER_PORT` are respected (Gradio reads them when no
host or port is given), so a Hugging Face Space serves on 0.0.0.0 as it expects.
"""

from __future__ import annotations

import logging

import gradio as gr

from kling_ui import logs
from kling_ui.config import Settings
from kling_ui.runtime import Runtime
from kling_ui.ui.build import build_studio, launch_kwargs

log = logging.getLogger("kling_ui.ui.serving")


def start(settings: Settings | None = None) -> tuple[Runtime, gr.Blocks]:
    """Logging with redaction, the process's runtime (started), and the Studio built on it.
    Raises UserError for settings that cannot work (e.g. a base URL without keys)."""
    logs.install()
    settings = settings or Settings()
    for secret in settings.secrets():
        logs.register_secret(secret)
    runtime = Runtime.from_settings(settings).start()
    try:
        return runtime, build_studio(runtime)
    except BaseException:
        runtime.close()
        raise


def launch(
    runtime: Runtime, demo: gr.Blocks, *, host: str | None = None, port: int | None = None
) -> None:
    """Serve `demo` until Ctrl-C, then stop the runtime (unfinished jobs resume next time)."""
    try:
        demo.launch(server_name=host, server_port=port, **launch_kwargs(runtime))
    finally:
        runtime.close()


def serve(
    settings: Settings | None = None, *, host: str | None = None, port: int | None = None
) -> None:
    """Build and serve the Studio in the foreground."""
    runtime, demo = start(settings)
    launch(runtime, demo, host=host, port=port)
