"""Kling Transition Studio: `python app.py` (and Hugging Face Spaces) serve the Studio.

Builds one runtime for the process (the embedded simulator when no keys are set), exposes
the page as `demo`, and serves it on localhost:7860 (GRADIO_SERVER_NAME/PORT respected).
"""

from __future__ import annotations

import sys

from kling_ui.i18n import UserError
from kling_ui.ui.serving import launch, start

try:
    runtime, demo = start()
except UserError as exc:
    sys.exit(f"Kling Transition Studio cannot start: {exc.text()}")

if __name__ == "__main__":
    try:
        launch(runtime, demo)
    except UserError as exc:
        sys.exit(f"Kling Transition Studio cannot start: {exc.text()}")
