"""The Deck tab: what it shows (pure views), the deck run through the workspace the tab uses
(demo mode), the tab's handlers called directly, and the whole tab in a real browser. What the
person's edits do to a plan is tested with the edits, in tests/deck/test_edits.py."""

from __future__ import annotations

import os
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, Page, expect
from pptx import Presentation
from ui_helpers import WAIT, Launched, fast_settings, launch

from kling_ui.deck import DeckPlan, Slide, fixed_prompt
from kling_ui.deck.edits import (
    apply_negative_prompt,
    apply_order,
    apply_slide_hold,
    default_negative,
)
from kling_ui.deck.run import Deck, DeckProgress, DeckRunner, DeckSettings
from kling_ui.deck.session import AssembledFiles, Assembly, DeckWorkspace, Followed
from kling_ui.i18n import Text, UserError
from kling_ui.jobs import messages
from kling_ui.kling.capabilities import MODELS
from kling_ui.runtime import Runtime
from kling_ui.ui import build_studio, deck_tab, deck_views
from kling_ui.ui.common import GENERATE_CONCURRENCY_ID
from kling_ui.ui.deck_tab import OPENED_FIELDS, TAB_KEY, DeckTab
from kling_ui.ui.deck_texts import DECK_STRINGS
from kling_ui.video import probe

TIMEOUT_MS = 60_000
SMALL = (640, 360)
COLOURS = [(200, 50, 40), (40, 150, 70), (40, 70, 200), (230, 200, 60), (120, 40, 140)]
PLACEHOLDER = re.compile(r"{(\w+)}")
# Set to a folder to have the browser test save the Deck tab's screenshot there (deck.png).
SCREENSHOT_ENV = "KTS_SCREENSHOT_DIR"


# ---- media made in the test ----------------------------------------------------------------


def slide_image(index: int, size: tuple[int, int] = SMALL) -> Image.Image:
    """Slide `index`: its own colour and a white block placed by its number."""
    width, height = size
    image = Image.new("RGB", size, COLOURS[index % len(COLOURS)])
    left = width // 10 + index * width // 6
    ImageDraw.Draw(image).rectangle(
        (left, height // 4, left + width // 8, height * 3 // 4), fill=(255, 255, 255)
    )
    return image


def write_pdf(path: Path, pages: int, offset: int = 0) -> Path:
    """A PDF of `pages` distinct slides (72 dpi: a page has as many points as pixels)."""
    first, *rest = [slide_image(offset + i) for i in range(pages)]
    first.save(path, format="PDF", save_all=True, append_images=rest, resolution=72)
    return path


def plan_of(count: int) -> DeckPlan:
    """A plan for `count` slides whose prompts are all "push in" (no image is read)."""
    slides = [
        Slide(index=i, name=f"page-{i + 1}", path=Path(f"/decks/s{i + 1}.png"), sha256=f"{i:064x}")
        for i in range(count)
    ]
    return DeckPlan.create(slides, fixed_prompt("push in"), deck_id="0123456789abcdef")


def progress_of(plan: DeckPlan, estimate: float | None = None) -> DeckProgress:
    """The progress a runner would report for `plan` as it stands."""
    statuses = tuple(t.status for t in plan.transitions)
    return DeckProgress(
        total=len(statuses),
        done=statuses.count("done"),
        failed=tuple(t.index for t in plan.transitions if t.status == "failed"),
        in_flight=sum(s in ("queued", "processing") for s in statuses),
        pending=statuses.count("pending"),
        statuses=statuses,
        estimate=estimate,
    )


# ---- what the tab shows ----------------------------------------------------------------------


def test_every_deck_string_has_both_languages_with_the_same_blanks() -> None:
    for en, zh in ((found.en, found.zh) for found in DECK_STRINGS.values()):
        assert en.strip() and zh.strip()
        assert set(PLACEHOLDER.findall(en)) == set(PLACEHOLDER.findall(zh))


def test_only_models_that_take_a_last_frame_are_offered_for_decks() -> None:
    names = [name for _, name in deck_views.deck_models()]
    assert names and all(MODELS[name].accepts_tail for name in names)
    assert "kling-v2-master" not in names


def test_the_thumbnail_strip_follows_the_order_and_names_each_slide_by_its_number() -> None:
    plan = plan_of(3)
    apply_order(plan, "3, 1", fixed_prompt("push in"))
    assert deck_views.gallery_items(plan) == [
        ("/decks/s3.png", "3 · page-3"),
        ("/decks/s1.png", "1 · page-1"),
    ]


def test_the_thumbnail_strip_shows_the_start_of_each_slides_speaker_notes() -> None:
    plan = plan_of(2)
    plan.slides[0].notes = "Welcome,\n  everyone. " + "Thanks for coming today! " * 4
    captions = [caption for _, caption in deck_views.gallery_items(plan)]
    assert captions[0].startswith("1 · page-1 — Welcome, everyone. Thanks for coming")
    assert captions[0].endswith("…") and len(captions[0]) < 90
    assert captions[1] == "2 · page-2"


def test_the_notes_panel_lists_each_shown_slides_notes_in_the_pages_language() -> None:
    plan = plan_of(3)
    assert deck_views.notes_markdown(plan, "en") == ""
    plan.slides[1].notes = "Zoom into the *chart*"
    plan.slides[2].notes = "总结"
    panel = deck_views.notes_markdown(plan, "zh-CN")
    assert panel.startswith("**演讲者备注")
    assert "- **2** · Zoom into the \\*chart\\*" in panel and "- **3** · 总结" in panel
    apply_order(plan, "1, 3", fixed_prompt("push in"))
    assert "**2**" not in deck_views.notes_markdown(plan, "en")


def test_the_prompt_table_says_what_the_next_slides_notes_added() -> None:
    plan = plan_of(3)
    plan.transitions[0].strategy, plan.transitions[0].cue = "camera", "zoom, chart"
    plan.transitions[1].cue = "“a slow orbit”"
    rows = deck_views.table_rows(plan, "en")
    assert rows[0][2] == "Camera move · notes: zoom, chart"
    assert rows[1][2] == "notes: “a slow orbit”"
    assert deck_views.table_rows(plan, "zh-CN")[0][2] == "镜头运动 · 备注：zoom, chart"


def test_the_downloads_offer_the_video_the_powerpoint_and_the_zip() -> None:
    files = AssembledFiles(
        Path("/o/deck.mp4"), Path("/o/index.html"), Path("/o/deck.zip"), 6.0, Path("/o/deck.pptx")
    )
    assert files.downloads() == ["/o/deck.mp4", "/o/deck.pptx", "/o/deck.zip"]


def test_the_prompt_table_has_a_row_per_transition_in_the_pages_language() -> None:
    plan = plan_of(3)
    plan.transitions[0].strategy = "camera"
    value = deck_views.table_value(plan, "zh-CN")
    assert value["headers"] == ["序号", "幻灯片", "策略", "提示词"]
    assert value["data"] == [["1", "1 → 2", "镜头运动", "push in"], ["2", "2 → 3", "", "push in"]]
    assert deck_views.table_value(None, "en")["data"] == [["", "", "", ""]]


def test_the_summary_escapes_the_title_and_lists_slides_left_out() -> None:
    plan = plan_of(4)
    apply_order(plan, "1, 2, 4", fixed_prompt("push in"))
    deck = Deck(Path("/decks/0123456789abcdef"), DeckSettings(title="<b>Q3</b> *review*"), plan)
    line = deck_views.summary_markdown(deck, "en")
    assert "<b>" not in line and "\\*review\\*" in line
    assert "3 slides, 2 transitions" in line and line.endswith("Left out: 3")


def test_the_summary_and_the_slide_menu_show_the_slides_held_for_their_own_time() -> None:
    plan = plan_of(3)
    apply_slide_hold(plan, "s002", 5)
    apply_slide_hold(plan, "s003", 0.5)
    deck = Deck(Path("/decks/0123456789abcdef"), DeckSettings(title="Talk"), plan)
    assert deck_views.summary_markdown(deck, "en").endswith(
        "Held 2 s, except slides 2: 5 s, 3: 0.5 s"
    )
    assert "以下幻灯片除外：2: 5 s, 3: 0.5 s" in deck_views.summary_markdown(deck, "zh-CN")
    assert deck_views.hold_choices(plan) == [
        ("1 · page-1 · 2 s", "s001"),
        ("2 · page-2 · 5 s", "s002"),
        ("3 · page-3 · 0.5 s", "s003"),
    ]
    apply_order(plan, "1, 3", fixed_prompt("push in"))
    assert deck_views.hold_menu(plan, "s002")["value"] is None
    assert deck_views.hold_menu(plan, "s003")["value"] == "s003"


def test_the_progress_panel_counts_transitions_and_shows_each_status_and_error() -> None:
    plan = plan_of(4)
    plan.record(0, "done", job_id="j1", clip_path="/clips/1.mp4")
    plan.record(1, "failed", job_id="j2", error="Kling refused <it>")
    plan.record(2, "processing", job_id="j3")
    panel = deck_views.progress_html(
        plan, progress_of(plan, estimate=7.2), Assembly("waiting"), {}, "en"
    )
    # The clip in flight (7.2 s), then the final video's assembly (3 s + 0.7 s per clip).
    assert "1 of 3 transitions done; failed: 2; about 12 s left until the final video" in panel
    assert 'data-state="failed"' in panel and 'data-total="3"' in panel
    assert re.findall(r'data-status="(\w+)"', panel) == ["done", "failed", "processing"]
    assert "Kling refused &lt;it&gt;" in panel and "<it>" not in panel
    assert "Kling is making the video" in panel


def test_the_panel_says_when_the_final_video_is_ready() -> None:
    plan = plan_of(2)
    plan.record(0, "done", job_id="j1", clip_path="/clips/1.mp4")
    files = AssembledFiles(Path("/o/deck.mp4"), Path("/o/index.html"), Path("/o/deck.zip"), 6.04)
    panel = deck_views.progress_html(plan, progress_of(plan), Assembly("ready", files), {}, "zh-CN")
    assert "已完成 1/1 个转场" in panel and "最终视频已完成（6.0 秒）" in panel
    assert 'data-state="ready"' in panel


def test_a_failed_assembly_says_why_in_the_pages_language() -> None:
    refusal = UserError("deck.bad_clip", Text("Clip 2 is damaged.", "第 2 个片段已损坏。"))
    line = deck_views.assembly_line(Assembly("failed", error=refusal), "zh-CN")
    assert line == "无法拼接最终视频：第 2 个片段已损坏。"


def test_the_retry_menu_lists_only_the_failed_transitions() -> None:
    plan = plan_of(4)
    plan.record(0, "done", job_id="j1", clip_path="/clips/1.mp4")
    plan.record(2, "failed", job_id="j3", error="boom")
    assert deck_views.retry_choices(plan, progress_of(plan)) == [("3: 3 → 4", 2)]


# ---- the deck run through the tab's workspace (demo mode) ----------------------------------

RUN_SETTINGS = DeckSettings(title="Quarterly review", hold_seconds=0.5, target=SMALL)


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A demo-mode runtime with quick simulated transitions."""
    settings = fast_settings(tmp_path_factory.mktemp("deck-data"), demo_latency=0.3)
    with Runtime.from_settings(settings).start() as started:
        yield started


@pytest.fixture
def workspace(runtime: Runtime) -> DeckWorkspace:
    """The workspace the Deck tab builds over the runtime's engine and data folder."""
    return DeckWorkspace(DeckRunner(runtime.engine, runtime.settings.data_dir))


@pytest.fixture
def counted_assembly(workspace: DeckWorkspace, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The deck ids the runner assembles, in order (each assembly is slowed a little so that
    ticks arriving together really overlap)."""
    calls: list[str] = []
    original = workspace.runner.assemble

    def counting(deck: Deck):
        calls.append(deck.deck_id)
        time.sleep(0.2)
        return original(deck)

    monkeypatch.setattr(workspace.runner, "assemble", counting)
    return calls


OWNER = "browser:a"  # the browser whose decks the workspace tests open
HANDLER_OWNER = "session:deck-handler-test"  # who the handler tests' requests are from


def follow_until(workspace: DeckWorkspace, deck_id: str, wanted, owner: str = OWNER) -> Followed:
    """Follow `owner`'s deck like the page's timer until `wanted(followed)` holds."""
    deadline = time.monotonic() + WAIT
    while True:
        followed = workspace.follow(deck_id, owner)
        if followed is not None and wanted(followed):
            return followed
        assert time.monotonic() < deadline, f"deck {deck_id} never got there: {followed}"
        time.sleep(0.1)


def is_ready(followed: Followed) -> bool:
    """The final video is assembled."""
    return followed.assembly.state == "ready"


def test_a_deck_becomes_one_video_and_running_it_again_reuses_every_clip(
    workspace: DeckWorkspace, runtime: Runtime, tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "talk.pdf", 3)
    deck = workspace.open([pdf], RUN_SETTINGS, fixed_prompt("slow push in"), owner=OWNER)
    assert len(workspace.submit(deck.deck_id, submitter=OWNER, credentials=None)) == 2

    ready = follow_until(workspace, deck.deck_id, is_ready)
    files = ready.assembly.files
    assert files is not None and probe(files.video).duration == pytest.approx(
        files.duration, abs=0.1
    )
    with zipfile.ZipFile(files.bundle) as bundle:
        assert any(name.endswith("index.html") for name in bundle.namelist())
        assert any(name.endswith(".pptx") for name in bundle.namelist())
    assert files.pptx is not None and files.pptx.is_file()
    assert len(Presentation(str(files.pptx)).slides) == 5  # 3 slides, 2 transition videos

    again = workspace.open([pdf], RUN_SETTINGS, fixed_prompt("slow push in"), owner=OWNER)
    assert again.deck_id == deck.deck_id
    assert workspace.submit(again.deck_id, submitter=OWNER, credentials=None) == []
    assert len(runtime.engine.jobs(deck_id=deck.deck_id)) == 2


def test_ticks_arriving_together_assemble_the_final_video_once_and_a_restart_reuses_it(
    workspace: DeckWorkspace, counted_assembly: list[str], tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "ticks.pdf", 2, offset=3)
    deck = workspace.open([pdf], RUN_SETTINGS, fixed_prompt("a slow orbit"), owner=OWNER)
    workspace.submit(deck.deck_id, submitter=OWNER, credentials=None)
    follow_until(workspace, deck.deck_id, lambda f: f.progress.complete)

    ticks = [
        threading.Thread(target=workspace.follow, args=(deck.deck_id, OWNER)) for _ in range(4)
    ]
    for tick in ticks:
        tick.start()
    for tick in ticks:
        tick.join()
    follow_until(workspace, deck.deck_id, is_ready)
    assert counted_assembly == [deck.deck_id]

    restarted = DeckWorkspace(
        DeckRunner(workspace.runner.engine, workspace.runner.decks_dir.parent)
    )
    followed = restarted.follow(deck.deck_id, OWNER)
    assert followed is not None and followed.assembly.state == "ready"


def test_a_failed_transition_is_retried_alone_then_generate_finishes_the_rest(
    workspace: DeckWorkspace, runtime: Runtime, tmp_path: Path
) -> None:
    assert runtime.simulator is not None
    pdf = write_pdf(tmp_path / "faulty.pdf", 3, offset=1)
    deck = workspace.open(
        [pdf], RUN_SETTINGS, fixed_prompt("a prompt no other deck used"), owner=OWNER
    )
    runtime.simulator.config.apply({"fail_rate": 1.0})
    try:
        workspace.submit(deck.deck_id, submitter=OWNER, credentials=None)
        failed = follow_until(workspace, deck.deck_id, lambda f: f.progress.settled)
    finally:
        runtime.simulator.config.apply({"fail_rate": 0.0})
    assert failed.progress.failed == (0, 1)
    jobs = workspace.runner.jobs(failed.deck)
    assert deck_views.failure_texts(jobs, failed.deck.plan, "en")[0]

    retried = workspace.submit(deck.deck_id, submitter=OWNER, credentials=None, indexes=[1])
    assert len(retried) == 1
    one = follow_until(workspace, deck.deck_id, lambda f: f.progress.statuses[1] == "done")
    assert one.progress.failed == (0,) and one.assembly.state == "waiting"

    assert len(workspace.submit(deck.deck_id, submitter=OWNER, credentials=None)) == 1
    follow_until(workspace, deck.deck_id, is_ready)


def test_a_new_take_makes_an_identical_transition_again_instead_of_reusing_its_clip(
    workspace: DeckWorkspace, runtime: Runtime, tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "takes.pdf", 2, offset=4)
    deck = workspace.open([pdf], RUN_SETTINGS, fixed_prompt("a take worth repeating"), owner=OWNER)
    workspace.submit(deck.deck_id, submitter=OWNER, credentials=None)
    follow_until(workspace, deck.deck_id, lambda f: f.progress.complete)

    def submit_identical_again(new_take: bool) -> str:
        with workspace.editing(deck.deck_id, OWNER) as editing:  # changed and back: pending
            apply_negative_prompt(editing.plan, "blur")
            apply_negative_prompt(editing.plan, "")
        ids = workspace.submit(deck.deck_id, submitter=OWNER, credentials=None, new_take=new_take)
        assert len(ids) == 1
        return ids[0]

    reused = runtime.engine.get(submit_identical_again(new_take=False))
    assert reused.status_message == messages.REUSED.en
    made_again = runtime.engine.get(submit_identical_again(new_take=True))
    assert made_again.spec.new_take and made_again.status_message != messages.REUSED.en
    follow_until(workspace, deck.deck_id, lambda f: f.progress.complete)


def test_a_value_from_the_browser_that_names_no_deck_is_ignored(
    workspace: DeckWorkspace,
) -> None:
    for value in (None, 42, "../../etc", "0123456789abcdef"):
        assert workspace.load(value) is None and workspace.follow(value) is None
    with pytest.raises(UserError) as refused:
        workspace.submit("../../etc", submitter="browser:a", credentials=None)
    assert refused.value.code == "deck.none_open"


def test_the_deck_a_browser_had_open_is_found_again_without_naming_the_browser(
    workspace: DeckWorkspace, tmp_path: Path
) -> None:
    pdf = write_pdf(tmp_path / "kept.pdf", 2)
    deck = workspace.open([pdf], RUN_SETTINGS, fixed_prompt("kept"), owner="browser:alice-laptop")
    assert workspace.remembered("browser:alice-laptop") is None
    workspace.remember("browser:alice-laptop", deck.deck_id)
    assert workspace.remembered("browser:alice-laptop") == deck.deck_id
    assert workspace.remembered("browser:bob-phone") is None
    stored = (workspace.runner.state_dir / "open-decks.json").read_text(encoding="utf-8")
    assert "alice" not in stored and deck.deck_id in stored


# ---- the tab's own event handlers, called as Gradio calls them ------------------------------


def tab_of(launched: Launched) -> DeckTab:
    """The Deck tab of a launched Studio (its components, context and workspace)."""
    return launched.demo.studio_context.extras[TAB_KEY]


def start_values(inputs: set[Any]) -> dict[Any, Any]:
    """The values `inputs` start with on a fresh page, keyed by component."""
    return {c: getattr(c, "value", None) for c in inputs}


def at(values: list[Any], name: str) -> Any:
    """The value opening a deck gave the component `name` (`OPENED_FIELDS`)."""
    return values[OPENED_FIELDS.index(name)]


def request_in(lang: str) -> gr.Request:
    """A request from a browser whose language is `lang`."""
    return gr.Request(headers={"accept-language": lang}, session_hash="deck-handler-test")


@pytest.mark.parametrize("installed", [False, True])
def test_the_deck_tab_says_plainly_when_pptx_input_is_unavailable(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch, installed: bool
) -> None:
    monkeypatch.setattr("kling_ui.ui.deck_tab.soffice_available", lambda: installed)
    demo = build_studio(runtime)
    notes = [
        block
        for block in demo.blocks.values()
        if getattr(block, "elem_id", None) == "kts-deck-no-pptx"
    ]
    assert len(notes) == 1 and notes[0].visible is (not installed)
    en, zh = DECK_STRINGS["deck_no_soffice"].en, DECK_STRINGS["deck_no_soffice"].zh
    assert "PowerPoint (.pptx) input is not available here" in en and "LibreOffice" in en
    assert "无法使用 PowerPoint" in zh and "PDF" in zh


def test_the_deck_tabs_generate_and_retry_share_the_generate_group_of_three(
    deck_studio: Launched,
) -> None:
    grouped = {
        fn.fn.__name__: fn
        for fn in deck_studio.demo.fns.values()
        if fn.fn is not None and fn.fn.__module__.endswith("deck_tab")
    }
    for name in ("on_generate", "on_retry"):
        assert grouped[name].concurrency_id == GENERATE_CONCURRENCY_ID
        assert grouped[name].concurrency_limit == 3
        assert grouped[name].api_visibility == "private"
    ctx = deck_studio.demo.studio_context
    (timer_event,) = [
        fn for fn in deck_studio.demo.fns.values() if any(t[0] == ctx.timer._id for t in fn.targets)
    ]
    # The timer never waits behind the generate group: it has no concurrency limit of its own.
    assert timer_event.concurrency_limit is None
    assert timer_event.concurrency_id != GENERATE_CONCURRENCY_ID
    assert deck_tab.on_tick.__name__ in {part.handler.__name__ for part in ctx.ticks.parts}


def test_generate_without_an_open_deck_says_so_in_the_browsers_language(
    deck_studio: Launched,
) -> None:
    tab = tab_of(deck_studio)
    said, _ = deck_tab.on_generate(tab, dict.fromkeys(tab.generate_inputs()), request_in("zh-CN"))
    assert "还没有打开任何幻灯片" in said and 'data-kind="error"' in said
    assert "请先上传 PowerPoint 文件、PDF" in said


def test_another_model_opens_a_separate_deck_for_the_same_slides(
    deck_studio: Launched, tmp_path: Path
) -> None:
    tab = tab_of(deck_studio)
    pdf = write_pdf(tmp_path / "models.pdf", 2, offset=2)
    values = start_values(tab.open_inputs()) | {tab.files: [str(pdf)]}
    opened = deck_tab.on_upload(tab, values, request_in("en"))
    first_id = at(opened, "deck_state")
    assert at(opened, "model") == "kling-v2-6"
    mode, duration = at(opened, "mode"), at(opened, "duration")
    assert [mode["value"], duration["value"]] == ["pro", "5"]
    assert mode["interactive"] is False and "makes pro only" in mode["info"]

    changed = values | {tab.deck_state: first_id, tab.model: "kling-v1", tab.mode: "std"}
    reopened = deck_tab.on_model(tab, changed, request_in("en"))
    assert at(reopened, "deck_state") != first_id and at(reopened, "model") == "kling-v1"
    mode, duration = at(reopened, "mode"), at(reopened, "duration")
    assert [mode["value"], duration["value"]] == ["std", "5"]
    assert mode["interactive"] and duration["interactive"] is False
    assert tab.workspace.load(first_id, HANDLER_OWNER).settings.model == "kling-v2-6"


def opened_deck(tab: DeckTab, *files: Path, lang: str = "en") -> tuple[str, dict[Any, Any]]:
    """Upload `files` (in that order) through the tab's upload handler: the deck id and the
    inputs it used."""
    values = start_values(tab.open_inputs()) | {tab.files: [str(f) for f in files]}
    return deck_tab.on_upload(tab, values, request_in(lang))[0], values


def test_pictures_keep_the_order_they_were_picked_in_and_the_first_names_the_deck(
    deck_studio: Launched, tmp_path: Path
) -> None:
    tab = tab_of(deck_studio)
    picked = []
    for index, name in ((3, "Closing.png"), (1, "agenda.png"), (2, "Budget.png")):
        slide_image(index).save(tmp_path / name)
        picked.append(tmp_path / name)
    deck_id, _ = opened_deck(tab, *picked)
    deck = tab.workspace.load(deck_id, HANDLER_OWNER)
    assert deck is not None and deck.settings.title == "Closing"
    assert [s.name for s in deck.plan.slides] == ["Closing.png", "agenda.png", "Budget.png"]
    assert [caption for _, caption in deck_views.gallery_items(deck.plan)] == [
        "1 · Closing.png",
        "2 · agenda.png",
        "3 · Budget.png",
    ]


def test_the_new_take_box_reaches_the_engine_with_generate(
    deck_studio: Launched, tmp_path: Path
) -> None:
    tab = tab_of(deck_studio)
    deck_id, _ = opened_deck(tab, write_pdf(tmp_path / "take.pdf", 2, offset=1))
    values = start_values(tab.generate_inputs()) | {tab.deck_state: deck_id, tab.new_take: True}
    said, noted = deck_tab.on_generate(tab, values, request_in("en"))
    assert "1 transition handed to the engine" in said and noted is True
    jobs = deck_studio.runtime.engine.jobs(deck_id=deck_id)
    assert len(jobs) == 1 and jobs[0].spec.new_take


def test_the_negative_prompt_box_changes_the_open_decks_transitions_and_its_language(
    deck_studio: Launched, tmp_path: Path
) -> None:
    tab = tab_of(deck_studio)
    deck_id, values = opened_deck(tab, write_pdf(tmp_path / "negative.pdf", 3, offset=2))
    workspace = tab.workspace
    english = values[tab.negative]

    def negatives() -> set[str]:
        return {t.negative_prompt for t in workspace.load(deck_id, HANDLER_OWNER).plan.transitions}

    assert negatives() == {english}

    _, shown, said = deck_tab.on_defaults(tab, deck_id, "zh-CN", "", english, request_in("en"))
    assert "new negative prompt" in said
    assert shown == default_negative(tab.ctx.library, "zh-CN") != english
    assert negatives() == {shown}

    deck_tab.on_negative(tab, deck_id, "camera shake", request_in("en"))
    plan = workspace.load(deck_id, HANDLER_OWNER).plan
    assert [t.negative_prompt for t in plan.transitions] == ["camera shake", "camera shake"]


def test_a_slides_own_hold_time_is_applied_kept_by_the_decks_slider_and_reset(
    deck_studio: Launched, tmp_path: Path
) -> None:
    tab = tab_of(deck_studio)
    deck_id, _ = opened_deck(tab, write_pdf(tmp_path / "holds.pdf", 3, offset=3))
    workspace = tab.workspace
    summary, menu, seconds, said = deck_tab.on_slide_hold(tab, deck_id, "s002", 6, request_in("en"))
    assert "Slide 2 is now held for 6 s." in said
    assert summary.endswith("Held 2 s, except slides 2: 6 s") and seconds == 6
    assert menu["value"] == "s002" and menu["choices"][1] == ("2 · holds.pdf p2 · 6 s", "s002")

    deck_tab.on_hold(tab, deck_id, 1.5, "s002", request_in("en"))
    assert workspace.load(deck_id, HANDLER_OWNER).plan.holds() == [1.5, 6.0, 1.5]

    *_, seconds, _ = deck_tab.on_slide_hold_reset(tab, deck_id, "s002", request_in("en"))
    assert seconds == 1.5 and workspace.load(deck_id, HANDLER_OWNER).plan.holds() == [1.5, 1.5, 1.5]


# ---- the tab in a real browser -----------------------------------------------------------------


@pytest.fixture(scope="module")
def deck_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launched]:
    """A demo Studio whose transitions take 2 s: long enough to reload while they run."""
    launched = launch(fast_settings(tmp_path_factory.mktemp("deck-ui-data"), demo_latency=2.0))
    yield launched
    launched.close()


def open_deck_tab(browser: Browser, url: str, locale: str) -> Page:
    """A fresh browser context in `locale` with the Studio loaded on its Deck tab."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("tab", name="整套幻灯片" if locale.startswith("zh") else "Deck").click()
    expect(page.locator("#kts-deck-generate")).to_be_visible()
    return page


def edit_prompt(page: Page, row: int, prompt: str) -> None:
    """Type a new prompt into the table's prompt cell of `row` (0-based)."""
    cells = page.locator("#kts-deck-table").get_by_role("gridcell")
    cells.nth(row * 4 + 3).dblclick()
    editor = page.locator("#kts-deck-table textarea").first
    editor.fill(prompt)
    editor.press("Enter")


@pytest.mark.browser
def test_a_chinese_browser_is_told_in_chinese_why_a_one_page_pdf_makes_no_deck(
    browser: Browser, deck_studio: Launched, tmp_path: Path
) -> None:
    page = open_deck_tab(browser, deck_studio.url, "zh-CN")
    expect(page.locator("#kts-deck-generate")).to_have_text("生成整套视频")
    page.locator("#kts-deck-files input[type=file]").set_input_files(
        str(write_pdf(tmp_path / "single.pdf", 1))
    )
    expect(page.get_by_text("演示文稿至少需要 2 张幻灯片，当前只有 1 张").first).to_be_visible()
    expect(page.get_by_text("请添加更多幻灯片或页面").first).to_be_visible()
    expect(page.locator("#kts-deck-progress")).to_contain_text(
        "上传 PowerPoint 文件、PDF、多张图片或 ZIP"
    )
    page.context.close()


@pytest.mark.browser
def test_a_pdf_becomes_a_final_video_in_the_browser_and_a_reload_keeps_the_deck(
    browser: Browser, deck_studio: Launched, tmp_path: Path
) -> None:
    page = open_deck_tab(browser, deck_studio.url, "en-US")
    page.locator("#kts-deck-files input[type=file]").set_input_files(
        str(write_pdf(tmp_path / "talk.pdf", 3))
    )
    expect(page.locator("#kts-deck-summary")).to_contain_text("3 slides, 2 transitions")
    expect(page.locator("#kts-deck-slides img")).to_have_count(3)
    expect(page.locator("#kts-deck-order input")).to_have_value("1, 2, 3")
    expect(page.locator("#kts-deck-table")).to_contain_text("2 → 3")

    page.locator("#kts-deck-order input").fill("1, 3, 2")
    page.locator("#kts-deck-apply-order").click()
    expect(page.locator("#kts-deck-table")).to_contain_text("3 → 2")
    expect(page.locator("#kts-deck-slides")).to_contain_text("3 · talk.pdf p3")
    edit_prompt(page, 0, "orbit around the title")
    expect(page.get_by_text("Saved the prompt of transition 1.").first).to_be_visible()

    # Kling holds the transitions until the page has shown one under way, then ends them.
    kling = deck_studio.runtime.simulator
    assert kling is not None
    kling.config.apply({"latency": 300.0})
    try:
        page.locator("#kts-deck-generate").click()
        expect(page.locator("#kts-deck-note")).to_contain_text("2 transitions handed to the engine")
        panel = page.locator("#kts-deck-progress .kts-deck-progress")
        expect(panel).to_contain_text("of 2 transitions done")
        expect(
            panel.locator("[data-status=processing], [data-status=submitted]").first
        ).to_be_attached()
    finally:
        kling.config.apply({"latency": 2.0})  # a transition not yet created takes 2 s again
    httpx.post(f"{kling.base_url}/debug/hurry", timeout=10).raise_for_status()

    page.reload()
    page.get_by_role("tab", name="Deck").click()
    expect(page.locator("#kts-deck-summary")).to_contain_text("3 slides, 2 transitions")
    expect(panel).to_have_attribute("data-state", "ready")
    expect(panel).to_contain_text("2 of 2 transitions done")
    expect(page.locator("#kts-deck-video video")).to_have_attribute("src", re.compile(r"\.mp4"))
    expect(page.locator("#kts-deck-downloads a[download$='.mp4']")).to_have_count(1)
    expect(page.locator("#kts-deck-downloads a[download$='.pptx']")).to_have_count(1)
    bundle_link = page.locator("#kts-deck-downloads a[download$='.zip']")
    expect(bundle_link).to_have_count(1)
    bundle = page.request.get(bundle_link.get_attribute("href") or "")
    assert bundle.ok and bundle.body()[:2] == b"PK"
    prompts = {j.spec.prompt for j in deck_studio.runtime.engine.jobs(kind="deck")}
    assert "orbit around the title" in prompts
    shots = os.environ.get(SCREENSHOT_ENV)
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / "deck.png"), full_page=True)
    page.context.close()
