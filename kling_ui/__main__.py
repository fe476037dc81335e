"""Entry point for `python -m kling_ui`."""

from __future__ import annotations

import sys

from kling_ui.cli import main

if __name__ == "__main__":
    sys.exit(main())
