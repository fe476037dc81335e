"""Importing Gradio without its stub rewriting: a third of Gradio's import time.

Gradio 6 rewrites the `.pyi` stub of every component class each time it is imported
(`gradio.component_meta.create_or_modify_pyi`, called as each class is made): it parses each
component's source with `ast` and writes the file back into site-packages. The stubs serve
editors of Gradio's own code, not a running Studio; on this machine they cost 1.1 of the
2.9 s `import gradio` takes, in every process that serves a Studio (and in every test worker).

`skip_stub_rewriting()` installs an import hook that turns that one function into a no-op as
`gradio.component_meta` loads. It must run before Gradio is first imported (kling_ui/ui's
package does it first thing); later it changes nothing. If a Gradio version no longer has the
function, the hook leaves the module as it is.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MODULE = "gradio.component_meta"
REWRITER = "create_or_modify_pyi"


def _no_stub(*args: Any, **kwargs: Any) -> None:
    """Stands in for Gradio's stub rewriter: the stubs on disk stay as they are."""


class _SkipStubRewriting(importlib.abc.MetaPathFinder):
    """Finds `gradio.component_meta` as Python would, and replaces its stub rewriter once the
    module has run."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            if callable(getattr(module, REWRITER, None)):
                setattr(module, REWRITER, _no_stub)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def skip_stub_rewriting() -> bool:
    """Install the hook (once); False when Gradio is already imported and it is too late."""
    if MODULE in sys.modules:
        return False
    if not any(isinstance(finder, _SkipStubRewriting) for finder in sys.meta_path):
        sys.meta_path.insert(0, _SkipStubRewriting())
    return True
