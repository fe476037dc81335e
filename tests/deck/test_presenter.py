"""The presenter page: self-contained HTML that plays each transition and stops on the slide."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from kling_ui.deck import write_presenter
from kling_ui.deck.presenter import render_page

Slides = Callable[[int], list[Path]]
Clips = Callable[..., list[Path]]


class _PageParts(HTMLParser):
    """Collects what a page loads (src/href), its inline scripts and the deck's JSON."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self._in_script: dict[str, str | None] | None = None
        self.script_text: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        for name in ("src", "href", "poster"):
            if found.get(name):
                self.references.append(str(found[name]))
        if tag == "script":
            self._in_script = found
            self.scripts.append(found)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            key = str(self._in_script.get("id") or f"script-{len(self.scripts)}")
            self.script_text[key] = self.script_text.get(key, "") + data
        if self._in_title:
            self.title += data


def _parse(page: Path) -> _PageParts:
    parts = _PageParts()
    parts.feed(page.read_text(encoding="utf-8"))
    return parts


@pytest.fixture
def presenter(tmp_path: Path, slide_files: Slides, deck_clips: Clips) -> Path:
    slides = slide_files(3)
    clips = deck_clips(slides, frames=12)
    return write_presenter(tmp_path / "presenter", slides, clips, "Quarterly <review>")


def test_the_page_lists_every_slide_and_transition_in_order(presenter: Path) -> None:
    deck = json.loads(_parse(presenter).script_text["deck"])
    assert deck["slides"] == ["slides/slide-01.png", "slides/slide-02.png", "slides/slide-03.png"]
    assert deck["clips"] == ["clips/transition-01.mp4", "clips/transition-02.mp4"]


def test_every_file_the_page_refers_to_is_beside_it(presenter: Path) -> None:
    parts = _parse(presenter)
    deck = json.loads(parts.script_text["deck"])
    for reference in [*parts.references, *deck["slides"], *deck["clips"]]:
        assert (presenter.parent / reference).is_file(), reference


def test_the_page_needs_no_network(presenter: Path) -> None:
    parts = _parse(presenter)
    text = presenter.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text and "//cdn" not in text
    assert all(not s.get("src") for s in parts.scripts), "scripts are inline"
    assert "link" not in parts.tags, "styles are inline"
    assert "style" in parts.tags


def test_the_title_is_shown_as_text(presenter: Path) -> None:
    parts = _parse(presenter)
    assert parts.title == "Quarterly <review>"
    assert json.loads(parts.script_text["deck"])["title"] == "Quarterly <review>"


def test_a_title_cannot_end_the_deck_script_early() -> None:
    page = render_page("</script><script>alert(1)</script>", ["slides/a.png"], [])
    parts = _PageParts()
    parts.feed(page)
    assert json.loads(parts.script_text["deck"])["title"].startswith("</script>")
    assert len(parts.scripts) == 2


def test_the_page_answers_the_presenting_keys(presenter: Path) -> None:
    script = "".join(v for k, v in _parse(presenter).script_text.items() if k != "deck")
    for key in ("ArrowRight", '" "', "PageDown", "ArrowLeft", "PageUp", "Home", "End"):
        assert key in script
    assert 'addEventListener("click"' in script
    assert 'addEventListener("ended"' in script


def test_the_slide_and_clip_counts_must_fit(tmp_path: Path, slide_files: Slides) -> None:
    slides = slide_files(2)
    with pytest.raises(ValueError):
        write_presenter(tmp_path / "p", slides, [], "t")


@pytest.mark.browser
def test_forward_plays_the_transition_and_stops_on_the_next_slide(
    presenter: Path, browser: Browser
) -> None:
    page = browser.new_page()
    try:
        page.goto(presenter.as_uri())
        body = page.locator("body")
        assert body.get_attribute("data-slide") == "1"
        assert page.locator("#counter").inner_text() == "1 / 3"
        # Heard, not sampled: on a loaded machine the short clip may have ended (and been
        # rewound) before a poll of its currentTime would run.
        page.evaluate(
            """() => {
                window.states = [];
                new MutationObserver(() => window.states.push(document.body.dataset.state))
                    .observe(document.body, {attributes: true, attributeFilter: ['data-state']});
                document.getElementById('clip').addEventListener(
                    'timeupdate', () => { window.clipPlayed = true; });
            }"""
        )
        page.keyboard.press("ArrowRight")
        page.wait_for_function("window.clipPlayed === true", timeout=60_000)
        assert "transition" in page.evaluate("() => window.states")
        page.wait_for_function("document.body.dataset.slide === '2'", timeout=60_000)
        assert body.get_attribute("data-state") == "slide"
        assert page.locator("#slide").get_attribute("src") == "slides/slide-02.png"
        page.keyboard.press("ArrowLeft")
        assert body.get_attribute("data-slide") == "1"
        assert body.get_attribute("data-state") == "slide"
        page.keyboard.press("End")
        assert page.locator("#counter").inner_text() == "3 / 3"
        page.keyboard.press("Space")
        assert body.get_attribute("data-slide") == "3", "nothing after the last slide"
    finally:
        page.close()
