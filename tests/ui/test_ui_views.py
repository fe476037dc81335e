"""What the Studio shows, computed without a browser: rules, cost, progress, history."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from ui_helpers import make_job

from kling_ui.i18n import UserError
from kling_ui.jobs.keycheck import KeyState
from kling_ui.jobs.models import KEYS_DEMO, KEYS_OWN, KEYS_SHARED, JobStatus
from kling_ui.kling.capabilities import MAX_PROMPT_CHARS
from kling_ui.ui import views

FIRST, LAST = Path("/data/frames/a.png"), Path("/data/frames/b.png")


# ---- model / mode / duration rules


def test_a_last_frame_moves_std_to_pro_and_says_why() -> None:
    state = views.control_state("kling-v2-6", "std", "5", has_first=True, has_tail=True, lang="en")
    assert (state.mode, state.duration) == ("pro", "5")
    assert "pro" in state.note and "last frame" in state.note
    assert state.can_submit


def test_without_a_last_frame_std_is_kept_without_a_note() -> None:
    state = views.control_state(
        "kling-v2-6", "std", "10", has_first=True, has_tail=False, lang="en"
    )
    assert (state.mode, state.duration, state.note) == ("std", "10", "")
    assert state.can_submit


def test_a_model_without_last_frame_support_cannot_be_submitted_with_one() -> None:
    state = views.control_state(
        "kling-v2-master", "pro", "5", has_first=True, has_tail=True, lang="en"
    )
    assert not state.can_submit
    assert any("cannot use a last frame" in p for p in state.problems)


def test_with_a_last_frame_the_rule_stays_on_screen_after_the_change() -> None:
    state = views.control_state("kling-v2-6", "pro", "5", has_first=True, has_tail=True, lang="en")
    assert state.note == "With a last frame, kling-v2-6 makes only: pro 5 s, pro 10 s."
    assert (
        "仅支持"
        in views.control_state(
            "kling-v2-6", "pro", "5", has_first=True, has_tail=True, lang="zh-CN"
        ).note
    )


def test_kling_v1_with_a_last_frame_is_held_to_five_seconds() -> None:
    state = views.control_state("kling-v1", "pro", "10", has_first=True, has_tail=True, lang="en")
    assert (state.mode, state.duration) == ("pro", "5")
    assert "5s" in state.note


def test_a_missing_first_frame_blocks_generate_in_the_pages_language() -> None:
    state = views.control_state(
        "kling-v2-6", "pro", "5", has_first=False, has_tail=False, lang="zh-CN"
    )
    assert not state.can_submit
    assert "首帧" in views.blocked_text(state, "zh-CN")


def test_an_over_long_prompt_blocks_generate() -> None:
    state = views.control_state(
        "kling-v2-6",
        "pro",
        "5",
        has_first=True,
        has_tail=False,
        prompt="x" * (MAX_PROMPT_CHARS + 1),
        lang="en",
    )
    assert not state.can_submit
    assert "2501" in " ".join(state.problems)


def test_rules_html_shows_the_note_and_escapes_it() -> None:
    state = views.ControlState("pro", "5", "<b>note</b>", (), True)
    shown = views.rules_html(state, "en")
    assert "&lt;b&gt;note&lt;/b&gt;" in shown and "kts-problems" not in shown


# ---- cost and prompt length


def test_cost_names_the_units_from_the_price_sheet() -> None:
    assert "2.5 units" in views.cost_text("kling-v2-6", "pro", "5", payer=KEYS_SHARED, lang="en")


def test_cost_in_demo_mode_is_free_and_still_shows_the_real_price() -> None:
    shown = views.cost_text("kling-v2-6", "pro", "10", payer=KEYS_DEMO, lang="en")
    assert "free" in shown and "5" in shown


def test_cost_of_unpriced_settings_says_kling_reports_it() -> None:
    shown = views.cost_text("kling-v2-6", "turbo", "5", payer=KEYS_SHARED, lang="en")
    assert "reports it" in shown
    assert views.cost_text("kling-v2-6", "turbo", "5", payer=KEYS_DEMO, lang="en") == (
        "Cost: free (simulator)."
    )


def test_prompt_length_is_counted_against_2500_and_warns_when_over() -> None:
    assert views.prompt_length_text("abc", "en") == "3 / 2500 characters"
    assert "too long" in views.prompt_length_text("y" * 2600, "en")
    assert "个字符" in views.prompt_length_text("镜头推进", "zh-CN")


# ---- live progress


def test_clock_formats_spans_and_unknowns() -> None:
    assert [views.clock(s) for s in (7, 125, 3723, None)] == ["0:07", "2:05", "1:02:03", "–"]


def test_a_queued_job_shows_its_place_elapsed_time_and_estimate() -> None:
    job = make_job(FIRST, LAST, created_at=1000.0)
    line = views.job_line(job, position=2, estimate=95.0, now=1042.0, lang="en")
    assert line.status == "queued"
    assert line.meta == "#2 in the queue · 0:42 elapsed · about 1:35 left"
    assert line.fraction == 0.0


def test_a_running_job_past_its_estimate_says_it_is_slow() -> None:
    job = make_job(FIRST, LAST, status=JobStatus.PROCESSING, created_at=1000.0)
    line = views.job_line(job, position=None, estimate=0.0, now=1200.0, lang="en")
    assert "taking longer than usual" in line.meta
    assert 0 < line.fraction < 1


def test_a_done_job_shows_how_long_it_took() -> None:
    job = make_job(FIRST, LAST, status=JobStatus.DONE, created_at=1000.0, finished_at=1090.0)
    line = views.job_line(job, position=None, estimate=None, now=5000.0, lang="en")
    assert line.meta == "took 1:30" and line.fraction == 1.0


def test_a_failed_job_shows_the_error_with_its_remedy_in_the_pages_language() -> None:
    job = make_job(
        FIRST,
        LAST,
        status=JobStatus.FAILED,
        error_code="kling.1301",
        error_title_en="Kling's content policy refused this input",
        error_title_zh="可灵的内容安全策略拒绝了该输入",
        remedy_en="Try other frames.",
        remedy_zh="请更换图片。",
        finished_at=time.time(),
    )
    assert views.job_line(job, position=None, estimate=None, now=0, lang="en").message == (
        "Kling's content policy refused this input Try other frames."
    )
    zh = views.job_line(job, position=None, estimate=None, now=0, lang="zh-CN")
    assert zh.failed and "请更换图片" in zh.message


def test_progress_html_escapes_prompts_and_marks_each_jobs_status() -> None:
    job = make_job(FIRST, spec={"prompt": "<script>alert(1)</script>"})
    line = views.job_line(job, position=1, estimate=None, now=time.time(), lang="en")
    shown = views.progress_html([line], "en")
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert f'data-job="{job.id}"' in shown and 'data-status="queued"' in shown


def test_progress_html_without_jobs_invites_a_first_one() -> None:
    assert "No jobs yet" in views.progress_html([], "en")


def test_the_panel_lists_every_active_job_and_only_the_latest_finished_ones() -> None:
    old_active = make_job(FIRST, created_at=1.0, status=JobStatus.PROCESSING)
    finished = [make_job(FIRST, created_at=10.0 + i, status=JobStatus.DONE) for i in range(8)]
    recent = sorted(finished, key=lambda j: j.created_at, reverse=True)
    chosen = views.panel_jobs([old_active], recent, recent_limit=3)
    assert [j.id for j in chosen] == [*(j.id for j in recent[:3]), old_active.id]


def test_the_job_signature_changes_when_a_job_changes() -> None:
    job = make_job(FIRST, updated_at=5.0)
    before = views.jobs_signature([job])
    job.status, job.updated_at = JobStatus.DONE, 6.0
    assert views.jobs_signature([job]) != before


# ---- history


def test_status_filters_select_statuses() -> None:
    assert views.statuses_for(views.FILTER_ALL) is None
    assert JobStatus.DONE not in views.statuses_for(views.FILTER_ACTIVE)
    assert JobStatus.TIMED_OUT in views.statuses_for(views.FILTER_ACTIVE)
    assert views.statuses_for("failed") == [JobStatus.FAILED]
    values = [value for _, value in views.status_filter_choices("zh-CN")]
    assert values[:2] == ["all", "active"] and "done" in values


def test_history_rows_show_settings_time_taken_and_errors() -> None:
    job = make_job(
        FIRST,
        LAST,
        status=JobStatus.FAILED,
        created_at=100.0,
        finished_at=160.0,
        error_code="kling.1201",
        error_title_en="Kling rejected a setting",
        spec={"prompt": "Push in", "model": "kling-v2-6", "mode": "pro", "duration": "10"},
    )
    (row,) = views.history_rows([job], now=1000.0, lang="en")
    assert row[1:5] == ["Failed", "Push in", "kling-v2-6 · pro · 10 s · 2 frames", "1:00"]
    assert row[5].startswith("Kling rejected a setting")
    assert len(views.history_headers("en")) == len(row)


def test_job_detail_shows_prompt_settings_units_and_the_remedy_escaped() -> None:
    job = make_job(
        FIRST,
        None,
        status=JobStatus.FAILED,
        units=2.5,
        error_code="kling.1301",
        error_message="risk <control>",
        remedy_en="Try other frames.",
        spec={"prompt": "a & b", "negative_prompt": "blur"},
    )
    shown = views.job_detail_html(job, lang="en")
    assert "a &amp; b" in shown and "blur" in shown and "1 frame" in shown
    assert "2.5" in shown and "risk &lt;control&gt;" in shown and "Try other frames." in shown


# ---- prompt lab and API


def test_a_lab_cell_offers_the_video_only_when_the_job_is_done(tmp_path: Path) -> None:
    video = tmp_path / "v.mp4"
    running = make_job(FIRST, status=JobStatus.PROCESSING, video_path=None)
    done = make_job(FIRST, status=JobStatus.DONE, video_path=video, best=True)
    assert views.lab_cell(running, now=time.time(), lang="en").video is None
    cell = views.lab_cell(done, now=time.time(), lang="en")
    assert cell.video == str(video) and cell.best and "★" in cell.status_html
    assert views.lab_cell(None, now=0, lang="en").job_id is None


def test_distinct_prompts_drop_blanks_and_repeats() -> None:
    assert views.distinct_prompts([" a ", "", "b", "a"]) == ["a", "b"]


def test_the_api_answer_has_no_paths_and_reports_the_queue() -> None:
    job = make_job(FIRST, LAST, spec={"prompt": "p"})
    answer = views.api_job(job, position=3, estimate=12.34, lang="en")
    assert answer["queue_position"] == 3 and answer["estimate_seconds"] == 12.3
    assert answer["last_frame"] is True and answer["video_ready"] is False
    assert "/data/frames" not in repr(answer)


# ---- errors and settings


def test_error_messages_use_the_user_error_text_or_a_plain_notice() -> None:
    from kling_ui.i18n import Text

    error = UserError("x", Text("Bad.", "不好。"), remedy=Text("Fix it.", "修好它。"))
    assert views.error_message(error, "zh-CN") == "不好。 修好它。"
    assert "ValueError" in views.error_message(ValueError("secret"), "en")
    assert "secret" not in views.error_message(ValueError("secret"), "en")


@pytest.mark.parametrize(
    ("account", "demo", "shared", "expected"),
    [
        ("acct-1", False, True, "its own keys (account acct-1)"),
        (None, True, True, "embedded simulator"),
        (None, False, True, "deployment's keys: being checked"),
        (None, False, False, "no keys yet"),
    ],
)
def test_the_key_status_says_whose_keys_jobs_use(
    account: str | None, demo: bool, shared: bool, expected: str
) -> None:
    shown = views.key_status_text(
        account, demo=demo, shared_usable=shared, browser_endpoint="https://k", lang="en"
    )
    assert expected in shown and "https://k" in shown


def test_the_endpoint_block_says_whether_keys_are_set_never_what_they_are() -> None:
    shown = views.endpoint_html("https://api", server_keys=True, auth_on=False, lang="en")
    assert "https://api" in shown and "Server keys: set" in shown and "Login: off" in shown


# ---- whose keys pay (banner, cost line, job cards) and a silent Kling


def test_whose_keys_a_browser_uses_follows_its_own_keys_first() -> None:
    assert views.payer_of(True, demo=True, shared_usable=True) == KEYS_OWN
    assert views.payer_of(False, demo=True, shared_usable=True) == KEYS_DEMO
    assert views.payer_of(False, demo=False, shared_usable=True) == KEYS_SHARED
    assert views.payer_of(False, demo=False, shared_usable=False) is None


def test_the_cost_line_says_who_pays() -> None:
    own = views.cost_text("kling-v2-6", "pro", "5", payer=KEYS_OWN, lang="en")
    assert "2.5 units" in own and "your own Kling account" in own and "free" not in own
    shared = views.cost_text("kling-v2-6", "pro", "5", payer=KEYS_SHARED, lang="en")
    assert "shared Kling keys" in shared
    assert "Paid" not in views.cost_text("kling-v2-6", "pro", "5", payer=None, lang="en")
    assert "您自己的可灵账户" in views.cost_text(
        "kling-v2-6", "pro", "5", payer=KEYS_OWN, lang="zh"
    )


def test_the_banner_for_own_keys_names_the_account_and_check_and_never_says_demo() -> None:
    shown = views.keys_banner_html(KEYS_OWN, account="acct-1", state=KeyState.VERIFIED, lang="en")
    assert "Your own Kling keys (account acct-1, verified with Kling)" in shown
    assert "paid from your Kling account" in shown
    assert "Demo" not in shown and "nothing is paid" not in shown
    assert 'data-keys="own"' in shown
    unverified = views.keys_banner_html(
        KEYS_OWN, account="acct-1", state=KeyState.UNVERIFIED, lang="zh-CN"
    )
    assert "您自己的可灵密钥" in unverified and "未验证" in unverified and "，" in unverified


@pytest.mark.parametrize(
    ("payer", "state", "expected"),
    [
        (KEYS_DEMO, KeyState.DEMO, "Demo mode"),
        (KEYS_SHARED, KeyState.VERIFIED, "shared Kling keys of this Studio (verified with Kling)"),
        (KEYS_SHARED, None, "(being checked with Kling)"),
        (KEYS_SHARED, KeyState.REFUSED, "were refused by Kling"),
        (None, None, "No Kling keys for this browser yet"),
    ],
)
def test_the_banner_says_whose_keys_jobs_run_on(
    payer: str | None, state: KeyState | None, expected: str
) -> None:
    assert expected in views.keys_banner_html(payer, state=state, lang="en")


def test_each_job_card_says_which_keys_it_runs_on() -> None:
    jobs = [make_job(FIRST, runs_on=kind) for kind in (KEYS_DEMO, KEYS_OWN, KEYS_SHARED)]
    lines = [views.job_line(j, position=1, estimate=None, now=time.time(), lang="en") for j in jobs]
    assert [line.keys for line in lines] == ["demo simulator", "your keys", "shared keys"]
    shown = views.progress_html(lines, "en")
    assert '<span class="kts-keys" data-keys="own">your keys</span>' in shown
    zh = views.job_line(jobs[1], position=1, estimate=None, now=time.time(), lang="zh-CN")
    assert zh.keys == "您的密钥"
    unknown = views.job_line(make_job(FIRST), position=1, estimate=None, now=0, lang="en")
    assert unknown.keys == "" and "kts-keys" not in views.progress_html([unknown], "en")


def test_the_history_says_which_keys_each_job_ran_on() -> None:
    job = make_job(FIRST, LAST, runs_on=KEYS_OWN, status=JobStatus.DONE, finished_at=5.0)
    (row,) = views.history_rows([job], now=10.0, lang="en")
    assert row[3].endswith("· your keys")
    assert 'data-keys="own"' in views.job_detail_html(job, lang="en")


def test_a_job_kling_does_not_answer_for_says_since_when_and_when_the_next_try_is() -> None:
    since = time.mktime((2025, 3, 4, 14, 3, 12, 0, 0, -1))
    job = make_job(
        FIRST,
        LAST,
        status=JobStatus.PROCESSING,
        created_at=since - 30,
        unreachable_since=since,
        retry_at=since + 20,
        status_message="Kling is not answering (network)",
    )
    line = views.job_line(job, position=None, estimate=None, now=since + 12, lang="en")
    assert line.message.startswith("Kling has not answered since 14:03:12; next try in 8 s.")
    later = views.job_line(job, position=None, estimate=None, now=since + 25, lang="en")
    assert "since 14:03:12; trying again now" in later.message
    zh = views.job_line(job, position=None, estimate=None, now=since + 12, lang="zh-CN")
    assert "可灵自 14:03:12 起没有响应；8 秒后重试" in zh.message


def test_the_progress_bar_holds_still_while_kling_does_not_answer() -> None:
    job = make_job(
        FIRST,
        status=JobStatus.PROCESSING,
        created_at=1000.0,
        unreachable_since=1030.0,
        retry_at=1040.0,
    )
    frozen = [
        views.job_line(job, position=None, estimate=60.0, now=now, lang="en").fraction
        for now in (1031.0, 1100.0, 5000.0)
    ]
    assert frozen == [pytest.approx(30 / 90)] * 3
    job.unreachable_since = job.retry_at = None
    moving = views.job_line(job, position=None, estimate=60.0, now=1100.0, lang="en")
    assert moving.fraction == pytest.approx(100 / 160)
    assert "not answered" not in moving.message


def test_a_finished_job_never_shows_the_unreachable_line() -> None:
    job = make_job(
        FIRST,
        status=JobStatus.DONE,
        created_at=0.0,
        finished_at=50.0,
        unreachable_since=20.0,
        retry_at=30.0,
    )
    line = views.job_line(job, position=None, estimate=None, now=100.0, lang="en")
    assert "not answered" not in line.message and line.fraction == 1.0


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (KeyState.VERIFIED, "its own keys (account acct-1): verified with Kling."),
        (KeyState.UNVERIFIED, "its own keys (account acct-1): not verified"),
    ],
)
def test_the_key_status_says_whether_kling_verified_the_browsers_keys(
    state: KeyState, expected: str
) -> None:
    shown = views.key_status_text(
        "acct-1",
        demo=True,
        shared_usable=True,
        browser_endpoint="https://k",
        lang="en",
        browser_state=state,
    )
    assert expected in shown


def test_the_key_status_and_endpoint_say_what_kling_said_of_the_shared_keys() -> None:
    status = views.key_status_text(
        None,
        demo=False,
        shared_usable=True,
        browser_endpoint="https://k",
        lang="en",
        shared_state=KeyState.VERIFIED,
    )
    assert "deployment's keys: verified with Kling." in status
    endpoint = views.endpoint_html(
        "https://k", server_keys=True, auth_on=True, lang="en", server_state=KeyState.REFUSED
    )
    assert "Server keys: set, refused by Kling" in endpoint
    demo = views.endpoint_html(
        "sim", server_keys=True, auth_on=False, lang="en", server_state=KeyState.DEMO
    )
    assert "Server keys: set<" in demo


def test_refused_keys_are_explained_in_the_persons_language() -> None:
    shown = views.keys_refused_text(1000, "https://k", "en")
    assert "Kling refused these keys [1000]" in shown and "Nothing was saved" in shown
    assert "https://k" in shown
    assert "未保存任何内容" in views.keys_refused_text(None, "https://k", "zh-CN")
