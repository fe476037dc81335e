"""Fixtures for every test: a running Kling simulator, JWTs for it, and slide-like images."""

from __future__ import annotations

import os
import tempfile

# Each xdist worker gets its own Gradio upload cache: the same slide uploaded by two workers
# lands in the same content-hashed folder, and one Studio closing would delete the other's.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["GRADIO_TEMP_DIR"] = os.path.join(
        tempfile.gettempdir(), f"gradio-{os.environ['PYTEST_XDIST_WORKER']}-{os.getpid()}"
    )

# Tests speak plain HTTP to loopback only, yet every ad-hoc httpx client (httpx.get, the
# gradio_client, each process the tests start) would parse the whole CA bundle, about 25 ms of
# CPU each: an empty certificate folder makes that free. (The Kling client keeps its own
# context; nothing here reaches a TLS server.) Gradio's online version check is off too.
os.environ["SSL_CERT_DIR"] = tempfile.mkdtemp(prefix="no-certificates-")
os.environ.pop("SSL_CERT_FILE", None)
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import ipaddress
import shutil
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from kling_ui.gradio_startup import skip_stub_rewriting
from kling_ui.simulator import SimulatorConfig, SimulatorServer, sign_token
from kling_ui.simulator import slide_b64 as make_slide_b64
from kling_ui.simulator import slide_png as make_slide_png

# Before any test module imports Gradio (nothing above does): Gradio is then imported without
# the stub rewriting that costs every worker a second (kling_ui/gradio_startup.py). Only the
# hook is installed here, so the xdist controller, which runs no test, never imports Gradio.
skip_stub_rewriting()

FAST_LATENCY = 0.2

# Property tests: "ci" (the default) tries a fixed handful of examples, the same every run, so
# the suite is quick and steady; HYPOTHESIS_PROFILE=thorough (or "dev") searches widely for new
# ones. No profile has a per-example deadline: a loaded machine is slow, not wrong.
_NO_CLOCK = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", max_examples=6, derandomize=True, database=None, **_NO_CLOCK)
settings.register_profile("thorough", max_examples=200, **_NO_CLOCK)
settings.register_profile("dev", parent=settings.get_profile("thorough"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


def _is_loopback(host: object) -> bool:
    if host is None:
        return True
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def _long(item: pytest.Item) -> bool:
    return bool(
        item.get_closest_marker("slow")
        or item.get_closest_marker("browser")
        or "browser" in getattr(item, "fixturenames", ())
    )


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `--dist loadscope`: whole modules, at most half the workers in browser modules
    at once (tests/browser_share.py)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from browser_share import BrowserShareScheduling

    return BrowserShareScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules with a slow or a browser test first, each module kept whole: with several
    workers (pytest -n N --dist loadscope, each module on one worker) the long ones start at
    once instead of last."""
    long_modules = {getattr(item, "module", None) for item in items if _long(item)}
    items.sort(key=lambda item: getattr(item, "module", None) not in long_modules)


@pytest.fixture(autouse=True, scope="session")
def loopback_only() -> Iterator[None]:
    """Tests talk only to loopback: any name lookup or connection elsewhere fails at once,
    as if the network were down, so no test can reach the internet by accident."""
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach loopback only, not {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):  # type: ignore[no-untyped-def]
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise ConnectionRefusedError(f"tests reach loopback only, not {address[0]}")
        return real_connect(sock, address)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    socket.socket.connect = connect  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.getaddrinfo = real_getaddrinfo  # type: ignore[assignment]
        socket.socket.connect = real_connect  # type: ignore[method-assign]


SMALL_RENDER_HEIGHT = 180


@pytest.fixture
def sim_config() -> SimulatorConfig:
    """A fast simulator: tasks end after 0.2 s and videos are 180 px high."""
    return SimulatorConfig(latency=FAST_LATENCY, render_height=SMALL_RENDER_HEIGHT)


@pytest.fixture
def simulator(sim_config: SimulatorConfig) -> Iterator[SimulatorServer]:
    """A running simulator with `sim_config`, stopped after the test."""
    with SimulatorServer(sim_config) as server:
        yield server


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., SimulatorServer]]:
    """Start simulators with config overrides (`simulator_factory(fail_rate=1.0)`) on top of
    the fast defaults; every one is stopped at teardown."""
    started: list[SimulatorServer] = []

    def start(**overrides: Any) -> SimulatorServer:
        fields: dict[str, Any] = {"latency": FAST_LATENCY, "render_height": SMALL_RENDER_HEIGHT}
        fields.update(overrides)
        server = SimulatorServer(SimulatorConfig(**fields))
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def dead_url() -> Iterator[str]:
    """A loopback URL where every connection is refused: its port stays bound (never
    listening) for the whole test, so no other server started meanwhile can take it."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{held.getsockname()[1]}"


@pytest.fixture
def sim_token() -> Callable[..., str]:
    """`sim_token(access_key, secret_key, exp_offset=1800, nbf_offset=-5)` -> a Kling JWT."""
    return sign_token


@pytest.fixture
def slide_png() -> Callable[..., bytes]:
    """`slide_png(width=1920, height=1080, text="Slide 1", color=None)` -> PNG bytes."""
    return make_slide_png


@pytest.fixture
def slide_b64() -> Callable[..., str]:
    """`slide_b64(...)`: `slide_png` as base64 without a data: prefix."""
    return make_slide_b64


# Debian's headless shell (the old headless mode, no browser UI) costs about half the CPU of
# the full browser per page; the full one is the fallback.
CHROMIUMS = ("chromium-headless-shell", "chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright, one per test module (skipped when
    it is not installed; scripts/test.sh installs it)."""
    executable = next(filter(None, map(shutil.which, CHROMIUMS)), None)
    if executable is None:
        pytest.skip("Debian's chromium-headless-shell is not installed (scripts/test.sh does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
