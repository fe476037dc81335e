"""The Gradio Studio: `build_studio(runtime)` makes the page, `launch_kwargs(runtime)` says
how to serve it, and `serve()` does both for `python app.py` and `python -m kling_ui serve`."""

from kling_ui.gradio_startup import skip_stub_rewriting

skip_stub_rewriting()  # before anything below imports Gradio: see gradio_startup

from kling_ui.ui.build import build_studio, launch_kwargs  # noqa: E402
from kling_ui.ui.serving import serve  # noqa: E402

__all__ = ["build_studio", "launch_kwargs", "serve"]
