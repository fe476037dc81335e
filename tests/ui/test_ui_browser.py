"""The Studio in a real browser: Debian's Chromium driven by Playwright, demo mode."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from ui_helpers import Launched, check, fast_settings, launch, studio_ready

from kling_ui.jobs.accounts import Credentials
from kling_ui.simulator import SimulatorServer
from kling_ui.ui.access import AccessPolicy

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
BROWSER_ACCESS_KEY = "AKbrowserOnly5c1e9d07aa"
BROWSER_SECRET_KEY = "SKbrowserOnly8b2f4e6c13d9"
expect.set_options(timeout=TIMEOUT_MS)  # assertions wait as long as actions may


@pytest.fixture(scope="module")
def slow_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """A demo Studio whose simulated tasks take 4 s, long enough to reload mid-run."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("browser-data"), demo_latency=4.0))
    yield launched
    launched.close()


def open_page(browser: Browser, url: str, locale: str = "en-US") -> Page:
    """A fresh browser context in `locale` with the Studio loaded."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1600})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    studio_ready(page)
    return page


def pick(page: Page, dropdown_id: str, option: str) -> None:
    """Choose `option` in a Gradio dropdown."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def open_advanced(page: Page) -> None:
    """Open the Studio's "Advanced" section (own words, model, negative prompt...)."""
    page.locator("#kts-advanced").get_by_role("button").first.click()
    expect(page.locator("#kts-negative textarea")).to_be_visible()


def upload_frames(page: Page, slides: tuple[Path, Path], prefix: str = "kts") -> None:
    """Drop both slides on the first and last frame inputs."""
    page.locator(f"#{prefix}-first input[type=file]").set_input_files(str(slides[0]))
    page.locator(f"#{prefix}-last input[type=file]").set_input_files(str(slides[1]))


def test_a_job_survives_a_reload_and_its_video_lands_in_the_history(
    browser: Browser, slow_studio: Launched, slide_files: tuple[Path, Path]
) -> None:
    page = open_page(browser, slow_studio.url)
    check(page.locator("#kts-mode").get_by_role("radio", name="std"))
    upload_frames(page, slide_files)
    expect(page.locator("#kts-hint")).to_contain_text("Strategy for this pair")
    expect(page.locator("#kts-mode").get_by_role("radio", name="pro")).to_be_checked()
    expect(page.locator("#kts-mode")).to_contain_text("kling-v2-6 makes pro only")
    pick(page, "kts-preset-camera", "Orbit")
    open_advanced(page)
    expect(page.locator("#kts-frame-report")).to_contain_text("Last frame: ")
    page.locator("#kts-free-subject textarea").press_sequentially("the chart grows taller")
    preview = page.locator("#kts-preview textarea")
    expect(preview).to_have_value(re.compile(r"orbits.*the chart grows taller"))
    expect(page.locator("#kts-length")).to_contain_text("/ 2500 characters")
    expect(page.locator("#kts-cost")).to_contain_text("free (simulator)")
    page.locator("#kts-generate").click()
    expect(page.locator("#kts-submit-note")).to_contain_text("is queued")
    running = page.locator("#kts-progress .kts-job").first
    expect(running).to_have_attribute("data-status", re.compile("queued|sub|proc"))
    job_id = running.get_attribute("data-job")

    page.reload()
    finished = page.locator(f'#kts-progress [data-job="{job_id}"]')
    expect(finished).to_have_attribute("data-status", "done")
    expect(page.locator("#kts-latest video")).to_have_attribute("src", re.compile("mp4"))

    page.get_by_role("tab", name="History").click()
    row = page.locator("#kts-history").get_by_role("gridcell", name="Done").first
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#kts-history-detail")).to_contain_text("orbits slowly")
    expect(page.locator("#kts-history-video video")).to_have_attribute("src", re.compile("mp4"))
    page.context.close()


def test_a_chinese_browser_sees_chinese_labels_and_messages(
    browser: Browser, studio: Launched
) -> None:
    page = open_page(browser, studio.url, locale="zh-CN")
    expect(page.locator("#kts-generate")).to_have_text("生成")
    expect(page.get_by_text("首帧", exact=True).first).to_be_visible()
    expect(page.get_by_role("tab", name="历史记录")).to_be_visible()
    expect(page.locator("#kts-rules")).to_contain_text("请先上传首帧")
    expect(page.locator("#kts-preview textarea")).to_have_value(re.compile("镜头缓慢推进"))
    page.context.close()


def test_keys_entered_in_a_browser_stay_out_of_the_page_and_its_storage(
    browser: Browser, studio: Launched
) -> None:
    page = open_page(browser, studio.url)
    page.get_by_role("tab", name="Settings").click()
    page.locator("#kts-access-key input").fill(BROWSER_ACCESS_KEY)
    page.locator("#kts-secret-key input").fill(BROWSER_SECRET_KEY)
    page.locator("#kts-save-keys").click()
    status = page.locator("#kts-key-status")
    expect(status).to_contain_text("uses its own keys (account acct-")
    expect(page.locator("#kts-access-key input")).to_have_value("")

    page.reload()
    page.get_by_role("tab", name="Settings").click()
    expect(page.locator("#kts-key-status")).to_contain_text("uses its own keys")
    storage = page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
    texts = [page.content(), storage, page.request.get(f"{studio.url}/gradio_api/info").text()]
    for text in texts:
        assert BROWSER_ACCESS_KEY not in text and BROWSER_SECRET_KEY not in text
    assert "kling-ui-browser-keys" in storage  # stored, but only encrypted
    page.locator("#kts-forget-keys").click()
    expect(page.locator("#kts-key-status")).to_contain_text("embedded simulator")
    page.context.close()


def test_the_prompt_lab_runs_variants_side_by_side_and_keeps_the_best(
    browser: Browser, studio: Launched, slide_files: tuple[Path, Path]
) -> None:
    page = open_page(browser, studio.url)
    page.get_by_role("tab", name="Prompt lab").click()
    upload_frames(page, slide_files, prefix="kts-lab")
    expect(page.locator("#kts-lab-hint")).to_contain_text("Strategy for this pair")
    check(page.get_by_role("radio", name="2"))
    page.locator("#kts-lab-fill").click()
    expect(page.locator("#kts-lab-prompt-b textarea")).not_to_have_value("")
    page.locator("#kts-lab-generate").click()
    for letter in ("a", "b"):
        cell = page.locator(f"#kts-lab-cell-{letter} [data-status]")
        expect(cell).to_have_attribute("data-status", "done")
        expect(page.locator(f"#kts-lab-video-{letter} video")).to_be_attached()
    page.locator("#kts-lab-best-b").click()
    expect(page.locator("#kts-lab-cell-b")).to_contain_text("★")
    page.get_by_label("Preset name").fill("Lab winner")
    page.locator("#kts-lab-save").click()
    expect(page.locator("#kts-lab-note")).to_contain_text("Lab winner")
    page.get_by_role("tab", name="Studio").click()
    expect(page.locator("#kts-template input")).to_have_value("Lab winner")

    page.reload()
    page.get_by_role("tab", name="Prompt lab").click()
    expect(page.locator("#kts-lab-cell-b")).to_contain_text("★")
    expect(page.locator("#kts-lab-prompt-a textarea")).not_to_have_value("")
    page.context.close()


def test_on_a_space_without_login_a_browser_generates_with_its_own_keys_only(
    browser: Browser,
    tmp_path: Path,
    simulator_factory: Callable[..., SimulatorServer],
    slide_files: tuple[Path, Path],
) -> None:
    server = simulator_factory(access_key=BROWSER_ACCESS_KEY, secret_key=BROWSER_SECRET_KEY)
    keys = {"access_key": BROWSER_ACCESS_KEY, "secret_key": BROWSER_SECRET_KEY}
    settings = fast_settings(tmp_path / "data", base_url=server.base_url, **keys)
    space = AccessPolicy.from_settings(settings, demo=False, environ={"SPACE_ID": "team/studio"})
    studio = launch(settings, policy=space)
    try:
        page = open_page(browser, studio.url)
        expect(page.locator("#kts-keys-banner")).to_contain_text("switched off")
        upload_frames(page, slide_files)
        page.locator("#kts-generate").click()
        expect(page.get_by_text("Enter your own Access key").first).to_be_visible()
        assert studio.runtime.engine.jobs() == []

        page.get_by_role("tab", name="Settings").click()
        page.locator("#kts-access-key input").fill(BROWSER_ACCESS_KEY)
        page.locator("#kts-secret-key input").fill(BROWSER_SECRET_KEY)
        page.locator("#kts-save-keys").click()
        expect(page.locator("#kts-key-status")).to_contain_text("uses its own keys")
        page.get_by_role("tab", name="Studio").click()
        page.locator("#kts-generate").click()
        expect(page.locator("#kts-progress [data-status=done]").first).to_be_attached()
        (job,) = studio.runtime.engine.jobs()
        assert job.account == Credentials.of(**keys, base_url=server.base_url).account
        page.context.close()
    finally:
        studio.close()
