"""Hostile input sent straight to the Studio's API endpoints (gradio_client against a Studio
served in demo mode): each gets a clear refusal, the app keeps serving, and the job store is
left exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from hostile_corpus import (
    CONTROL,
    DECK_CASES,
    FRAME_CASES,
    REQUEST_CASES,
    UPLOAD_CAP,
    FileCase,
    RequestCase,
    has_control_characters,
)
from playwright.sync_api import Browser, expect
from reliability_helpers import (
    WAIT,
    Served,
    serve_studio,
    still_serving,
    store_snapshot,
    studio_settings,
)

from kling_ui.runtime import Runtime
from kling_ui.simulator import slide_png

REFUSED_FRAMES = [c for c in FRAME_CASES if c.code and c.code != "frame.too_large"]
FIXED_FRAMES = [c for c in FRAME_CASES if not c.code]
API_REQUESTS = [c for c in REQUEST_CASES if c.api is not None]
HOSTILE_JOB_IDS = {
    "path-climb": "../../../../etc/passwd",
    "sql": "' OR '1'='1' --",
    "nul": "\x00",
    "ten-thousand-characters": "x" * 10_000,
    "script": "<script>alert(1)</script>",
}


def ids(cases: list[FileCase] | list[RequestCase]) -> list[str]:
    """Readable test ids from case names."""
    return [case.name.replace(" ", "-") for case in cases]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where hostile files are written, beside two good slides."""
    made = tmp_path_factory.mktemp("hostile-api")
    (made / "first.png").write_bytes(slide_png(640, 360, "First"))
    (made / "last.png").write_bytes(slide_png(640, 360, "Last"))
    return made


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The Studio in demo mode, served on loopback for this module."""
    runtime = Runtime.from_settings(studio_settings(tmp_path_factory.mktemp("api") / "data"))
    served = serve_studio(runtime.start())
    yield served
    served.close()


@pytest.fixture(scope="module")
def client(studio: Served) -> Iterator[Client]:
    """A gradio_client for the module's Studio."""
    connected = Client(studio.url, verbose=False, httpx_kwargs={"timeout": WAIT})
    yield connected
    connected.close()


@pytest.fixture(scope="module")
def finished_job(studio: Served, client: Client, folder: Path) -> str:
    """The id of a job made through the API and finished, so the store is not empty."""
    job = generate(client, folder, prompt="A finished job")
    assert studio.runtime.engine.wait(job["id"], timeout=WAIT).status.value == "done"
    return str(job["id"])


def generate(client: Client, folder: Path, **fields: Any) -> dict[str, Any]:
    """/generate with the two good slides unless `fields` says otherwise."""
    values: dict[str, Any] = {
        "first_frame": handle_file(str(folder / "first.png")),
        "last_frame": handle_file(str(folder / "last.png")),
        "prompt": "A slow push-in",
    }
    values.update(fields)
    return client.predict(**values, api_name="/generate")


def assert_untouched(studio: Served, client: Client, job_id: str, before: list[Any]) -> None:
    """The app still serves, the finished job still answers, and no row changed."""
    assert still_serving(studio.url)
    answer, video = client.predict(job_id, api_name="/job_status")
    assert answer["status"] == "done" and video
    assert store_snapshot(studio.db) == before


@pytest.mark.parametrize("case", REFUSED_FRAMES, ids=ids(REFUSED_FRAMES))
def test_a_hostile_file_is_refused_with_a_clear_message(
    case: FileCase, studio: Served, client: Client, finished_job: str, folder: Path
) -> None:
    before = store_snapshot(studio.db)
    (path,) = case.make(folder)
    with pytest.raises(AppError) as refused:
        generate(client, folder, first_frame=handle_file(str(path)))
    message = str(refused.value)
    assert case.says in message and "First frame" in message
    assert "Traceback" not in message
    assert_untouched(studio, client, finished_job, before)


def test_a_file_over_the_upload_limit_is_refused_before_it_is_stored(
    studio: Served, client: Client, finished_job: str, folder: Path
) -> None:
    before = store_snapshot(studio.db)
    over = next(c for c in FRAME_CASES if c.code == "frame.too_large")
    (path,) = over.make(folder)
    assert path.stat().st_size > UPLOAD_CAP
    with path.open("rb") as handle:
        answer = httpx.post(
            f"{studio.url}/gradio_api/upload",
            files={"files": (path.name, handle, "image/png")},
            timeout=60,
        )
    assert answer.status_code == 413
    assert "maximum" in answer.text.lower()
    assert_untouched(studio, client, finished_job, before)


@pytest.mark.parametrize("case", API_REQUESTS, ids=ids(API_REQUESTS))
def test_hostile_text_or_settings_are_refused_with_a_clear_message(
    case: RequestCase, studio: Served, client: Client, finished_job: str, folder: Path
) -> None:
    before = store_snapshot(studio.db)
    with pytest.raises(AppError) as refused:
        generate(client, folder, **(case.api or {}))
    assert case.says in str(refused.value)
    assert_untouched(studio, client, finished_job, before)


@pytest.mark.parametrize("job_id", HOSTILE_JOB_IDS.values(), ids=HOSTILE_JOB_IDS.keys())
def test_a_hostile_job_id_is_answered_as_unknown(
    job_id: str, studio: Served, client: Client, finished_job: str
) -> None:
    before = store_snapshot(studio.db)
    with pytest.raises(AppError) as refused:
        client.predict(job_id, api_name="/job_status")
    assert "There is no job" in str(refused.value)
    assert_untouched(studio, client, finished_job, before)


def settle(studio: Served, job_id: str) -> None:
    """Let an accepted job finish, so the next test starts from a quiet store."""
    studio.runtime.engine.wait(job_id, timeout=WAIT)


@pytest.mark.parametrize("case", FIXED_FRAMES, ids=ids(FIXED_FRAMES))
def test_a_tiny_or_extreme_image_is_refused_or_answered_with_what_was_changed(
    case: FileCase, studio: Served, client: Client, finished_job: str, folder: Path
) -> None:
    before = store_snapshot(studio.db)
    (path,) = case.make(folder)
    try:
        job = generate(client, folder, first_frame=handle_file(str(path)))
    except AppError as refused:
        assert str(refused.value).strip()
        assert_untouched(studio, client, finished_job, before)
        return
    settle(studio, job["id"])
    assert case.says in repr(job)


def test_control_characters_in_a_prompt_are_refused_or_removed(
    studio: Served, client: Client, finished_job: str, folder: Path
) -> None:
    before = store_snapshot(studio.db)
    try:
        job = generate(client, folder, prompt=CONTROL, negative_prompt=CONTROL)
    except AppError as refused:
        assert str(refused.value).strip()
        assert_untouched(studio, client, finished_job, before)
        return
    settle(studio, job["id"])
    stored = studio.runtime.engine.get(job["id"]).spec
    assert not has_control_characters(stored.prompt + stored.negative_prompt)
    assert not has_control_characters(job["prompt"] + job["negative_prompt"])


DECK_UPLOADS = [c for c in DECK_CASES if c.code in (
    "deck.zip_traversal", "deck.nested_archive", "deck.encrypted_pdf", "deck.empty_pdf"
)]  # fmt: skip


@pytest.mark.browser
def test_the_deck_tab_refuses_hostile_uploads_with_a_clear_message(
    studio: Served, client: Client, finished_job: str, folder: Path, browser: Browser
) -> None:
    before = store_snapshot(studio.db)
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    try:
        page.set_default_timeout(60_000)
        page.goto(studio.url)
        page.get_by_role("tab", name="Deck").click()
        upload = page.locator("#kts-deck-files input[type=file]")
        for case in DECK_UPLOADS:
            # The refusal is said in words, beside the upload or in a popup; the next upload
            # replaces the list, so no reload is needed between cases.
            said = page.get_by_text(case.says)
            expect(said).to_have_count(0)
            upload.set_input_files([str(p) for p in case.make(folder)])
            expect(said.first).to_be_visible(timeout=60_000)
    finally:
        page.close()
    assert_untouched(studio, client, finished_job, before)
