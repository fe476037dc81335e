"""Secrets: with real-looking keys set, a full session leaves no access key, secret key or
JWT anywhere a person, a log collector or a visitor could read it.

The session: the Studio served as its own process (`python -m kling_ui serve`, keys from the
environment, pointed at a simulated Kling that accepts only those keys), used through
gradio_client (a job to the end, a broken upload, an unknown job id, and a job refused
because the account's secret key stopped matching) and through the command line (a job, a
wrong secret key, `jobs`, `resume`). Then everything is searched: the server's whole output,
the CLI's output, the store's rows and raw bytes, every file under the data folders and
Gradio's upload folder, the page, its config, the API schema, and every answer received.
The browser test opens the same Studio in Chromium, runs a job from the page, and searches
the page, localStorage, sessionStorage and cookies.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from playwright.sync_api import Browser, expect
from reliability_helpers import (
    WAIT,
    StudioProcess,
    child_env,
    files_with_leaks,
    leaks,
    real_looking_keys,
    sim_configure,
    sim_stats,
    store_rows,
)

from kling_ui.runtime import STORE_FILE
from kling_ui.simulator import SimulatorConfig, SimulatorServer, slide_png

pytestmark = pytest.mark.slow

PAGES = (
    "/",
    "/config",
    "/gradio_api/info",
    "/gradio_api/info?all_endpoints=true",
    "/gradio_api/openapi.json",
    "/openapi.json",
)


@dataclass
class Session:
    """What a full session left behind, for searching."""

    keys: tuple[str, str]
    server: SimulatorServer
    studio: StudioProcess
    folders: list[Path]
    answers: list[str] = field(default_factory=list)
    cli_output: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)
    job_statuses: list[str] = field(default_factory=list)


def follow(client: Client, job_id: str, answers: list[str]) -> dict[str, Any]:
    """Poll /job_status until the job has finished, keeping every answer."""
    deadline = time.monotonic() + WAIT
    while True:
        job, video = client.predict(job_id, api_name="/job_status")
        answers.append(repr((job, video)))
        if job["finished"] or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def run_cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m kling_ui ARGS` as a person would run it."""
    return subprocess.run(
        [sys.executable, "-m", "kling_ui", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """Run the whole session once for this module; the Studio keeps serving for the
    browser test until the module ends."""
    home = tmp_path_factory.mktemp("secrets")
    first, last, broken = home / "first.png", home / "last.png", home / "broken.png"
    first.write_bytes(slide_png(640, 360, "Quarterly results"))
    last.write_bytes(slide_png(640, 360, "Next quarter"))
    broken.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    keys = real_looking_keys("secret")
    config = SimulatorConfig(access_key=keys[0], secret_key=keys[1], latency=0.8, render_height=180)
    with SimulatorServer(config) as server:
        studio_data, cli_data, uploads = home / "studio-data", home / "cli-data", home / "uploads"
        env = child_env(studio_data, server, GRADIO_TEMP_DIR=str(uploads))
        studio = StudioProcess(env, home, home / "studio.log").start()
        done = Session(keys, server, studio, [studio_data, cli_data, uploads])
        try:
            _use_the_api(done, first, last, broken)
            _use_the_cli(done, first, last, child_env(cli_data, server), home)
            for path in PAGES:
                answer = httpx.get(f"{studio.url}{path}", timeout=30)
                assert answer.status_code == 200, path
                done.pages[path] = answer.text
            yield done
        finally:
            studio.stop()


def _use_the_api(session: Session, first: Path, last: Path, broken: Path) -> None:
    client = Client(session.studio.url, verbose=False, httpx_kwargs={"timeout": WAIT})
    answers = session.answers
    try:
        frames = {"first_frame": handle_file(str(first)), "last_frame": handle_file(str(last))}
        job = client.predict(**frames, prompt="A slow push-in", api_name="/generate")
        answers.append(repr(job))
        session.job_statuses.append(follow(client, job["id"], answers)["status"])
        for bad in (
            lambda: client.predict(handle_file(str(broken)), api_name="/generate"),
            lambda: client.predict("no-such-job", api_name="/job_status"),
        ):
            with pytest.raises(AppError) as refused:
                bad()
            answers.append(str(refused.value))
        # The account's secret key stops matching (revoked, rotated): Kling refuses the job.
        sim_configure(session.server, secret_key=session.keys[1][::-1])
        try:
            job = client.predict(**frames, prompt="Refused by Kling", api_name="/generate")
            answers.append(repr(job))
            session.job_statuses.append(follow(client, job["id"], answers)["status"])
        finally:
            sim_configure(session.server, secret_key=session.keys[1])
    finally:
        client.close()


def _use_the_cli(session: Session, first: Path, last: Path, env: dict[str, str], cwd: Path) -> None:
    wrong = {**env, "KLING_SECRET_KEY": "SKwrong" + session.keys[1][7:]}
    for args, run_env in (
        (["generate", str(first), str(last), "--json"], env),
        (["generate", str(first), str(last), "--json", "--new-take"], wrong),
        (["jobs", "--json"], env),
        (["jobs"], env),
        (["resume", "--json"], env),
    ):
        done = run_cli(args, run_env, cwd)
        session.cli_output += [done.stdout, done.stderr]
        if args[0] == "generate":
            session.job_statuses.append(json.loads(done.stdout.strip().splitlines()[-1])["status"])


def test_the_session_really_used_the_keys_and_met_a_refusal(session: Session) -> None:
    stats = sim_stats(session.server)
    assert len(stats["created"]) == 2  # one job from the Studio, one from the CLI
    assert session.job_statuses == ["done", "failed", "done", "failed"]
    assert any("Kling did not accept the API keys" in a for a in session.answers)


def test_the_search_finds_a_key_or_a_jwt_where_there_is_one(session: Session) -> None:
    access, secret = session.keys
    token = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJhayJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert leaks(f"key={access}", session.keys) and leaks(b"x" + secret.encode(), session.keys)
    assert leaks(f"Authorization: Bearer {token}", session.keys)
    assert not leaks("nothing to see here", session.keys)


def test_no_key_or_jwt_in_the_servers_output_or_the_cli_output(session: Session) -> None:
    server_output = session.studio.output()
    assert "job engine started" in server_output  # the log is there, errors included
    assert "failed at create: kling.1002" in server_output
    assert leaks(server_output, session.keys) == []
    for output in session.cli_output:
        assert leaks(output, session.keys) == []


def test_no_key_or_jwt_in_the_stored_rows(session: Session) -> None:
    for folder in session.folders[:2]:
        rows = store_rows(folder / STORE_FILE)
        assert rows
        assert leaks(json.dumps(rows, default=str), session.keys) == []


def test_no_key_or_jwt_in_any_file_under_the_data_and_upload_folders(session: Session) -> None:
    for folder in session.folders:
        assert any(path.is_file() for path in folder.rglob("*")), folder
        assert files_with_leaks(folder, session.keys) == {}


def test_no_key_or_jwt_in_the_page_its_config_or_its_api_schema(session: Session) -> None:
    assert '"title":"Kling Transition Studio"' in session.pages["/"]
    for path, text in session.pages.items():
        assert leaks(text, session.keys) == [], path


def test_no_key_or_jwt_in_any_answer_the_api_gave(session: Session) -> None:
    assert len(session.answers) >= 6
    for answer in session.answers:
        assert leaks(answer, session.keys) == []


BROWSER_TIMEOUT_MS = 60_000


@pytest.mark.browser
def test_no_key_or_jwt_in_the_browser_after_a_job_from_the_page(
    session: Session, tmp_path: Path, browser: Browser
) -> None:
    first, last = tmp_path / "a.png", tmp_path / "b.png"
    first.write_bytes(slide_png(640, 360, "From the page"))
    last.write_bytes(slide_png(640, 360, "To the page"))
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        page = context.new_page()
        page.goto(session.studio.url)
        # The load has answered (it fills the cost line): an upload before it can be undone.
        expect(page.locator("#kts-cost")).to_contain_text(
            re.compile(r"\S"), timeout=BROWSER_TIMEOUT_MS
        )
        page.locator("#kts-first input[type=file]").set_input_files(str(first))
        page.locator("#kts-last input[type=file]").set_input_files(str(last))
        expect(page.locator("#kts-hint")).to_contain_text(
            "Strategy for this pair", timeout=BROWSER_TIMEOUT_MS
        )
        page.locator("#kts-generate").click()
        job = page.locator("#kts-progress .kts-job").first
        expect(job).to_have_attribute("data-status", "done", timeout=BROWSER_TIMEOUT_MS)
        page.get_by_role("tab", name="Settings").click()
        page.reload()
        expect(page.locator("#kts-generate")).to_be_visible()
        found = {
            "page": page.content(),
            "localStorage": page.evaluate("() => JSON.stringify({...window.localStorage})"),
            "sessionStorage": page.evaluate("() => JSON.stringify({...window.sessionStorage})"),
            "cookies": json.dumps(context.cookies()),
        }
    finally:
        context.close()
    assert "kling-ui-browser-id" in found["localStorage"]  # the storage was really read
    for where, text in found.items():
        assert leaks(text, session.keys) == [], where
