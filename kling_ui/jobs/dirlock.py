"""One job engine per data folder: an exclusive lock the kernel drops even on SIGKILL."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from kling_ui.jobs import messages

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock; one process is assumed there
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = ".engine.lock"


class DataDirLock:
    """Held while an engine runs on `data_dir`; a second holder gets UserError engine.busy."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._handle: TextIO | None = None

    def acquire(self) -> None:
        """Take the lock or raise engine.busy at once (never waits)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.data_dir / LOCK_NAME).open("a+")
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise messages.engine_busy(str(self.data_dir)) from None
        self._handle = handle

    def release(self) -> None:
        """Give the lock back (closing the file drops the flock)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
