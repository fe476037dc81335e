"""Screenshots of the Studio for the README and docs/screenshots (demo mode).

Serves the Studio on the embedded simulator and drives Debian's Chromium with Playwright
through real sessions, writing docs/screenshots/:

- studio.png: the Studio on a 1440x900 laptop screen after a run (frames, prompt choices,
  Generate and the latest video in one view; a second job under way),
- studio-zh.png: the same screen in a Chinese browser,
- phone.png: the Studio on a 390x844 phone (the latest video first),
- deck.png: the Deck tab after a five-slide deck was made into one video (whole page),
- prompt-lab.png: three prompt variants side by side, one marked best (whole page),
- history.png: the history with a job opened (whole page).

Run: python bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from kling_ui.config import Settings  # noqa: E402
from kling_ui.runtime import Runtime  # noqa: E402
from kling_ui.simulator import slide_png  # noqa: E402
from kling_ui.ui import build_studio, launch_kwargs  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
DECK_SLIDES = ("Agenda", "Q3 results", "Growth by region", "Outlook 2026", "Thank you")
MP4 = re.compile(r"\.mp4")
SHOTS = ("studio", "studio-zh", "phone", "deck", "prompt-lab", "history")
expect.set_options(timeout=120_000)


def new_page(browser: Browser, url: str, **options: Any) -> Page:
    """A fresh browser context (its own owner) with the Studio loaded."""
    options = {"viewport": LAPTOP, "locale": "en-US"} | options
    page = browser.new_context(**options).new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    expect(page.locator("#kts-generate")).to_be_visible()
    return page


def pick(page: Page, dropdown_id: str, option: str) -> None:
    """Choose `option` in a Gradio dropdown."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def upload_pair(page: Page, slides: tuple[Path, Path], strategy: str) -> None:
    """Drop both slides on the Studio and wait for the strategy hint (`strategy`)."""
    page.locator("#kts-first input[type=file]").set_input_files(str(slides[0]))
    page.locator("#kts-last input[type=file]").set_input_files(str(slides[1]))
    expect(page.locator("#kts-hint")).to_contain_text(strategy)


def settle(page: Page) -> None:
    """Let the page finish drawing (the timer refreshes every second) before a shot."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(1200)


def shoot_studio(browser: Browser, url: str, slides: tuple[Path, Path], out: Path) -> None:
    """The Studio after a run, in English on a laptop, in Chinese, and on a phone; then the
    prompt lab and the history of the same session."""
    page = new_page(browser, url)
    upload_pair(page, slides, "Strategy")
    page.locator("#kts-generate").click()
    expect(page.locator("#kts-latest video")).to_have_attribute("src", MP4)
    pick(page, "kts-preset-camera", "Orbit")
    page.locator("#kts-generate").click()
    cards = page.locator("#kts-progress .kts-job")
    expect(cards).to_have_count(2)
    expect(cards.first).to_have_attribute("data-status", re.compile("submitted|processing"))
    settle(page)
    page.screenshot(path=str(out / "studio.png"))

    page.get_by_role("tab", name="Prompt lab").click()
    page.locator("#kts-lab-use-studio").click()
    expect(page.locator("#kts-lab-hint")).to_contain_text("Strategy")
    page.locator("#kts-lab-fill").click()
    page.locator("#kts-lab-generate").click()
    for letter in "abc":
        cell = page.locator(f"#kts-lab-cell-{letter} [data-status]")
        expect(cell).to_have_attribute("data-status", "done")
    page.locator("#kts-lab-best-b").click()
    expect(page.locator("#kts-lab-cell-b")).to_contain_text("★")
    settle(page)
    page.screenshot(path=str(out / "prompt-lab.png"), full_page=True)

    page.get_by_role("tab", name="History").click()
    page.locator("#kts-history").get_by_role("gridcell", name="Done").last.click()
    expect(page.locator("#kts-history-video video")).to_be_attached()
    settle(page)
    page.screenshot(path=str(out / "history.png"), full_page=True)
    page.context.close()

    chinese = new_page(browser, url, locale="zh-CN")
    upload_pair(chinese, slides, "转场策略")
    chinese.locator("#kts-generate").click()
    expect(chinese.locator("#kts-latest video")).to_have_attribute("src", MP4)
    expect(chinese.locator("#kts-progress [data-status=done]").first).to_be_attached()
    settle(chinese)
    chinese.screenshot(path=str(out / "studio-zh.png"))
    chinese.context.close()

    phone = new_page(
        browser, url, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    upload_pair(phone, slides, "Strategy")
    phone.locator("#kts-generate").click()
    expect(phone.locator("#kts-latest video")).to_have_attribute("src", MP4)
    settle(phone)
    phone.screenshot(path=str(out / "phone.png"))
    phone.context.close()


def shoot_deck(browser: Browser, url: str, deck: list[Path], out: Path) -> None:
    """The Deck tab after a deck of five slides was made into one video."""
    page = new_page(browser, url)
    page.get_by_role("tab", name="Deck").click()
    page.locator("#kts-deck-files input[type=file]").set_input_files([str(p) for p in deck])
    expect(page.locator("#kts-deck-summary")).to_contain_text("5 slides, 4 transitions")
    page.locator("#kts-deck-generate").click()
    panel = page.locator("#kts-deck-progress .kts-deck-progress")
    expect(panel).to_have_attribute("data-state", "ready")
    expect(page.locator("#kts-deck-presenter a")).to_be_visible()
    settle(page)
    page.screenshot(path=str(out / "deck.png"), full_page=True)
    page.context.close()


def slides_in(folder: Path) -> tuple[tuple[Path, Path], list[Path]]:
    """The Studio's two slides and the deck's five, written into `folder`."""
    pair = (folder / "q3-results.png", folder / "outlook.png")
    pair[0].write_bytes(slide_png(1280, 720, "Q3 results"))
    pair[1].write_bytes(slide_png(1280, 720, "Outlook 2026"))
    deck = []
    for number, title in enumerate(DECK_SLIDES, start=1):
        path = folder / f"{number:02d}-{title.lower().replace(' ', '-')}.png"
        path.write_bytes(slide_png(1280, 720, title))
        deck.append(path)
    return pair, deck


def main() -> int:
    """Serve a demo Studio and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        pair, deck = slides_in(Path(folder))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            access_key=None,
            secret_key=None,
            api_key=None,
            base_url=None,
            data_dir=Path(folder) / "data",
            demo_latency=6.0,
            demo_render_height=360,
            poll_interval=0.3,
        )
        runtime = Runtime.from_settings(settings).start()
        demo = build_studio(runtime)
        try:
            _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(runtime))
            with sync_playwright() as playwright:
                executable = shutil.which("chromium-headless-shell") or "/usr/bin/chromium"
                browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                shoot_studio(browser, url, pair, args.out)
                shoot_deck(browser, url, deck, args.out)
                browser.close()
        finally:
            demo.close()
            runtime.close()
    for name in SHOTS:
        print(args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
