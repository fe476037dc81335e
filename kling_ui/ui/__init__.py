"""The Gradio Studio: `build_studio(runtime)` makes the page, `launch_kwargs(runtime)` says
how to serve it, and `serve()` does both for `python app.py` and `python -m kling_ui serve`."""

from kling_ui.ui.build import build_studio, launch_kwargs
from kling_ui.ui.serving import serve

__all__ = ["build_studio", "launch_kwargs", "serve"]
