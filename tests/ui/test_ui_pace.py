"""The page's refresh pace: every second while one of the person's jobs is under way, every
few seconds otherwise (an idle tab costs the browser a third as much)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pytest
from ui_helpers import fast_settings, wait_finished

from kling_ui.jobs.models import JobSpec
from kling_ui.runtime import Runtime
from kling_ui.simulator import slide_png
from kling_ui.ui import build_studio
from kling_ui.ui.context import StudioContext
from kling_ui.ui.pace import FOLLOWING_SECONDS, RESTING_SECONDS, on_pace, refresh_seconds


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[StudioContext]:
    runtime = Runtime.from_settings(fast_settings(tmp_path)).start()
    try:
        yield build_studio(runtime).studio_context
    finally:
        runtime.close()


def submit_as(ctx: StudioContext, owner: str) -> str:
    frame = ctx.engine.save_frame(slide_png(320, 180, owner), "png")
    spec = JobSpec(first_frame=frame, last_frame=frame, prompt="slow push-in", submitter=owner)
    return ctx.engine.submit(spec).job.id


def test_a_page_with_nothing_under_way_rests_between_refreshes(ctx: StudioContext) -> None:
    assert refresh_seconds(ctx, "browser:alice") == RESTING_SECONDS > FOLLOWING_SECONDS


def test_a_page_refreshes_every_second_while_its_persons_job_is_under_way_then_rests(
    ctx: StudioContext,
) -> None:
    job_id = submit_as(ctx, "browser:alice")
    assert refresh_seconds(ctx, "browser:alice") == FOLLOWING_SECONDS
    assert refresh_seconds(ctx, "browser:bob") == RESTING_SECONDS  # someone else's job
    wait_finished(ctx.runtime, job_id)
    assert refresh_seconds(ctx, "browser:alice") == RESTING_SECONDS


def test_the_timer_is_told_its_interval_for_the_browser_that_asks(ctx: StudioContext) -> None:
    submit_as(ctx, "browser:alice")
    asked = gr.Request(headers={"accept-language": "en"})
    assert on_pace(ctx, "alice", asked) == gr.update(value=FOLLOWING_SECONDS)
    assert on_pace(ctx, "bob", asked) == gr.update(value=RESTING_SECONDS)


def test_the_pace_is_a_part_of_the_one_refresh_and_shows_on_the_timer(
    ctx: StudioContext,
) -> None:
    (part,) = [part for part in ctx.ticks.parts if part.outputs == (ctx.timer,)]
    assert part.inputs == (ctx.browser_id,)
    assert part.handler.__name__ == "on_pace"
