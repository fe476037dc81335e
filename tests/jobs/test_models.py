"""Job statuses, specs and rows as the front ends read them."""

from __future__ import annotations

import json
from pathlib import Path

from job_helpers import make_job

from kling_ui.jobs.accounts import request_kind
from kling_ui.jobs.models import JobSpec, JobStatus
from kling_ui.jobs.naming import slug, video_file_name


def test_finished_active_and_settled_statuses() -> None:
    finished = {s for s in JobStatus if s.finished}
    assert finished == {JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED}
    assert {s for s in JobStatus if s.active} == set(JobStatus) - finished
    assert {s for s in JobStatus if s.settled} == finished | {JobStatus.TIMED_OUT}


def test_the_fingerprint_follows_what_decides_the_video_not_who_asked() -> None:
    spec = JobSpec(first_frame=Path("a.png"), last_frame=Path("b.png"), prompt="push in")
    same = spec.model_copy(update={"submitter": "someone else", "label": "x", "kind": "lab"})
    other_prompt = spec.model_copy(update={"prompt": "pull out"})
    fingerprint = spec.fingerprint("h1", "h2", "simulator")
    assert same.fingerprint("h1", "h2", "simulator") == fingerprint
    assert other_prompt.fingerprint("h1", "h2", "simulator") != fingerprint
    assert spec.fingerprint("h1", "h3", "simulator") != fingerprint
    assert spec.fingerprint("h1", "h2", "https://api-beijing.klingai.com") != fingerprint


def test_a_job_is_json_safe_for_every_front_end(frames: tuple[Path, Path]) -> None:
    job = make_job(frames, status=JobStatus.DONE, video_path=frames[0])
    encoded = json.loads(json.dumps(job.to_public_dict()))
    assert encoded["status"] == "done"
    assert encoded["spec"]["first_frame"] == str(frames[0])
    assert encoded["video_path"] == str(frames[0])


def test_error_text_gives_the_reason_and_remedy_in_the_chosen_language(
    frames: tuple[Path, Path],
) -> None:
    job = make_job(
        frames,
        status=JobStatus.FAILED,
        error_code="kling.1102",
        error_title_en="The Kling account cannot run this task.",
        error_title_zh="可灵账户无法执行此任务。",
        remedy_en="Check the balance.",
        remedy_zh="请检查余额。",
    )
    assert job.error_text("en") == "The Kling account cannot run this task. Check the balance."
    assert job.error_text("zh-CN") == "可灵账户无法执行此任务。 请检查余额。"
    assert make_job(frames).error_text("en") is None


def test_status_text_is_the_message_or_else_the_label(frames: tuple[Path, Path]) -> None:
    plain = make_job(frames, status=JobStatus.PROCESSING)
    assert plain.status_text("en") == "Kling is making the video"
    assert plain.status_text("zh-CN") == "可灵正在生成视频"
    told = make_job(frames, status_message="Back in line.", status_message_zh="已重新排队。")
    assert told.status_text("en") == "Back in line."
    assert told.status_text("zh") == "已重新排队。"


def test_video_names_are_readable(frames: tuple[Path, Path]) -> None:
    labelled = make_job(frames, spec={"label": "Intro → Chart!"})
    assert video_file_name(labelled).endswith(f"_intro-chart_{labelled.id}.mp4")
    deck = make_job(frames, spec={"kind": "deck", "deck_id": "q3-review", "deck_position": 4})
    assert f"_deck-q3-review-05_{deck.id[:8]}" in video_file_name(deck)
    assert slug("  ") == "" and len(slug("word " * 30)) <= 40


def test_requests_are_counted_by_kind() -> None:
    base = "/v1/videos/image2video"
    assert request_kind("POST", base, set()) == "create"
    assert request_kind("GET", f"{base}/123", set()) == "query"
    assert request_kind("GET", base, {"pageNum", "pageSize"}) == "list"
    assert request_kind("GET", base, {"external_task_id"}) == "find"
    assert request_kind("GET", "/videos/123.mp4", set()) == "download"
