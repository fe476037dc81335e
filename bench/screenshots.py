"""Screenshots of the Studio, History and Prompt lab tabs for the README (demo mode).

Serves the Studio on the embedded simulator, drives Debian's Chromium with Playwright
through a real session (upload, presets, generate, a lab run), and writes
docs/screenshots/{studio,studio-zh,history,prompt-lab}.png.

Run: python bench/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

from kling_ui.config import Settings  # noqa: E402
from kling_ui.runtime import Runtime  # noqa: E402
from kling_ui.simulator import slide_png  # noqa: E402
from kling_ui.ui import build_studio, launch_kwargs  # noqa: E402

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1440, "height": 1000}
expect.set_options(timeout=90_000)


def pick(page: Page, dropdown_id: str, option: str) -> None:
    """Choose `option` in a Gradio dropdown."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def shoot(url: str, slides: tuple[Path, Path], out: Path) -> None:
    """Drive one session through the tabs and save the screenshots."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(locale="en-US", viewport=VIEWPORT)
        page.set_default_timeout(90_000)
        page.goto(url)
        page.locator("#kts-first input[type=file]").set_input_files(str(slides[0]))
        page.locator("#kts-last input[type=file]").set_input_files(str(slides[1]))
        expect(page.locator("#kts-hint")).to_contain_text("Strategy")
        page.locator("#kts-generate").click()
        expect(page.locator("#kts-progress [data-status=done]").first).to_be_attached()
        pick(page, "kts-preset-camera", "Orbit")
        page.locator("#kts-free-subject textarea").fill("the bar chart grows taller")
        page.locator("#kts-generate").click()
        expect(page.locator("#kts-progress [data-status=processing]").first).to_be_attached()
        page.screenshot(path=str(out / "studio.png"), full_page=True)

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
        page.screenshot(path=str(out / "prompt-lab.png"), full_page=True)

        page.get_by_role("tab", name="History").click()
        page.locator("#kts-history").get_by_role("gridcell", name="Done").last.click()
        expect(page.locator("#kts-history-video video")).to_be_attached()
        page.screenshot(path=str(out / "history.png"), full_page=True)

        chinese = browser.new_page(locale="zh-CN", viewport=VIEWPORT)
        chinese.goto(url)
        expect(chinese.locator("#kts-progress [data-status=done]").first).to_be_attached()
        chinese.screenshot(path=str(out / "studio-zh.png"), full_page=True)
        browser.close()


def main() -> int:
    """Serve a demo Studio and take the screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        slides = (Path(folder) / "first.png", Path(folder) / "last.png")
        slides[0].write_bytes(slide_png(1280, 720, "Q3 results"))
        slides[1].write_bytes(slide_png(1280, 720, "Outlook 2026"))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            access_key=None,
            secret_key=None,
            base_url=None,
            data_dir=data,
            demo_latency=6.0,
            demo_render_height=360,
            poll_interval=0.3,
        )
        runtime = Runtime.from_settings(settings).start()
        demo = build_studio(runtime)
        try:
            _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs(runtime))
            shoot(url, slides, args.out)
        finally:
            demo.close()
            runtime.close()
    for name in ("studio", "studio-zh", "history", "prompt-lab"):
        print(args.out / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
