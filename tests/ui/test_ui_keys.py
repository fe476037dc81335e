"""Keys checked before they are trusted, and the page saying whose keys pay.

The operator's keys are checked once at start-up (in the background); keys entered in a
browser (a key pair or a single API key) are checked with Kling before they are kept. The
banner, the cost line and each job card say whose keys a job runs on. Every Kling here is a
loopback simulator: a demo Studio's browser endpoint is pointed at one, never the internet.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from ui_helpers import WAIT, Launched, fast_settings, launch, studio_ready, wait_finished

from kling_ui.jobs.accounts import Credentials
from kling_ui.jobs.keycheck import KeyState
from kling_ui.jobs.models import KEYS_OWN
from kling_ui.runtime import Runtime
from kling_ui.simulator import SimulatorConfig, SimulatorServer
from kling_ui.ui import build_studio
from kling_ui.ui.context import CHECKED_FIELD, StudioContext, stored_key_state

GOOD_ACCESS = "AKgoodKeys7d1c0e55b2"
GOOD_SECRET = "SKgoodKeys93a4f8e1c6d2"
GOOD_API_KEY = "APIgoodKey4c8e2a9f17b3"
WRONG_SECRET = "SKwrongKeys0000000000"
TIMEOUT_MS = 60_000
expect.set_options(timeout=TIMEOUT_MS)


def settings_with_keys(data_dir: Path, server: SimulatorServer, **keys: str | None):
    """Settings for a Studio whose own (shared) keys talk to `server`."""
    fields = {"access_key": None, "secret_key": None, "api_key": None} | keys
    return fast_settings(data_dir, base_url=server.base_url, **fields)


def context_of(runtime: Runtime) -> StudioContext:
    """The StudioContext of a Studio built (not served) on `runtime`."""
    return build_studio(runtime).studio_context  # type: ignore[attr-defined]


# ---- the operator's keys, checked at start-up ---------------------------------------------


def test_in_demo_mode_there_is_nothing_to_check(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path, api_key=None))
    try:
        assert runtime.key_check is not None and runtime.key_check.state is KeyState.DEMO
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"access_key": GOOD_ACCESS, "secret_key": GOOD_SECRET}, KeyState.VERIFIED),
        ({"api_key": GOOD_API_KEY}, KeyState.VERIFIED),
        ({"access_key": GOOD_ACCESS, "secret_key": WRONG_SECRET}, KeyState.REFUSED),
    ],
)
def test_the_operators_keys_are_checked_in_the_background_at_start_up(
    tmp_path: Path,
    simulator_factory: Callable[..., SimulatorServer],
    keys: dict[str, str],
    expected: KeyState,
) -> None:
    server = simulator_factory(access_key=GOOD_ACCESS, secret_key=GOOD_SECRET, api_key=GOOD_API_KEY)
    with Runtime.from_settings(settings_with_keys(tmp_path, server, **keys)) as runtime:
        found = runtime.wait_key_check(WAIT)
        assert found is not None and found.state is expected
        ctx = context_of(runtime)
        banner = ctx.banner_html(None, "en")
        if expected is KeyState.VERIFIED:
            assert "shared Kling keys of this Studio (verified with Kling)" in banner
        else:
            assert "were refused by Kling" in banner


def test_keys_of_an_unreachable_kling_are_kept_but_shown_as_not_verified(tmp_path: Path) -> None:
    stopped = SimulatorServer(SimulatorConfig())
    stopped.start()
    stopped.stop()  # a loopback port nobody answers on any more
    settings = fast_settings(tmp_path, base_url=stopped.base_url, api_key=GOOD_API_KEY)
    with Runtime.from_settings(settings) as runtime:
        found = runtime.wait_key_check(WAIT)
        assert found is not None and found.state is KeyState.UNVERIFIED
        assert "not verified" in context_of(runtime).banner_html(None, "en")


# ---- a browser's own keys, as the page shows them -----------------------------------------


def test_a_browsers_stored_check_is_read_back_and_anything_else_is_unknown() -> None:
    assert stored_key_state({"api_key": "k", CHECKED_FIELD: "verified"}) is KeyState.VERIFIED
    assert stored_key_state({"api_key": "k", CHECKED_FIELD: "bogus"}) is None
    assert stored_key_state(None) is None and stored_key_state("verified") is None


def test_a_demo_studio_banner_turns_to_own_keys_once_a_browser_has_them(tmp_path: Path) -> None:
    runtime = Runtime.from_settings(fast_settings(tmp_path, api_key=None))
    try:
        ctx = context_of(runtime)
        ctx.browser_base_url = "http://127.0.0.1:9/"
        assert "Demo mode" in ctx.banner_html(None, "en")
        assert "Demo mode" in ctx.banner_html({}, "en")
        stored = {"api_key": GOOD_API_KEY, CHECKED_FIELD: KeyState.UNVERIFIED.value}
        banner = ctx.banner_html(stored, "en")
        account = Credentials.of_api_key(GOOD_API_KEY, "http://127.0.0.1:9").account
        assert f"account {account}, not verified" in banner and "Demo mode" not in banner
        assert GOOD_API_KEY not in banner
        assert ctx.payer_for(stored) == KEYS_OWN
        assert ctx.credentials_for(stored).base_url == "http://127.0.0.1:9"
    finally:
        runtime.close()


# ---- in a real browser ----------------------------------------------------------------------

browser_test = pytest.mark.browser


@pytest.fixture(scope="module")
def kling_double() -> Iterator[SimulatorServer]:
    """A loopback Kling that accepts only GOOD_ACCESS/GOOD_SECRET and GOOD_API_KEY."""
    config = SimulatorConfig(
        access_key=GOOD_ACCESS,
        secret_key=GOOD_SECRET,
        api_key=GOOD_API_KEY,
        latency=0.6,
        render_height=180,
    )
    with SimulatorServer(config) as server:
        yield server


@pytest.fixture(scope="module")
def keyed_studio(
    tmp_path_factory: pytest.TempPathFactory, kling_double: SimulatorServer
) -> Iterator[Launched]:
    """A demo Studio whose browser-entered keys go to `kling_double` instead of Kling."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("keys-data"), api_key=None))
    launched.demo.studio_context.browser_base_url = kling_double.base_url  # type: ignore[attr-defined]
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


def save_keys(page: Page, *, access: str = "", secret: str = "", api_key: str = "") -> None:
    """Fill the Settings tab's key fields and press Save."""
    page.locator("#kts-access-key input").fill(access)
    page.locator("#kts-secret-key input").fill(secret)
    page.locator("#kts-api-key input").fill(api_key)
    page.locator("#kts-save-keys").click()


@browser_test
def test_wrong_keys_are_refused_and_kept_nowhere_good_keys_make_the_banner_say_own_keys(
    browser: Browser,
    keyed_studio: Launched,
    kling_double: SimulatorServer,
    slide_files: tuple[Path, Path],
) -> None:
    page = open_page(browser, keyed_studio.url)
    banner, status = page.locator("#kts-banner"), page.locator("#kts-key-status")
    notice = page.locator("#kts-keys-notice")
    expect(banner).to_contain_text("Demo mode")
    expect(page.locator("#kts-cost")).to_contain_text("free (simulator)")

    page.get_by_role("tab", name="Settings").click()
    save_keys(page, access=GOOD_ACCESS, secret=WRONG_SECRET)
    expect(notice).to_contain_text("Kling refused these keys")
    expect(notice).to_contain_text("Nothing was saved")
    expect(status).to_contain_text("embedded simulator")
    expect(page.locator("#kts-secret-key input")).to_have_value("")
    expect(banner).to_contain_text("Demo mode")

    page.reload()
    page.get_by_role("tab", name="Settings").click()
    expect(status).to_contain_text("embedded simulator")
    expect(status).not_to_contain_text("own keys")
    expect(banner).to_contain_text("Demo mode")

    save_keys(page, access=GOOD_ACCESS, secret=GOOD_SECRET)
    expect(status).to_contain_text("uses its own keys (account acct-")
    expect(status).to_contain_text("verified with Kling")
    expect(banner).to_contain_text("Your own Kling keys (account acct-")
    expect(banner).to_contain_text("verified with Kling")
    expect(banner).not_to_contain_text("Demo mode")
    page.get_by_role("tab", name="Studio").click()
    expect(page.locator("#kts-cost")).to_contain_text("your own Kling account")

    page.locator("#kts-first input[type=file]").set_input_files(str(slide_files[0]))
    page.locator("#kts-last input[type=file]").set_input_files(str(slide_files[1]))
    page.locator("#kts-generate").click()
    card = page.locator("#kts-progress .kts-job").first
    expect(card.locator(".kts-keys")).to_have_text("your keys")
    job_id = card.get_attribute("data-job")
    assert job_id is not None
    job = wait_finished(keyed_studio.runtime, job_id)
    own = Credentials.of(GOOD_ACCESS, GOOD_SECRET, kling_double.base_url)
    assert job.runs_on == KEYS_OWN and job.account == own.account

    page.reload()
    expect(banner).to_contain_text("Your own Kling keys")
    expect(banner).not_to_contain_text("Demo mode")
    storage = page.evaluate("() => JSON.stringify(Object.assign({}, window.localStorage))")
    for shown in (page.content(), storage):
        assert GOOD_SECRET not in shown and GOOD_ACCESS not in shown
    page.context.close()


@browser_test
def test_a_chinese_browser_saves_an_api_key_and_forgetting_it_survives_a_reload(
    browser: Browser, keyed_studio: Launched
) -> None:
    page = open_page(browser, keyed_studio.url, locale="zh-CN")
    banner, status = page.locator("#kts-banner"), page.locator("#kts-key-status")
    notice = page.locator("#kts-keys-notice")
    expect(banner).to_contain_text("演示模式")
    page.get_by_role("tab", name="设置").click()

    save_keys(page, access=GOOD_ACCESS, api_key=GOOD_API_KEY)
    expect(notice).to_contain_text("不要同时填写")
    expect(banner).to_contain_text("演示模式")
    save_keys(page)
    expect(notice).to_contain_text("请填写 API Key，或同时填写 Access Key 和 Secret Key")

    save_keys(page, api_key=GOOD_API_KEY)
    expect(status).to_contain_text("已通过可灵验证")
    expect(banner).to_contain_text("正在使用您自己的可灵密钥")
    expect(banner).not_to_contain_text("演示模式")
    expect(page.locator("#kts-api-key input")).to_have_value("")

    page.locator("#kts-forget-keys").click()
    expect(status).to_contain_text("内置模拟器")
    expect(banner).to_contain_text("演示模式")
    page.reload()
    page.get_by_role("tab", name="设置").click()
    expect(status).to_contain_text("内置模拟器")
    expect(banner).to_contain_text("演示模式")
    page.get_by_role("tab", name="工作室").click()
    expect(page.locator("#kts-cost")).to_contain_text(re.compile("免费"))
    page.context.close()
