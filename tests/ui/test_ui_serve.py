"""Starting the Studio as a person would: `python app.py` and `python -m kling_ui serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 180.0  # generous: a loaded 2-core machine starts Gradio slowly


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The parent's environment without Kling or Gradio settings, plus a data folder."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(("KLING", "GRADIO_"))}
    env.update(PYTHONPATH=str(REPO), KLING_UI_DATA_DIR=str(data_dir), KLING_UI_DEMO_LATENCY="1")
    env.update(extra)
    return env


def serve_until_answering(command: list[str], env: dict[str, str], cwd: Path, port: int) -> str:
    """Start `command`, wait for the page on `port`, stop it; the page's HTML."""
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited early:\n{process.stdout.read()}")  # type: ignore[union-attr]
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                if answer.status_code == 200:
                    return answer.text
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("the page never answered")
            time.sleep(0.3)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_python_app_py_serves_the_studio_on_the_configured_port(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path / "data", GRADIO_SERVER_PORT=str(port))
    page = serve_until_answering([sys.executable, str(REPO / "app.py")], env, tmp_path, port)
    assert '"title":"Kling Transition Studio"' in page


def test_kling_ui_serve_listens_where_asked(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path / "data")
    command = [
        sys.executable,
        "-m",
        "kling_ui",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    page = serve_until_answering(command, env, tmp_path, port)
    assert '"title":"Kling Transition Studio"' in page


def test_kling_ui_serve_refuses_settings_that_cannot_work(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "data", KLING_BASE_URL="http://127.0.0.1:9")
    done = subprocess.run(
        [sys.executable, "-m", "kling_ui", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert done.returncode == 2
    assert "KLING_BASE_URL is set but no Kling keys are" in done.stderr
    assert "Kling_API_Key" in done.stderr and "Kling_Access_Key" in done.stderr
