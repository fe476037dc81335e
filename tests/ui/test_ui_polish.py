"""Cancelling one of this browser's running jobs from the Studio tab, and the person's own
presets downloaded as a file and imported back (Settings tab)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from ui_helpers import WAIT, fast_settings, make_job

from kling_ui.i18n import Text, UserError
from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.requests import JobRequest, store_pair, submit
from kling_ui.prompts import PresetLibrary, load_library
from kling_ui.runtime import Runtime
from kling_ui.ui import build_studio, settings_tab, studio_tab
from kling_ui.ui.cancelling import cancel_menu, job_to_cancel
from kling_ui.ui.drafts import PreparedFrames
from kling_ui.ui.preset_files import export_file, import_file, studio_menus

ALICE = "browser:alice-laptop"
BOB = "browser:bob-phone"


def own_presets(data_dir: Path) -> PresetLibrary:
    """A library with two presets of the person's own: a camera move and a template."""
    library = load_library(data_dir)
    library.save_user_preset(
        "camera",
        "slow-orbit",
        Text("Slow orbit", "缓慢环绕"),
        Text("the camera slowly orbits the slide", "镜头缓慢环绕幻灯片"),
    )
    library.save_user_preset(
        "template",
        "my-orbit",
        Text("My orbit", "我的环绕"),
        Text("a calm orbit between two slides", "两张幻灯片之间的平稳环绕"),
    )
    return library


# ---- the cancel menu and its checks ----------------------------------------------------------


def test_the_cancel_menu_lists_only_this_browsers_running_jobs_newest_first(
    slide_files: tuple[Path, Path],
) -> None:
    first, _ = slide_files
    older = make_job(first, spec={"submitter": ALICE, "prompt": "push in"}, created_at=100.0)
    newer = make_job(
        first,
        spec={"submitter": ALICE, "prompt": "orbit"},
        status=JobStatus.PROCESSING,
        created_at=200.0,
    )
    others = make_job(first, spec={"submitter": BOB, "prompt": "zoom"}, created_at=300.0)
    over = make_job(first, spec={"submitter": ALICE}, status=JobStatus.DONE, created_at=400.0)
    menu = cancel_menu([older, newer, others, over], ALICE, None, "en")
    assert [job_id for _, job_id in menu.choices] == [newer.id, older.id]
    assert menu.choices[0][0] == f"{newer.id[:8]} · Kling is making the video · orbit"
    chinese = cancel_menu([older], ALICE, None, "zh-CN")
    assert chinese.choices[0][0] == f"{older.id[:8]} · 排队中 · push in"


def test_the_cancel_menu_keeps_the_choice_only_while_its_job_is_running(
    slide_files: tuple[Path, Path],
) -> None:
    first, _ = slide_files
    job = make_job(first, spec={"submitter": ALICE})
    assert cancel_menu([job], ALICE, job.id, "en").value == job.id
    assert cancel_menu([], ALICE, job.id, "en").value is None


def test_the_cancel_menus_signature_changes_with_a_jobs_status_only(
    slide_files: tuple[Path, Path],
) -> None:
    first, _ = slide_files
    queued = make_job(first, spec={"submitter": ALICE})
    again = cancel_menu([queued], ALICE, None, "en").signature
    assert cancel_menu([queued], ALICE, queued.id, "en").signature == again
    running = make_job(first, spec={"submitter": ALICE}, id=queued.id, status=JobStatus.PROCESSING)
    assert cancel_menu([running], ALICE, None, "en").signature != again
    assert cancel_menu([], ALICE, None, "en").signature == ""


def test_cancelling_needs_a_chosen_job_of_this_browser_that_is_still_running(
    slide_files: tuple[Path, Path],
) -> None:
    first, _ = slide_files
    mine = make_job(first, spec={"submitter": ALICE})
    assert job_to_cancel(mine.id, mine, ALICE) is mine
    with pytest.raises(UserError) as none_chosen:
        job_to_cancel(None, None, ALICE)
    assert none_chosen.value.code == "cancel.no_selection"
    with pytest.raises(UserError) as not_mine:
        job_to_cancel(mine.id, mine, BOB)
    with pytest.raises(UserError) as unknown:
        job_to_cancel("f" * 32, None, ALICE)
    assert not_mine.value.code == unknown.value.code == "cancel.not_yours"
    assert "不是从本浏览器发起的" in not_mine.value.text("zh-CN")
    done = make_job(first, spec={"submitter": ALICE}, status=JobStatus.DONE)
    with pytest.raises(UserError) as over:
        job_to_cancel(done.id, done, ALICE)
    assert "already over (Done)" in over.value.text("en")
    assert "已经结束（已完成）" in over.value.text("zh-CN")


# ---- the presets file --------------------------------------------------------------------------


def test_exported_presets_import_into_another_library_and_appear_in_the_studios_menus(
    tmp_path: Path,
) -> None:
    exported = export_file(own_presets(tmp_path / "mine"), tmp_path / "out")
    assert exported.suffix == ".json" and exported.parent == tmp_path / "out"
    other = load_library(tmp_path / "other")
    assert import_file(other, exported) == 2
    template_menu, camera_menu, *_ = studio_menus(other, "zh-CN")
    assert ("我的环绕", "my-orbit") in template_menu
    assert ("缓慢环绕", "slow-orbit") in camera_menu
    assert camera_menu[0] == ("— 不使用 —", "")
    assert load_library(tmp_path / "other").find("camera", "slow-orbit") is not None


def test_exporting_the_same_presets_twice_reuses_one_file(tmp_path: Path) -> None:
    library = own_presets(tmp_path / "mine")
    first = export_file(library, tmp_path / "out")
    assert export_file(library, tmp_path / "out") == first
    assert list((tmp_path / "out").iterdir()) == [first]
    library.delete_user_preset("template", "my-orbit")
    changed = export_file(library, tmp_path / "out")
    assert changed != first and "my-orbit" not in changed.read_text(encoding="utf-8")


def test_a_file_that_is_not_a_preset_export_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    library = load_library(tmp_path / "data")
    wrong = tmp_path / "notes.json"
    wrong.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(UserError) as refused:
        import_file(library, wrong)
    assert refused.value.code == "prompt.bad_import"
    assert "它不是预设导出文件" in refused.value.text("zh-CN")
    assert library.user_presets() == []


def test_an_upload_that_vanished_is_refused_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(UserError) as refused:
        import_file(load_library(tmp_path / "data"), tmp_path / "gone.json")
    assert "cannot be read" in refused.value.text("en")
    assert "请重新上传" in refused.value.text("zh-CN")


# ---- the handlers, called as Gradio calls them -------------------------------------------------


@pytest.fixture(scope="module")
def slow_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[gr.Blocks]:
    """A demo Studio (built, not served) whose simulated videos take a minute to make."""
    settings = fast_settings(tmp_path_factory.mktemp("polish-data"), demo_latency=60.0)
    runtime = Runtime.from_settings(settings).start()
    try:
        yield build_studio(runtime)
    finally:
        runtime.close()


def request_in(lang: str) -> gr.Request:
    """A request from a browser whose language is `lang`."""
    return gr.Request(headers={"accept-language": lang}, session_hash="polish-test")


def start_job(demo: gr.Blocks, slides: tuple[Path, Path], browser_id: str) -> str:
    """Queue a job as the browser `browser_id` would; its id."""
    engine = demo.studio_context.engine  # type: ignore[attr-defined]
    frames = store_pair(engine, slides[0], slides[1], "fit")
    request = JobRequest(
        prompt=f"a slow orbit for {browser_id}",
        negative_prompt="",
        model="kling-v2-6",
        mode="pro",
        duration="5",
        submitter=f"browser:{browser_id}",
    )
    return submit(engine, frames, request, None).job.id


def until_processing(demo: gr.Blocks, job_id: str) -> None:
    """Wait until the simulator is making the job's video: its status then holds for the
    rest of the simulated minute."""
    engine = demo.studio_context.engine  # type: ignore[attr-defined]
    deadline = time.monotonic() + WAIT
    while engine.get(job_id).status is not JobStatus.PROCESSING:
        assert time.monotonic() < deadline, f"job {job_id} never started processing"
        time.sleep(0.05)


def test_the_timer_offers_this_browsers_running_job_and_skips_an_unchanged_menu(
    slow_studio: gr.Blocks, slide_files: tuple[Path, Path]
) -> None:
    job_id = start_job(slow_studio, slide_files, "tick-browser")
    until_processing(slow_studio, job_id)
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    menu_at = 6  # the job list, the result panel (5), then the cancel menu, its signature, row
    fresh = studio_tab.on_tick(ctx, {}, None, "", [], "tick-browser", request_in("en"))
    update, signature, row = fresh[menu_at : menu_at + 3]
    assert [value for _, value in update["choices"]] == [job_id]
    assert update["value"] is None and job_id in signature and row["visible"] is True
    again = studio_tab.on_tick(ctx, {}, job_id, signature, [], "tick-browser", request_in("en"))
    assert again[menu_at : menu_at + 3] == [gr.skip()] * 3
    elsewhere = studio_tab.on_tick(ctx, {}, None, "", [], "other-browser", request_in("en"))
    assert elsewhere[menu_at] == gr.skip()  # nothing of its own: the empty menu stays as it is
    ctx.engine.cancel(job_id)


def test_the_frames_answer_carries_the_controls_for_the_frames_it_prepared(
    slow_studio: gr.Blocks, slide_files: tuple[Path, Path]
) -> None:
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    tab = studio_tab.StudioTab(None, None, PreparedFrames())  # type: ignore[arg-type]
    rules = ("kling-v2-6", "std", "5", "a slow orbit", "", None)
    first, last = (str(path) for path in slide_files)

    def answer(last_path: str | None) -> tuple[dict, dict]:
        values = studio_tab.on_frames(
            ctx, tab, first, last_path, "fit", None, *rules, request_in("en")
        )
        return values[studio_tab.FRAMES_READY], values[-studio_tab.CONTROL_OUTPUTS]

    ready, mode = answer(last)
    assert ready == {"first": True, "last": True}
    assert mode["value"] == "pro" and mode["interactive"] is False  # no std with a last frame
    ready, mode = answer(None)
    assert ready == {"first": True, "last": False}
    assert "value" not in mode and mode["interactive"] is True  # std stays as chosen


def test_cancel_job_cancels_this_browsers_job_and_says_so(
    slow_studio: gr.Blocks, slide_files: tuple[Path, Path]
) -> None:
    job_id = start_job(slow_studio, slide_files, "cancel-browser")
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    cleared, said = studio_tab.on_cancel_job(ctx, job_id, "cancel-browser", request_in("zh-CN"))
    engine = ctx.engine
    assert engine.get(job_id).status is JobStatus.CANCELLED
    assert cleared is None and f"任务 {job_id[:8]} 已取消。" in said


def test_cancel_job_refuses_another_browsers_job_in_the_browsers_language(
    slow_studio: gr.Blocks, slide_files: tuple[Path, Path]
) -> None:
    job_id = start_job(slow_studio, slide_files, "owner-browser")
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    menu, said = studio_tab.on_cancel_job(ctx, job_id, "intruder-browser", request_in("zh-CN"))
    assert menu == gr.skip() and "不是从本浏览器发起的" in said and 'data-kind="error"' in said
    engine = ctx.engine
    assert engine.get(job_id).status.active
    engine.cancel(job_id)


def test_download_then_import_in_settings_fills_the_studios_preset_menus(
    slow_studio: gr.Blocks, tmp_path: Path
) -> None:
    exported = export_file(own_presets(tmp_path / "elsewhere"), tmp_path / "out")
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    imported = settings_tab.on_import_presets(ctx, str(exported), request_in("en"))
    cleared, said, template_menu, camera_menu, *_ = imported
    assert cleared is None and "Imported 2 presets" in said
    assert ("My orbit", "my-orbit") in template_menu["choices"]
    assert ("Slow orbit", "slow-orbit") in camera_menu["choices"]

    path, said = settings_tab.on_download_presets(ctx, request_in("zh-CN"))
    assert "slow-orbit" in Path(path).read_text(encoding="utf-8")
    assert "文件中包含您自己的 2 个预设" in said


def test_importing_a_wrong_file_in_settings_is_refused_in_the_browsers_language(
    slow_studio: gr.Blocks, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong.json"
    wrong.write_text("not json at all", encoding="utf-8")
    ctx = slow_studio.studio_context  # type: ignore[attr-defined]
    kept, said, *menus = settings_tab.on_import_presets(ctx, str(wrong), request_in("zh-CN"))
    assert "无法导入预设：不是有效的 JSON" in said and "导出预设" in said
    assert kept == gr.skip() and all(menu == gr.skip() for menu in menus)
