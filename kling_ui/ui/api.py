"""Named API endpoints for gradio_client scripts and MCP: `/generate` and `/job_status`.

They take no keys (keys are never a public input): jobs run on the deployment's account,
which the access policy refuses on a shared Space without a login. Their components are
hidden; the page itself uses the Studio's own events.

A job made here belongs to the caller: the login name, else the client's session (one
`gradio_client.Client`). `job_status` answers only for the caller's own jobs (teammates'
jobs are for History's read-only Team view); any other id is answered exactly like an
unknown one.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from kling_ui.jobs.models import JobStatus
from kling_ui.jobs.requests import JobRequest, store_pair, submit
from kling_ui.kling.capabilities import MODELS
from kling_ui.ui import views
from kling_ui.ui.common import (
    GENERATE_CONCURRENCY_ID,
    GENERATE_CONCURRENCY_LIMIT,
    bound,
    lang_of,
    shows_errors,
    submitter_of,
)
from kling_ui.ui.context import StudioContext
from kling_ui.ui.history_tab import no_such_job
from kling_ui.ui.prompting import default_choice, preview
from kling_ui.ui.submitting import no_first_frame


def build(ctx: StudioContext) -> None:
    """Add the hidden components and the two named endpoints to the current Blocks."""
    settings = ctx.settings
    with gr.Column(visible=False):
        # Files, not gr.Image: the frames reach frame preparation as uploaded, so a bad file
        # is refused with its own explanation and remedy.
        first = gr.File(type="filepath", label="first_frame")
        last = gr.File(type="filepath", label="last_frame")
        prompt = gr.Textbox(value="", label="prompt")
        negative = gr.Textbox(value="", label="negative_prompt")
        model = gr.Dropdown(list(MODELS), value=settings.default_model, label="model")
        mode = gr.Dropdown(["std", "pro"], value=settings.default_mode, label="mode")
        duration = gr.Dropdown(["5", "10"], value=settings.default_duration, label="duration")
        new_take = gr.Checkbox(value=False, label="new_take")
        generate_button = gr.Button("generate")
        submitted = gr.JSON(label="job")
        job_id = gr.Textbox(label="job_id")
        status_button = gr.Button("job_status")
        status = gr.JSON(label="job")
        video = gr.File(label="video")

    generate_button.click(
        bound(generate, ctx),
        [first, last, prompt, negative, model, mode, duration, new_take],
        [submitted],
        api_name="generate",
        concurrency_limit=GENERATE_CONCURRENCY_LIMIT,
        concurrency_id=GENERATE_CONCURRENCY_ID,
    )
    status_button.click(
        bound(job_status, ctx),
        [job_id],
        [status, video],
        api_name="job_status",
        concurrency_limit=None,
    )


# The two endpoints' signatures and docstrings are the API's (and MCP's) public description.


@shows_errors
def generate(
    ctx: StudioContext,
    first_frame: str | None,
    last_frame: str | None = None,
    prompt: str = "",
    negative_prompt: str = "",
    model: str = "",
    mode: str = "",
    duration: str = "",
    new_take: bool = False,
    request: gr.Request | None = None,
) -> dict[str, Any]:
    """Generate a transition video from a first frame to a last frame with Kling.

    Queues the job and returns at once; follow it with job_status.

    Args:
        first_frame: the first slide (PNG or JPEG); it is prepared to Kling's rules.
        last_frame: the last slide, optional (a first+last frame video runs in pro mode).
        prompt: how the transition moves; empty uses the Studio's default prompt.
        negative_prompt: what must not appear; may be empty.
        model: a Kling model name, e.g. kling-v2-6; empty uses the Studio's default.
        mode: "std" or "pro" (a last frame needs pro on most models); empty: the default.
        duration: "5" or "10" seconds; empty uses the Studio's default.
        new_take: run again even if an identical video already exists.
    Returns:
        The job: id, status, queue position, estimate and settings, and frame_report:
        what frame preparation changed to meet Kling's rules.
    """
    settings = ctx.settings
    lang = lang_of(request)
    if not first_frame:
        raise no_first_frame()
    text = (prompt or "").strip()
    if not text:
        text = preview(default_choice(ctx.library, "en"), ctx.library, "en").prompt
    credentials = ctx.credentials_for(None)
    frames = store_pair(ctx.engine, first_frame, last_frame, "fit")
    owner = submitter_of(request)
    result = submit(
        ctx.engine,
        frames,
        JobRequest(
            prompt=text,
            negative_prompt=negative_prompt or "",
            model=model or settings.default_model,
            mode=mode or settings.default_mode,
            duration=str(duration or settings.default_duration),
            submitter=owner,
            new_take=bool(new_take),
        ),
        credentials,
    )
    # Say what frame preparation changed (upscaled, padded, re-encoded...): the page shows it
    # beside the frames, an API caller only sees it here.
    report = frames.prepared.report_text(lang)
    return answer(ctx, result.job.id, lang, owner)[0] | {"frame_report": report}


@shows_errors
def job_status(
    ctx: StudioContext, job_id: str, request: gr.Request
) -> tuple[dict[str, Any], str | None]:
    """The state of a job made by generate, and its video once it is done.

    Args:
        job_id: the id generate returned.
    Returns:
        The job (status, queue position, estimate, error with remedy) and the video file.
    """
    return answer(ctx, (job_id or "").strip(), lang_of(request), submitter_of(request))


def answer(
    ctx: StudioContext, job_id: str, lang: str, viewer: str
) -> tuple[dict[str, Any], str | None]:
    """The API's view of one of `viewer`'s own jobs and its video path (None until done);
    an unknown id and anyone else's job are refused alike."""
    try:
        job = ctx.engine.owned(job_id, viewer)
    except KeyError:
        raise no_such_job(job_id) from None
    status = JobStatus(job.status)
    position = ctx.engine.queue_position(job.id) if status is JobStatus.QUEUED else None
    estimate = ctx.engine.estimate(job.id) if status.active else None
    video = None
    if status is JobStatus.DONE and job.video_path and job.video_path.is_file():
        video = str(job.video_path)
    return views.api_job(job, position=position, estimate=estimate, lang=lang), video
