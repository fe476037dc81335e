"""The Studio's callback route (`/kling/callback`, open to anyone once KLING_UI_PUBLIC_URL is
set) against an attacker: a 1 GB POST, chunked or declaring its length, is refused without
the Studio's memory growing, a deeply nested body gets a plain 400 with no traceback logged,
and the Studio keeps serving."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from reliability_helpers import Served, serve_studio, still_serving, studio_settings

from kling_ui.jobs.engine import CALLBACK_PATH
from kling_ui.runtime import Runtime

GIGABYTE = 1 << 30
CHUNK = 1 << 20
MAX_GROWTH_MB = 50.0


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A demo Studio served in this process with its callback route mounted."""
    data = tmp_path_factory.mktemp("callbacks") / "data"
    settings = studio_settings(data, public_url="https://studio.example")
    served = serve_studio(Runtime.from_settings(settings).start())
    yield served
    served.close()


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (or its peak, `VmHWM`) in MB, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"{field} is not in /proc/self/status")


class PeakMemory:
    """The highest RSS this process reaches inside the `with` block: the kernel's peak
    (reset on entry) and, where that reset is not allowed, a 5 ms sampler."""

    def __init__(self) -> None:
        self.start = self.peak = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._kernel_peak = False

    def __enter__(self) -> PeakMemory:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak RSS
            self._kernel_peak = True
        except OSError:
            pass
        self.start = self.peak = rss_mb()
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sampler.join(10)
        if self._kernel_peak:
            self.peak = max(self.peak, rss_mb("VmHWM"))

    @property
    def growth(self) -> float:
        """MB above the RSS at entry."""
        return self.peak - self.start

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss_mb())


def one_gigabyte() -> Iterator[bytes]:
    """1 GB of body, made one 1 MB chunk at a time (the same chunk, so the sender holds 1 MB)."""
    chunk = b"[" * CHUNK
    for _ in range(GIGABYTE // CHUNK):
        yield chunk


def post_callback(studio: Served, **request: object) -> httpx.Response:
    return httpx.post(studio.url + CALLBACK_PATH, timeout=120, **request)  # type: ignore[arg-type]


def test_a_1_gb_chunked_post_is_refused_and_the_studio_s_memory_stays_flat(
    studio: Served,
) -> None:
    with PeakMemory() as memory:
        answer = post_callback(studio, content=one_gigabyte())
    assert answer.status_code == 413
    assert memory.growth < MAX_GROWTH_MB, f"RSS {memory.start:.0f} -> {memory.peak:.0f} MB"
    assert still_serving(studio.url)


def test_a_1_gb_post_declaring_its_length_is_refused_and_the_studio_s_memory_stays_flat(
    studio: Served,
) -> None:
    with PeakMemory() as memory:
        answer = post_callback(
            studio, content=one_gigabyte(), headers={"content-length": str(GIGABYTE)}
        )
    assert answer.status_code == 413
    assert memory.growth < MAX_GROWTH_MB, f"RSS {memory.start:.0f} -> {memory.peak:.0f} MB"
    assert still_serving(studio.url)


def test_a_deeply_nested_body_gets_400_and_no_traceback_in_the_studio_s_log(
    studio: Served, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Gradio's uvicorn loggers do not propagate to the root logger caplog listens on.
    uvicorn_loggers = [logging.getLogger(name) for name in ("uvicorn", "uvicorn.error")]
    for logger in uvicorn_loggers:
        logger.addHandler(caplog.handler)
    try:
        answer = post_callback(studio, content=b"[" * 60_000)
    finally:
        for logger in uvicorn_loggers:
            logger.removeHandler(caplog.handler)
    assert answer.status_code == 400
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text


def test_a_well_formed_callback_is_still_accepted(studio: Served) -> None:
    answer = post_callback(studio, json={"task_id": "not-ours", "task_status": "succeed"})
    assert answer.status_code == 200 and answer.json() == {"ok": True}
