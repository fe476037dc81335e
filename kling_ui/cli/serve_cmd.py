"""`python -m kling_ui serve`: the Studio in the foreground, on localhost:7860 by default."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from kling_ui.cli import EXIT_OK, EXIT_USAGE, add_command
from kling_ui.cli.texts import CANNOT_START
from kling_ui.i18n import UserError, pick_lang


def register(subparsers: Any) -> None:
    """Add the `serve` command."""
    parser = add_command(
        subparsers,
        "serve",
        (
            "Serve the Gradio Studio until Ctrl-C. Without keys it runs in demo mode on the "
            "embedded simulator. Host and port default to GRADIO_SERVER_NAME / "
            "GRADIO_SERVER_PORT, else 127.0.0.1:7860."
        ),
    )
    parser.add_argument("--host", default=None, help="address to bind (e.g. 0.0.0.0)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; a setting that cannot work is one clear line and exit 2,
    said before Gradio (seconds to load) is loaded."""
    from kling_ui.config import Settings
    from kling_ui.runtime import Runtime

    try:
        settings = Settings()
        Runtime.check(settings)
        from kling_ui.ui.serving import serve  # Gradio loads only when serving

        serve(settings, host=args.host, port=args.port)
    except UserError as exc:
        lang = pick_lang(_env_lang())
        print(CANNOT_START.format(reason=exc.text(lang)).get(lang), file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _env_lang() -> str | None:
    """The terminal's language from LANG ("zh_CN.UTF-8" -> "zh-CN"), if set."""
    return os.environ.get("LANG", "").split(".")[0].replace("_", "-") or None
