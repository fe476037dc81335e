"""The polished Studio in a real browser (issue 12): bad files said in words with no error
badges, the result in view on a laptop screen, notes that go when their job ends, controls that
say why a choice is off, a reload that keeps the draft, a phone layout that fits, and the deck's
order, title and presenter page. Debian's Chromium via Playwright, demo mode."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio.helpers import special_args
from playwright.sync_api import Browser, Page, expect
from ui_helpers import Launched, check, fast_settings, launch, studio_ready

from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.simulator import slide_png
from kling_ui.ui import lab_tab
from kling_ui.ui.build import DRAFT_PROMPT_STORAGE

REQUEST_MARK: Any = object()  # stands for the request Gradio hands a handler
EVENT_DATA = gr.EventData(None, {"index": [0, 0], "value": ""})  # a row selected

browser_test = pytest.mark.browser

TIMEOUT_MS = 60_000
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# Gradio marks every output of a failed event with this badge.
ERROR_BADGE = "span.error"
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="module")
def screen_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """A demo Studio whose simulated tasks take 2 s (long enough to see a job queued)."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("screen-data"), demo_latency=2.0))
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two slides, three deck pictures, and a text file named like an image."""
    folder = tmp_path_factory.mktemp("screen-files")
    made = {
        "first": slide_png(1280, 720, "Q3 results"),
        "last": slide_png(1280, 720, "Outlook"),
        "intro": slide_png(640, 360, "Intro"),
        "market": slide_png(640, 360, "Market"),
        "team": slide_png(640, 360, "Team"),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"{name}.png"
        paths[name].write_bytes(data)
    paths["text"] = folder / "renamed.png"
    paths["text"].write_text("these are speaker notes, not a picture\n", encoding="utf-8")
    return paths


def open_page(
    browser: Browser, url: str, *, viewport: dict[str, int] = LAPTOP, locale: str = "en-US"
) -> Page:
    """A fresh browser context (its own owner) with the Studio loaded."""
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    studio_ready(page)
    return page


# The draft is kept encrypted in localStorage, so a test cannot read the words in it; instead
# the page counts its localStorage writes and notes the count when the answer of the draft
# event sent with the given words arrives: a write after that answer is their save (an
# earlier draft event's late answer cannot pass for it).
DRAFT_SAVE_WATCH = """([fn, words]) => {
    const writes = {};
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
        writes[key] = (writes[key] || 0) + 1;
        return setItem.call(this, key, value);
    };
    const send = window.fetch;
    window.ktsDraftSave = {writes, before: null};
    window.fetch = async function (input, init) {
        const answer = await send.apply(this, arguments);
        const body = init && typeof init.body === "string" ? init.body : "";
        if (body.includes(words) && JSON.parse(body).fn_index === fn) {
            window.ktsDraftSave.before = {...writes};
        }
        return answer;
    };
}"""
SAVED_WITH_WORDS = """(key) => {
    const save = window.ktsDraftSave;
    return save.before !== null && (save.writes[key] || 0) > (save.before[key] || 0);
}"""


def watch_draft_saves(page: Page, demo: gr.Blocks, words: str) -> None:
    """Let `SAVED_WITH_WORDS` tell when the draft holding `words` is in localStorage."""
    (fn,) = [
        fn_id
        for fn_id, fn in demo.fns.items()
        if any(getattr(out, "storage_key", None) == DRAFT_PROMPT_STORAGE for out in fn.outputs)
        and fn.fn is not None
        and fn.fn.__name__ == "on_builder"
        and all(event != "then" for _, event in fn.targets)  # after an edit, not chained
    ]
    page.evaluate(DRAFT_SAVE_WATCH, [fn, words])


def upload(page: Page, elem_id: str, path: Path | list[Path]) -> None:
    """Drop a file (or files) on the upload box `elem_id`."""
    chosen: Any = [str(p) for p in path] if isinstance(path, list) else str(path)
    page.locator(f"#{elem_id} input[type=file]").set_input_files(chosen)


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the window as it is (no scrolling)."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.width > 0 && box.top >= 0 && box.left >= 0
                && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
        }""",
        selector,
    )


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@browser_test
def test_a_text_file_named_png_is_refused_in_words_and_no_control_shows_an_error(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    upload(page, "kts-first", files["text"])
    notice = page.locator("#kts-frame-notice")
    expect(notice).to_contain_text("First frame: This is a text file, not an image.")
    expect(page.locator("#kts-first img")).to_have_count(0)  # the file is taken out again
    expect(page.locator("#kts-rules")).to_contain_text("Upload a first frame first.")
    expect(page.locator("#kts-generate")).to_be_disabled()
    expect(page.locator(ERROR_BADGE)).to_have_count(0)

    upload(page, "kts-first", files["first"])
    expect(page.locator("#kts-first img")).to_have_count(1)
    expect(notice).to_be_hidden()
    expect(page.locator("#kts-generate")).to_be_enabled()
    expect(page.locator(ERROR_BADGE)).to_have_count(0)
    page.context.close()


@browser_test
def test_after_generate_the_latest_video_is_in_view_on_a_laptop_screen_without_scrolling(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    upload(page, "kts-first", files["first"])
    upload(page, "kts-last", files["last"])
    expect(page.locator("#kts-hint")).to_contain_text("Strategy for this pair")
    expect(page.locator("#kts-generate")).to_be_enabled()
    for shown in ("#kts-first", "#kts-last", "#kts-preset-camera", "#kts-generate"):
        assert in_viewport(page, shown), f"{shown} is below the fold"
    # Every status the job's card is drawn with, heard as the page changes (a loaded machine
    # may be slower than the job, so a later look could find it done already).
    page.evaluate(
        """() => {
            window.cardStatuses = [];
            new MutationObserver(() => {
                const card = document.querySelector('#kts-progress .kts-job');
                const status = card && card.dataset.status;
                const seen = window.cardStatuses;
                if (status && seen.at(-1) !== status) seen.push(status);
            }).observe(document.querySelector('#kts-progress'), {subtree: true, childList: true,
                attributes: true});
        }"""
    )
    # Pressed where it stands (a click from Playwright would first scroll it into view).
    page.locator("#kts-generate").dispatch_event("click")
    card = page.locator("#kts-progress .kts-job").first
    expect(card.locator(".kts-title")).to_contain_text("The camera slowly pushes in")
    expect(page.locator("#kts-latest video")).to_have_attribute("src", re.compile(r"\.mp4"))
    # The card was in the list while the job was still under way, not only once it was done.
    first_seen = page.evaluate("() => window.cardStatuses[0]")
    assert first_seen in {"queued", "submitting", "submitted", "processing"}, first_seen
    assert page.evaluate("() => window.scrollY") == 0
    assert in_viewport(page, "#kts-latest video")
    assert in_viewport(page, "#kts-generate")
    expect(page.locator("[role=status]")).not_to_contain_text("common.")

    check(page.locator("#kts-result-view").get_by_role("radio", name="First frame"))
    expect(page.locator("#kts-result-frame img")).to_be_visible()
    expect(page.locator("#kts-latest")).to_be_hidden()
    check(page.locator("#kts-result-view").get_by_role("radio", name="Video"))
    expect(page.locator("#kts-latest video")).to_be_visible()
    expect(page.locator(ERROR_BADGE)).to_have_count(0)
    page.context.close()


@browser_test
def test_the_queued_note_goes_away_when_its_job_ends(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    upload(page, "kts-first", files["market"])
    expect(page.locator("#kts-generate")).to_be_enabled()
    page.locator("#kts-generate").click()
    note = page.locator("#kts-submit-note")
    expect(note).to_contain_text("is queued")
    job_id = page.locator("#kts-progress .kts-job").first.get_attribute("data-job")
    expect(page.locator(f'#kts-progress [data-job="{job_id}"]')).to_have_attribute(
        "data-status", "done"
    )
    expect(note).to_be_hidden()
    expect(note).not_to_contain_text("queued")
    page.context.close()


@browser_test
def test_std_is_disabled_with_its_reason_once_a_last_frame_is_given(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    mode = page.locator("#kts-mode")
    check(mode.get_by_role("radio", name="std"))
    upload(page, "kts-first", files["first"])
    # Generate turns on when the controls have been redrawn for the first frame: only then is
    # the last one dropped, so the two redraws cannot answer out of order.
    expect(page.locator("#kts-generate")).to_be_enabled()
    expect(mode.get_by_role("radio", name="std")).to_be_enabled()  # one frame: std is fine
    upload(page, "kts-last", files["last"])
    expect(mode.get_by_role("radio", name="std")).to_be_disabled()
    expect(mode.get_by_role("radio", name="pro")).to_be_checked()
    expect(mode).to_contain_text("With a last frame, kling-v2-6 makes pro only")
    expect(page.locator("#kts-duration").get_by_role("radio", name="10")).to_be_enabled()

    page.locator("#kts-last").get_by_role("button", name="Remove Image").click()
    expect(mode.get_by_role("radio", name="std")).to_be_enabled()
    expect(mode).not_to_contain_text("makes pro only")
    page.context.close()


@browser_test
def test_opening_the_page_and_its_advanced_section_refreshes_neither_preview_nor_draft(
    browser: Browser, screen_studio: Launched
) -> None:
    refresh = [
        fn_id
        for fn_id, fn in screen_studio.demo.fns.items()
        if fn.fn is not None and fn.fn.__name__ == "on_builder"
    ]
    context = browser.new_context(locale="en-US", viewport=LAPTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    refreshes: list[Any] = []
    page.on(
        "request",
        lambda request: (
            refreshes.append(request.post_data_json.get("data"))
            if request.method == "POST"
            and isinstance(request.post_data_json, dict)
            and request.post_data_json.get("fn_index") in refresh
            else None
        ),
    )
    page.goto(screen_studio.url)
    studio_ready(page)
    page.locator("#kts-advanced").get_by_role("button").first.click()
    expect(page.locator("#kts-negative textarea")).to_be_visible()
    # The person's first edit: its refresh is the first one the page sends.
    with page.expect_request(
        lambda request: request.method == "POST" and "orbit" in (request.post_data or "")
    ):
        page.locator("#kts-preset-camera input").click()
        page.get_by_role("option", name="Orbit", exact=True).click()
    assert refreshes and all("orbit" in data for data in refreshes)
    context.close()


@browser_test
def test_a_reload_keeps_the_frames_and_the_prompt_builder(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    upload(page, "kts-first", files["first"])
    upload(page, "kts-last", files["last"])
    expect(page.locator("#kts-hint")).to_contain_text("Strategy for this pair")
    page.locator("#kts-preset-camera input").click()
    page.get_by_role("option", name="Orbit", exact=True).click()
    page.locator("#kts-advanced").get_by_role("button").first.click()
    watch_draft_saves(page, screen_studio.demo, "the bars grow")
    words = page.locator("#kts-free-subject textarea")
    words.fill("the bars grow")  # pasted: Gradio says nothing of it until the box is left
    words.press("Tab")
    preview = page.locator("#kts-preview textarea")
    expect(preview).to_have_value(re.compile("orbits.*the bars grow"))
    page.wait_for_function(SAVED_WITH_WORDS, arg=DRAFT_PROMPT_STORAGE)  # the browser kept them

    page.reload()
    expect(page.locator("#kts-first img")).to_have_count(1)
    expect(page.locator("#kts-last img")).to_have_count(1)
    expect(page.locator("#kts-hint")).to_contain_text("Strategy for this pair")
    expect(page.locator("#kts-preset-camera input")).to_have_value("Orbit")
    expect(preview).to_have_value(re.compile("orbits.*the bars grow"))
    expect(page.locator("#kts-generate")).to_be_enabled()

    other = open_page(browser, screen_studio.url)  # another browser has its own draft
    expect(other.locator("#kts-first img")).to_have_count(0)
    expect(other.locator("#kts-preset-camera input")).to_have_value("Slow push-in")
    other.context.close()
    page.context.close()


@browser_test
def test_on_a_phone_the_latest_video_comes_first_and_nothing_is_wider_than_the_screen(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url, viewport=PHONE)
    upload(page, "kts-first", files["team"])
    expect(page.locator("#kts-generate")).to_be_enabled()
    page.locator("#kts-generate").click()
    expect(page.locator("#kts-latest video")).to_have_attribute("src", re.compile(r"\.mp4"))
    video_top = page.evaluate(
        "() => document.querySelector('#kts-latest').getBoundingClientRect().top + scrollY"
    )
    frames_top = page.evaluate(
        "() => document.querySelector('#kts-first').getBoundingClientRect().top + scrollY"
    )
    assert video_top < frames_top and video_top < PHONE["height"]
    assert overflow(page) == 0

    page.get_by_role("tab", name="Deck").click()
    upload(page, "kts-deck-files", [files["intro"], files["market"], files["team"]])
    expect(page.locator("#kts-deck-summary")).to_contain_text("3 slides, 2 transitions")
    header = page.locator("#kts-deck-table th").filter(has_text="Slides").first
    expect(header).to_be_visible()
    box = header.bounding_box()
    assert box is not None and box["height"] < 60  # one line, not a letter per line
    prompt_cell = page.locator("#kts-deck-table").get_by_role("gridcell").filter(has_text="push")
    assert prompt_cell.count() == 0 or prompt_cell.first.bounding_box()["width"] > 150
    assert overflow(page) == 0
    page.context.close()


@browser_test
def test_a_bad_deck_file_is_refused_in_words_and_the_next_upload_replaces_the_list(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    page.get_by_role("tab", name="Deck").click()
    upload(page, "kts-deck-files", [files["intro"], files["text"]])
    notice = page.locator("#kts-deck-upload-notice")
    expect(notice).to_contain_text("renamed.png is not a PDF, an image, a ZIP or a PPTX.")
    expect(notice).not_to_contain_text("2 · renamed.png")
    expect(page.locator(ERROR_BADGE)).to_have_count(0)

    upload(page, "kts-deck-files", [files["team"], files["intro"], files["market"]])
    summary = page.locator("#kts-deck-summary")
    expect(summary).to_contain_text("3 slides, 2 transitions")
    expect(page.locator("#kts-deck-files")).not_to_contain_text("renamed.png")
    # In the order picked, and the page says so; the title from the first slide.
    expect(page.locator("#kts-deck-slides")).to_contain_text("1 · team.png")
    expect(page.locator("#kts-deck-slides")).to_contain_text("3 · market.png")
    expect(page.locator("#kts-deck-slides-col")).to_contain_text(
        "in the order you picked the files"
    )
    expect(page.locator("#kts-deck-title input")).to_have_value("team")
    expect(notice).to_contain_text("Opened “team”: 3 slides, 2 transitions.")
    expect(page.locator(ERROR_BADGE)).to_have_count(0)
    page.context.close()


@browser_test
def test_a_two_slide_deck_says_one_transition_and_opens_its_presenter_page_in_a_new_tab(
    browser: Browser, screen_studio: Launched, files: dict[str, Path]
) -> None:
    page = open_page(browser, screen_studio.url)
    page.get_by_role("tab", name="Deck").click()
    upload(page, "kts-deck-files", [files["market"], files["intro"]])
    expect(page.locator("#kts-deck-summary")).to_contain_text("2 slides, 1 transition ·")
    page.locator("#kts-deck-generate").click()
    expect(page.locator("#kts-deck-note")).to_contain_text("1 transition handed to the engine")
    panel = page.locator("#kts-deck-progress .kts-deck-progress")
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel).to_contain_text("1 of 1 transition done")
    expect(page.locator("#kts-deck-note")).to_be_hidden()  # what Generate said is over
    link = page.locator("#kts-deck-presenter a")
    expect(link).to_have_attribute("target", "_blank")
    with page.context.expect_page() as opened:
        link.click()
    presenter = opened.value
    presenter.wait_for_load_state()
    assert presenter.url.endswith("index.html")
    expect(presenter.locator("body")).not_to_be_empty()
    presenter.close()
    page.context.close()


# ---- the Studio as built: the handlers behind the screen ----------------------------------------


def test_the_live_panels_never_show_gradios_spinner_or_timer(screen_studio: Launched) -> None:
    demo = screen_studio.demo
    live = {"kts-progress", "kts-deck-progress", "kts-lab-cell-a", "kts-lab-cell-b"}
    live |= {"kts-lab-cell-c", "kts-submit-note", "kts-deck-note", "kts-lab-note"}
    for fn in demo.fns.values():
        written = {getattr(block, "elem_id", None) for block in fn.outputs} & live
        if not written:
            continue
        spinner_on = {getattr(b, "elem_id", None) for b in (fn.show_progress_on or [])}
        quiet = fn.show_progress == "hidden" or (spinner_on and not spinner_on & live)
        assert quiet, f"{fn.fn and fn.fn.__name__} shows a spinner over {written}"


def test_every_event_filling_the_prompt_builder_is_followed_by_its_refresh(
    screen_studio: Launched,
) -> None:
    # The preview and the draft follow the person's edits only, not `change` (see
    # studio_tab.edits): an event that fills the builder must chain their refresh itself.
    demo = screen_studio.demo
    builder = {id(c) for c in demo.studio_context.studio.prompt_inputs()}
    config = demo.get_config_file()["dependencies"]
    refreshed_after = {
        dep["trigger_after"]
        for dep in config
        if dep.get("trigger_after") is not None and demo.fns[dep["id"]].fn.__name__ == "on_builder"
    }
    fillers = {
        fn_id: fn.fn.__qualname__
        for fn_id, fn in demo.fns.items()
        if fn.fn is not None
        and any(id(block) in builder for block in fn.outputs)
        and not any(event == "load" for _, event in fn.targets)  # draws the preview itself
    }
    assert len(fillers) >= 5  # the template, a hint, reuse, a lab save, an import
    missing = {name for fn_id, name in fillers.items() if fn_id not in refreshed_after}
    assert not missing, f"no preview refresh after {missing}"


def test_the_lab_saves_a_preset_only_from_the_variant_marked_in_this_run(
    screen_studio: Launched,
) -> None:
    demo = screen_studio.demo
    engine = screen_studio.runtime.engine
    frame = engine.save_frame(slide_png(640, 360, "lab"), "png")
    owner = "browser:lab-screen"
    spec = JobSpec(first_frame=frame, prompt="an earlier best", submitter=owner, kind="lab")
    earlier = engine.submit(spec).job.id
    engine.wait(earlier, timeout=60)
    engine.mark_best(earlier)  # marked in an earlier run; this run reuses the same job
    assert engine.get(earlier).status is JobStatus.DONE
    ctx = demo.studio_context
    request = gr.Request(headers={"accept-language": "en"}, session_hash="lab-screen")
    said, menu = lab_tab.on_save(ctx, "Not marked", [earlier], None, "lab-screen", request)
    assert "Mark one finished variant as the best first" in said and menu == gr.skip()
    said, menu = lab_tab.on_save(ctx, "Marked", [earlier], earlier, "lab-screen", request)
    assert "Saved the preset “Marked”" in said and menu["value"]


def test_gradio_hands_every_wired_handler_its_request_and_event_data(
    screen_studio: Launched,
) -> None:
    # The handlers are wired with their context given (`common.bound`): Gradio must still
    # see the parameters it fills itself, or the handler would get None (or an input).
    demo = screen_studio.demo
    checked = 0
    for fn in demo.fns.values():
        wired = fn.fn
        if wired is None:
            continue
        wanted = list(inspect.signature(wired).parameters)
        given = 1 if fn.inputs_as_dict else len(fn.inputs)  # a set of inputs: one dict
        filled, *_ = special_args(
            wired, [object()] * given, request=REQUEST_MARK, event_data=EVENT_DATA
        )
        for name, value in zip(wanted, filled, strict=True):
            if name == "request":
                assert value is REQUEST_MARK, f"{wired.__qualname__} got no request"
                checked += 1
            if name == "evt":
                assert isinstance(value, gr.SelectData), f"{wired.__qualname__}: no row"
    assert checked >= 30
