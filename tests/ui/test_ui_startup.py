"""Gradio is imported without rewriting its component stubs (kling_ui/gradio_startup.py)."""

from __future__ import annotations

import subprocess
import sys

import gradio.component_meta

from kling_ui.gradio_startup import skip_stub_rewriting

CHECK = """
import kling_ui.ui, gradio, gradio.component_meta as meta
print(meta.create_or_modify_pyi.__name__, type(gradio.Textbox()).__name__)
"""


def test_a_process_serving_the_studio_imports_gradio_without_rewriting_its_stubs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["_no_stub", "Textbox"]  # and the components still build


def test_the_test_workers_import_gradio_the_same_way() -> None:
    assert gradio.component_meta.create_or_modify_pyi.__name__ == "_no_stub"


def test_once_gradio_is_imported_the_hook_says_it_is_too_late() -> None:
    assert skip_stub_rewriting() is False
