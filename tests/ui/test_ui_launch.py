"""How the Studio is served: launch options, login, the Space rule, keys kept off the page,
Kling's callback route, and the MCP server."""

from __future__ import annotations

import importlib.util
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import handle_file
from gradio_client.exceptions import AppError
from ui_helpers import WAIT, Launched, api_client, fast_settings, launch, wait_finished

from kling_ui.i18n import UserError
from kling_ui.runtime import Runtime
from kling_ui.simulator import SimulatorServer
from kling_ui.ui import launch_kwargs
from kling_ui.ui.access import AccessPolicy
from kling_ui.ui.common import GENERATE_CONCURRENCY_ID

ACCESS_KEY = "AKuiTestAccess7f3c9b2e41"
SECRET_KEY = "SKuiTestSecret0d6a8e5f93b1c7"


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served() -> Iterator[Callable[..., Launched]]:
    """Serve Studios for one test (`served(settings, **launch_options)`); all closed after."""
    started: list[Launched] = []

    def start(settings: Any, **options: Any) -> Launched:
        launched = launch(settings, **options)
        started.append(launched)
        return launched

    yield start
    for launched in started:
        launched.close()


@pytest.fixture
def keyed_simulator(simulator_factory: Callable[..., SimulatorServer]) -> SimulatorServer:
    """A simulator that accepts only this module's recognisable test keys."""
    return simulator_factory(access_key=ACCESS_KEY, secret_key=SECRET_KEY)


def keyed_settings(data_dir: Path, server: SimulatorServer, **overrides: Any) -> Any:
    """Settings with real-looking server keys, pointed at `server` (not demo mode)."""
    return fast_settings(
        data_dir,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url=server.base_url,
        **overrides,
    )


def test_launch_options_turn_off_run_history_and_allow_the_data_folder(tmp_path: Path) -> None:
    with Runtime.from_settings(fast_settings(tmp_path / "data")) as runtime:
        options = launch_kwargs(runtime)
    assert options["run_history"] is False
    assert set(options["i18n"].translations_dict) == {"en", "zh-CN"}
    data = (tmp_path / "data").resolve()
    assert options["allowed_paths"] == [str(data / n) for n in ("videos", "frames", "decks")]
    assert options["auth"] is None and options["app_kwargs"]["routes"] == []
    assert options["_frontend"] is False  # no start-up probe for a busy machine to fail


def test_every_generate_event_shares_one_concurrency_group_of_three(studio: Launched) -> None:
    grouped = [
        fn for fn in studio.demo.fns.values() if fn.concurrency_id == GENERATE_CONCURRENCY_ID
    ]
    names = {fn.fn.__name__ for fn in grouped}
    # Studio, lab, API, and the deck tab's Generate deck and Retry
    assert {"on_generate", "generate"} <= names and len(grouped) == 5
    assert all(fn.concurrency_limit == 3 for fn in grouped)
    api = next(fn for fn in grouped if fn.api_name == "generate")
    assert api.api_visibility == "public"
    assert all(fn.api_visibility == "private" for fn in grouped if fn is not api)


def test_kling_ui_auth_puts_the_page_and_the_api_behind_a_login(
    tmp_path: Path, served: Callable[..., Launched]
) -> None:
    studio = served(fast_settings(tmp_path / "data", auth="alice:wonderland"))
    assert httpx.get(f"{studio.url}/gradio_api/info", timeout=10).status_code == 401
    with pytest.raises(ValueError):
        api_client(studio.url, auth=("alice", "wrong"))
    client = api_client(studio.url, auth=("alice", "wonderland"))
    try:
        assert (
            "/generate"
            in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
        )
    finally:
        client.close()


def test_on_a_space_without_login_the_shared_keys_are_not_used(
    tmp_path: Path,
    served: Callable[..., Launched],
    keyed_simulator: SimulatorServer,
    slide_files: tuple[Path, Path],
) -> None:
    settings = keyed_settings(tmp_path / "data", keyed_simulator)
    space = AccessPolicy.from_settings(settings, demo=False, environ={"SPACE_ID": "team/studio"})
    studio = served(settings, policy=space)
    assert "space_keys_banner" in httpx.get(f"{studio.url}/config", timeout=10).text
    client = api_client(studio.url)
    try:
        with pytest.raises(AppError) as refused:
            client.predict(handle_file(str(slide_files[0])), api_name="/generate")
    finally:
        client.close()
    assert "switched off" in str(refused.value) and "Settings tab" in str(refused.value)
    assert studio.runtime.engine.jobs() == []


def test_no_key_appears_in_the_page_its_config_or_its_api(
    tmp_path: Path,
    served: Callable[..., Launched],
    keyed_simulator: SimulatorServer,
    slide_files: tuple[Path, Path],
) -> None:
    studio = served(keyed_settings(tmp_path / "data", keyed_simulator))
    client = api_client(studio.url)
    try:
        job = client.predict(handle_file(str(slide_files[0])), api_name="/generate")
        done = wait_finished(studio.runtime, job["id"])
        answer, _ = client.predict(job["id"], api_name="/job_status")
    finally:
        client.close()
    assert done.status.value == "done"
    pages = [
        httpx.get(f"{studio.url}{path}", timeout=10).text
        for path in ("/", "/config", "/gradio_api/info", "/gradio_api/openapi.json")
    ]
    for text in [*pages, repr(answer)]:
        assert ACCESS_KEY not in text and SECRET_KEY not in text


def test_kling_callbacks_reach_the_engine_through_the_apps_route(
    tmp_path: Path, served: Callable[..., Launched], slide_files: tuple[Path, Path]
) -> None:
    port = free_port()
    settings = fast_settings(tmp_path / "data", public_url=f"http://127.0.0.1:{port}")
    studio = served(settings, server_port=port)
    engine = studio.runtime.engine
    assert engine.callback_url == f"http://127.0.0.1:{port}/kling/callback"
    heard: list[dict[str, Any]] = []
    original = engine.on_callback

    def spy(payload: dict[str, Any]) -> None:
        heard.append(payload)
        original(payload)

    engine.on_callback = spy  # type: ignore[method-assign]
    client = api_client(studio.url)
    try:
        job = client.predict(handle_file(str(slide_files[0])), api_name="/generate")
    finally:
        client.close()
    done = wait_finished(studio.runtime, job["id"])
    deadline = time.monotonic() + WAIT
    while not any(p.get("task_status") == "succeed" for p in heard):
        assert time.monotonic() < deadline, "no callback arrived"
        time.sleep(0.1)
    assert {p["task_id"] for p in heard} == {done.task_id}


def test_the_callback_route_refuses_what_is_not_a_json_object(
    tmp_path: Path, served: Callable[..., Launched]
) -> None:
    port = free_port()
    settings = fast_settings(tmp_path / "data", public_url=f"http://127.0.0.1:{port}")
    studio = served(settings, server_port=port)
    url = f"{studio.url}/kling/callback"
    assert httpx.post(url, content=b"<xml/>", timeout=10).status_code == 400
    assert httpx.post(url, json=[1, 2], timeout=10).status_code == 400
    answer = httpx.post(url, json={"task_id": "unknown", "task_status": "succeed"}, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"ok": True}


@pytest.mark.skipif(importlib.util.find_spec("mcp") is None, reason="gradio[mcp] not installed")
def test_kling_ui_mcp_exposes_generate_as_a_tool(
    tmp_path: Path, served: Callable[..., Launched]
) -> None:
    studio = served(fast_settings(tmp_path / "data", mcp=True))
    tools = httpx.get(f"{studio.url}/gradio_api/mcp/schema", timeout=10).json()
    by_name = {tool["name"]: tool for tool in tools}
    assert set(by_name) == {"generate", "job_status"}
    assert by_name["generate"]["description"].startswith("Generate a transition video")
    assert by_name["generate"]["inputSchema"]["required"] == ["first_frame"]


@pytest.mark.skipif(importlib.util.find_spec("mcp") is not None, reason="gradio[mcp] installed")
def test_kling_ui_mcp_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path / "data", mcp=True))
    try:
        with pytest.raises(UserError) as refused:
            launch_kwargs(runtime)
    finally:
        runtime.close()
    assert "gradio[mcp]" in refused.value.text("en")
