"""The Studio's polish (issue 12) without a browser: problems said in words, controls that
explain themselves, nothing stale, the draft kept in the browser, the deck's words and order."""

from __future__ import annotations

import inspect
import logging
import re
import time
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio.helpers import special_args
from ui_helpers import make_job

from kling_ui.deck import DeckPlan, Slide, fixed_prompt
from kling_ui.deck.run import DeckProgress
from kling_ui.frames import prepare_pair
from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import KEYS_DEMO, KEYS_OWN, JobStatus
from kling_ui.prompts import load_library
from kling_ui.ui import deck_views, texts, views
from kling_ui.ui.common import answers_in_words, bound, lang_of
from kling_ui.ui.deck_tab import new_upload
from kling_ui.ui.drafts import (
    PreparedFrames,
    frames_record,
    prompt_record,
    restored_frame,
    restored_prompt,
)
from kling_ui.ui.prompting import PromptChoice, default_choice, preview
from kling_ui.ui.submitting import blocked
from kling_ui.ui.uploads import LenientFile, LenientImage

FIRST = Path("/data/frames/a.png")
REFUSED = UserError(
    "x.refused", Text("Not an image.", "不是图片。"), remedy=Text("Use a PNG.", "请用 PNG。")
)


def request_in(lang: str) -> gr.Request:
    """A request from a browser whose language is `lang`."""
    return gr.Request(headers={"accept-language": lang}, session_hash="polish-views")


# ---- problems in words, never Gradio's error state ---------------------------------------------


def test_a_refusal_is_said_in_the_notice_and_every_other_output_stays_as_it_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @answers_in_words(4, notice=2)
    def handler(value: str, request: gr.Request) -> list[Any]:
        raise REFUSED

    with caplog.at_level(logging.INFO, logger="kling_ui.ui"):
        out = handler("bad.png", request_in("zh-CN"))
    assert out[:2] == [gr.skip(), gr.skip()] and out[3] == gr.skip()
    assert "不是图片。 请用 PNG。" in out[2] and 'data-kind="error"' in out[2]
    assert all(record.exc_info is None for record in caplog.records)  # no traceback


def test_an_unexpected_failure_is_logged_with_its_traceback_and_said_plainly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @answers_in_words(1)
    def handler(request: gr.Request) -> str:
        raise RuntimeError("secret detail")

    with caplog.at_level(logging.ERROR, logger="kling_ui.ui"):
        said = handler(request_in("en"))
    assert "RuntimeError" in said and "secret detail" not in said
    assert any(record.exc_info for record in caplog.records)


def test_a_handler_that_succeeds_answers_as_written() -> None:
    @answers_in_words(2, notice=1)
    def handler(request: gr.Request) -> tuple[str, str]:
        return "value", ""

    assert handler(request_in("en")) == ("value", "")
    with pytest.raises(ValueError, match="notice"):
        answers_in_words(2, notice=2)


def test_notices_escape_the_message_and_say_nothing_when_empty() -> None:
    shown = views.notice_html("<b>5 files</b>", "info")
    assert "&lt;b&gt;" in shown and 'data-kind="info"' in shown and "role" not in shown
    assert 'role="alert"' in views.notice_html("refused", "error")
    assert views.notice_html("", "error") == ""
    with pytest.raises(ValueError):
        views.notice_html("x", "shout")


def test_uploads_reach_the_handlers_as_paths_without_gradios_own_checks(tmp_path: Path) -> None:
    text_file = tmp_path / "slide.png"
    text_file.write_text("not an image", encoding="utf-8")
    image = LenientImage(type="filepath", render=False)
    assert image.preprocess({"path": str(text_file), "url": None}) == str(text_file)
    assert image.preprocess(None) is None
    deck_files = LenientFile(
        file_count="multiple", file_types=[".pdf"], type="filepath", render=False
    )
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    assert deck_files.preprocess([{"path": str(notes)}, {"path": str(text_file)}]) == [
        str(notes),
        str(text_file),
    ]
    assert (image.get_block_name(), deck_files.get_block_name()) == ("image", "file")


# ---- controls that explain themselves ----------------------------------------------------------


def test_std_is_taken_away_with_a_last_frame_on_v2_and_the_reason_is_given() -> None:
    state = views.control_state("kling-v2-6", "pro", "5", has_first=True, has_tail=True, lang="en")
    assert state.modes == ("pro",) and state.durations == ("5", "10")
    assert state.mode_reason == (
        "With a last frame, kling-v2-6 makes pro only (std cannot use one)."
    )
    assert state.duration_reason == ""
    zh = views.control_state("kling-v2-6", "pro", "5", has_first=True, has_tail=True, lang="zh-CN")
    assert "std 不能使用尾帧" in zh.mode_reason


def test_kling_v1_with_a_last_frame_keeps_both_modes_but_only_five_seconds() -> None:
    state = views.control_state("kling-v1", "std", "10", has_first=True, has_tail=True, lang="en")
    assert state.modes == ("std", "pro") and state.durations == ("5",)
    assert state.duration == "5" and "makes 5 s only" in state.duration_reason


def test_without_a_last_frame_every_choice_stays_open() -> None:
    state = views.control_state("kling-v2-6", "std", "10", has_first=True, has_tail=False)
    assert (state.modes, state.durations) == (("std", "pro"), ("5", "10"))
    assert state.mode_reason == state.duration_reason == ""


def test_an_empty_prompt_keeps_generate_off_and_says_why() -> None:
    state = views.control_state(
        "kling-v2-6", "pro", "5", has_first=True, has_tail=False, prompt=" ", needs_prompt=True
    )
    assert not state.can_submit and "The prompt is empty" in views.blocked_text(state, "en")
    refused = blocked(state)
    assert refused.code == "generate.blocked" and "The prompt is empty" in refused.text("en")
    assert refused.text("zh-CN") == views.blocked_text(state, "zh-CN")
    lab_variant = views.control_state("kling-v2-6", "pro", "5", has_first=True, has_tail=False)
    assert lab_variant.can_submit  # only the Studio asks for a prompt


def test_the_rules_line_can_leave_the_note_to_the_controls() -> None:
    state = views.control_state("kling-v2-6", "pro", "5", has_first=True, has_tail=True, lang="en")
    assert views.rules_html(state, "en", with_note=False) == ""
    assert "kts-note" in views.rules_html(state, "en")


# ---- nothing stale or wrong ----------------------------------------------------------------------


def test_one_frame_is_reported_as_one_frame(slide_files: tuple[Path, Path]) -> None:
    first, last = slide_files
    one = views.frame_report_markdown(prepare_pair(first, None), "en")
    assert one.startswith("- First frame prepared at 1920x1080; add a last frame")
    assert "Both" not in one
    zh = views.frame_report_markdown(prepare_pair(first, None), "zh-CN")
    assert "两帧" not in zh and "首帧已处理为" in zh
    both = views.frame_report_markdown(prepare_pair(first, last), "en")
    assert both.startswith("- Both frames prepared at")


def test_a_job_without_a_prompt_is_named_once_and_shows_its_id_once() -> None:
    job = make_job(FIRST, spec={"prompt": ""})
    line = views.job_line(job, position=1, estimate=None, now=time.time(), lang="en")
    assert line.title == "(no prompt)"
    shown = views.progress_html([line], "en")
    visible = re.sub(r"<[^>]+>", " ", shown)
    assert visible.count(job.id[:8]) == 1 and job.id not in visible
    assert f'data-job="{job.id}"' in shown
    assert views.job_title(job, lang="zh-CN") == "（无提示词）"


def test_a_demo_job_is_free_in_the_history_and_a_paid_one_shows_its_units() -> None:
    demo = make_job(FIRST, units=5.0, runs_on=KEYS_DEMO, status=JobStatus.DONE)
    assert "free (demo simulator)" in views.job_detail_html(demo, lang="en")
    assert "免费" in views.job_detail_html(demo, lang="zh-CN")
    paid = make_job(FIRST, units=5.0, runs_on=KEYS_OWN, status=JobStatus.DONE)
    assert "<dd>5 units</dd>" in views.job_detail_html(paid, lang="en")


def test_own_words_after_the_first_preset_keep_the_prompts_capital_letter() -> None:
    library = load_library(None)
    start = default_choice(library, "en")
    camera = PromptChoice(
        template=start.template,
        presets=start.presets,
        free={"camera": "over the city"},
        lang="en",
    )
    shown = preview(camera, library, "en").prompt
    assert shown.startswith("The camera slowly pushes in, over the city; the main elements")
    subject = PromptChoice(
        template=start.template, presets=start.presets, free={"subject": "The CEO waves"}
    )
    assert "; the main elements" in preview(subject, library, "en").prompt  # not raised


def test_a_lab_cell_stars_only_the_variant_marked_in_this_run() -> None:
    reused = make_job(FIRST, status=JobStatus.DONE, best=True)
    cell = views.lab_cell(reused, now=time.time(), lang="en", marked=False)
    assert not cell.best and "★" not in cell.status_html
    assert views.lab_cell(reused, now=time.time(), lang="en").best  # the job's own mark


def test_the_result_panel_offers_the_last_frame_only_when_there_is_one() -> None:
    assert [v for _, v in views.result_view_choices("en")] == ["first", "video", "last"]
    assert [v for _, v in views.result_view_choices("zh-CN", has_last=False)] == [
        "first",
        "video",
    ]
    job = make_job(FIRST, spec={"prompt": "<orbit>"}, status=JobStatus.DONE, finished_at=1e9)
    caption = views.result_caption(job, "en")
    assert "&lt;orbit&gt;" in caption and "1 frame" in caption


def test_gradios_own_untranslated_keys_have_words_in_both_languages() -> None:
    table = texts.i18n().translations_dict
    assert table["en"]["common.complete"] == "Complete"
    assert table["zh-CN"]["common.complete"] == "完成"
    assert table["zh-CN"]["common.upload"] == "上传"


# ---- the draft kept in the browser -----------------------------------------------------------


def test_a_stored_frame_comes_back_only_from_the_studios_own_folders(tmp_path: Path) -> None:
    uploads, frames = tmp_path / "uploads", tmp_path / "frames"
    uploads.mkdir()
    frames.mkdir()
    upload, ready = uploads / "a.png", frames / "sha.png"
    upload.write_bytes(b"png")
    ready.write_bytes(b"png")
    record = frames_record(str(upload), None, fit="cover", prepared=(ready, None))
    roots = [uploads, frames]
    assert restored_frame(record, "first", roots) == str(upload.resolve())
    upload.unlink()  # the upload was cleaned away: its prepared copy comes back
    assert restored_frame(record, "first", roots) == str(ready.resolve())
    assert restored_frame(record, "last", roots) is None
    assert restored_frame({"first": "/etc/passwd"}, "first", roots) is None
    assert restored_frame({"first": str(uploads / ".." / ".." / "x")}, "first", roots) is None
    assert restored_frame("not a record", "first", roots) is None


def test_the_prompt_draft_comes_back_without_what_the_menus_no_longer_offer() -> None:
    choice = PromptChoice(
        template="smooth-morph",
        presets={"camera": "orbit", "subject": "gone-preset"},
        free={"camera": "over the city"},
        extra="and a logo",
        lang="zh-CN",
    )
    record = prompt_record(
        choice, negative="blur", model="kling-v1", mode="std", duration="10", fit="cover"
    )
    offered = {("template", "smooth-morph"), ("camera", "orbit")}
    draft = restored_prompt(record, lambda part, value: (part, value) in offered, "en")
    assert draft is not None
    assert draft.choice.presets["camera"] == "orbit" and draft.choice.presets["subject"] == ""
    assert draft.unknown == ("gone-preset",)
    assert draft.choice.free["camera"] == "over the city" and draft.choice.lang == "zh-CN"
    assert (draft.model, draft.mode, draft.duration, draft.fit) == (
        "kling-v1",
        "std",
        "10",
        "cover",
    )
    forged = record | {"model": "kling-v9", "mode": "ultra", "choice": {"lang": "fr"}}
    odd = restored_prompt(forged, lambda *_: True, "en")
    assert odd is not None and (odd.model, odd.mode, odd.choice.lang) == (None, None, "en")
    assert restored_prompt(None, lambda *_: True, "en") is None


def test_frames_prepared_at_upload_are_reused_while_their_files_are_there(tmp_path: Path) -> None:
    class Stored:
        def __init__(self, first: Path) -> None:
            self.first, self.last = first, None

    prepared = PreparedFrames(capacity=2)
    frame = tmp_path / "f.png"
    frame.write_bytes(b"png")
    key = PreparedFrames.key("a", None, None)
    stored = prepared.put(key, Stored(frame))
    assert prepared.get(key) is stored and key == ("a", "", "fit")
    frame.unlink()
    assert prepared.get(key) is None
    for name in ("b", "c", "d"):
        other = tmp_path / f"{name}.png"
        other.write_bytes(b"png")
        prepared.put(PreparedFrames.key(name, None, "fit"), Stored(other))
    assert prepared.get(PreparedFrames.key("b", None, "fit")) is None  # the oldest went
    made: list[str] = []

    def prepare() -> Stored:
        made.append("once")
        return Stored(tmp_path / "d.png")

    kept = prepared.get_or_put(PreparedFrames.key("d", None, "fit"), prepare)
    fresh = prepared.get_or_put(PreparedFrames.key("e", None, "fit"), prepare)
    assert kept is not fresh and made == ["once"]  # "d" was kept: only "e" was prepared
    assert prepared.get_or_put(PreparedFrames.key("e", None, "fit"), prepare) is fresh


def test_a_handler_wired_with_its_context_still_asks_gradio_for_the_request() -> None:
    def on_thing(ctx: str, value: str, request: gr.Request) -> tuple[str, str, str]:
        """A handler over a context."""
        return ctx, value, lang_of(request)

    wired = bound(on_thing, "the context")
    assert wired.__name__ == "on_thing" and list(inspect.signature(wired).parameters) == [
        "value",
        "request",
    ]
    filled, *_ = special_args(wired, ["a value"], request=request_in("zh-CN"))
    assert wired(*filled) == ("the context", "a value", "zh-CN")


# ---- the deck's words and order --------------------------------------------------------------


def plan_of(count: int) -> DeckPlan:
    """A plan of `count` slides named as a staged upload names them."""
    slides = [
        Slide(
            index=i, name=f"{i + 1} · pic{i + 1}.png", path=Path(f"/d/s{i}.png"), sha256=f"{i:064x}"
        )
        for i in range(count)
    ]
    return DeckPlan.create(slides, fixed_prompt("push in"), deck_id="0123456789abcdef")


def progress(total: int, done: int = 0, estimate: float | None = None, waiting: int = 0):
    """A deck's progress with `done` of `total` transitions made."""
    statuses = ("done",) * done + ("processing",) * (total - done)
    return DeckProgress(
        total=total,
        done=done,
        failed=(),
        in_flight=total - done,
        pending=0,
        statuses=statuses,
        estimate=estimate,
        waiting=waiting,
    )


def test_counts_are_singular_for_one_in_both_languages() -> None:
    assert deck_views.counted("transition", 1, "en") == "1 transition"
    assert deck_views.counted("transition", 3, "en") == "3 transitions"
    assert deck_views.counted("slide", 1, "zh-CN") == "1 张幻灯片"
    assert progress(1).text("en") == "0 of 1 transition done"
    assert progress(1).text("zh-CN") == "已完成 0/1 个转场"
    assert deck_views.queued_message(1, 0, 12, "en").startswith("1 transition handed")
    assert "finish: 1 transition (at most 12" in deck_views.queued_message(1, 1, 12, "en")
    assert "自动开始：2 个转场" in deck_views.queued_message(0, 2, 12, "zh-CN")


def test_picked_names_are_shown_without_the_order_prefix_and_give_the_title() -> None:
    plan = plan_of(2)
    assert deck_views.gallery_items(plan)[0][1] == "1 · pic1.png"
    assert deck_views.hold_choices(plan)[1][0] == "2 · pic2.png · 2 s"
    assert deck_views.title_from("3 · Intro slide.png") == "Intro slide"
    assert deck_views.title_from("talk.pdf p1") == "talk"
    assert deck_views.title_from("/tmp/x/Quarterly review.pptx") == "Quarterly review"


def test_the_presenter_page_opens_in_a_new_tab() -> None:
    link = deck_views.presenter_html(Path("/data/decks/abc/presenter/index.html"), "en")
    assert 'target="_blank"' in link and 'rel="noopener"' in link
    assert 'href="gradio_api/file=/data/decks/abc/presenter/index.html"' in link
    assert deck_views.presenter_html(None, "en") == ""


def test_a_new_upload_replaces_the_files_before_it() -> None:
    assert new_upload(["a", "b"], []) == ["a", "b"]
    assert new_upload(["a", "b", "c"], ["a", "b"]) == ["c"]
    assert new_upload(["a", "b", "a", "b"], ["a", "b"]) == ["a", "b"]  # the same ones again
    assert new_upload(["a", "x", "t", "a", "m"], ["a", "x"]) == ["t", "a", "m"]
    assert new_upload(["a", "c"], ["a", "b"]) == ["a", "c"]  # the box was changed by hand


def test_the_decks_mode_and_duration_say_why_a_choice_is_off() -> None:
    mode, duration = deck_views.run_controls("kling-v2-6", "pro", "10", "en")
    assert mode["interactive"] is False and "pro only" in mode["info"]
    assert duration["interactive"] is True and duration["info"] == ""
    mode, duration = deck_views.run_controls("kling-v1", "std", "5", "zh-CN")
    assert mode["interactive"] is True and duration["interactive"] is False
    assert "仅支持 5 s" in duration["info"]
